import Foundation
import Mesoflow
import Testing

@testable import MesoflowRecords

/// The follow-up calendar: RFC 5545 TEXT escaping, folding at 75 octets,
/// CRLF line ends, and one event for each appointment that has a day.
struct FollowUpCalendarTests {
  /// The lines of `ics`, which must end in CRLF, without their line ends.
  static func lines(_ ics: String) -> [String] {
    #expect(ics.hasSuffix("\r\n"))
    return ics.components(separatedBy: "\r\n").dropLast()
  }

  @Test func theFixturesCalendarIsExactlyThis() throws {
    let consultation = try RecordsFixture.consultation(try RecordsFixture.merged())
    let ics = FollowUpCalendar.ics(for: consultation, stampedAt: RecordsFixture.morning + .days(1))
    let event = { (number: Int, day: String, next: String, summary: [String], description: [String]) -> [String] in
      [
        "BEGIN:VEVENT", "UID:20261121-TEST01-\(number)@mesoflow", "DTSTAMP:20261122T090000Z",
        "DTSTART;VALUE=DATE:\(day)", "DTEND;VALUE=DATE:\(next)",
      ] + summary + description + ["TRANSP:TRANSPARENT", "END:VEVENT"]
    }
    let expected =
      [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Mesoflow//Mesoflow 0.1//EN", "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH", "X-WR-CALNAME:Clinic & \"care\" follow-up",
      ]
      + event(
        1, "20261212", "20261213", ["SUMMARY:Clinic & \"care\": session 2 of 3"],
        [
          "DESCRIPTION:Clinic & \"care\": session 2 of 3. Consultation 20261121-TEST01\\,",
          "  treated 2026-11-21 09:02.",
        ])
      + event(
        2, "20261226", "20261227", ["SUMMARY:Clinic & \"care\": session 3 of 3"],
        [
          "DESCRIPTION:Clinic & \"care\": session 3 of 3. Consultation 20261121-TEST01\\,",
          "  treated 2026-11-21 09:02.",
        ])
      + event(
        3, "20270102", "20270103",
        ["SUMMARY:Clinic & \"care\": safety review: Check for late lumps\\, bumps\\; and ", " a\\\\b."],
        [
          "DESCRIPTION:Clinic & \"care\": safety review: Check for late lumps\\, bumps\\; ",
          " and a\\\\b.. Consultation 20261121-TEST01\\, treated 2026-11-21 09:02.",
        ])
      + ["END:VCALENDAR"]
    #expect(Self.lines(ics) == expected)
    #expect(ics == expected.joined(separator: "\r\n") + "\r\n")
  }

  // MARK: TEXT escaping

  @Test func textEscapesBackslashSemicolonCommaAndLineFeeds() {
    #expect(ICSText.escape(#"a\b;c,d"#) == #"a\\b\;c\,d"#)
    #expect(ICSText.escape("one\ntwo\n") == #"one\ntwo\n"#)
    #expect(ICSText.escape("\\;\\,") == #"\\\;\\\,"#)
    // What needs no escape in TEXT, and a lone carriage return, which is dropped.
    #expect(ICSText.escape("a:b \"c\" 'd' <e> é €") == "a:b \"c\" 'd' <e> é €")
    #expect(ICSText.escape("a\rb") == "ab")
  }

  /// A text typed in a web form has CRLF line breaks: each is one `\n`,
  /// never a raw line break that would end the content line.
  @Test func aCRLFLineBreakIsEscapedAsOne() throws {
    #expect(ICSText.escape("one\r\ntwo\r\n\r\nthree") == #"one\ntwo\n\nthree"#)
    let catalog = Catalog(sources: [
      SourceText(
        name: "clinic.yaml",
        text: RecordsFixture.workflowText.replacingOccurrences(
          of: #"title: Clinic & "care""#, with: #"title: "Clinic\r\nCare""#)),
      SourceText(name: "patch.yaml", text: RecordsFixture.pluginText),
    ])
    let consultation = try RecordsFixture.consultation(try RecordsFixture.merged(catalog))
    #expect(consultation.workflow.workflow.title == "Clinic\r\nCare")
    let ics = FollowUpCalendar.ics(for: consultation, stampedAt: RecordsFixture.morning)
    #expect(Self.lines(ics).contains(#"X-WR-CALNAME:Clinic\nCare follow-up"#))
  }

  /// The workflow's title, the areas' titles and a review's reason are the
  /// calendar's TEXT values; each is escaped where it stands.
  @Test func theDefinitionsTextsAreEscapedInTheCalendar() throws {
    let workflow = RecordsFixture.workflowText.replacingOccurrences(
      of: #"title: Clinic & "care""#, with: #"title: "A\\B; C, D\nE""#)
    let catalog = Catalog(sources: [
      SourceText(name: "clinic.yaml", text: workflow), SourceText(name: "patch.yaml", text: RecordsFixture.pluginText),
    ])
    let consultation = try RecordsFixture.consultation(try RecordsFixture.merged(catalog))
    #expect(consultation.workflow.workflow.title == "A\\B; C, D\nE")
    let lines = Self.lines(FollowUpCalendar.ics(for: consultation, stampedAt: RecordsFixture.morning))
    #expect(lines.contains(#"X-WR-CALNAME:A\\B\; C\, D\nE follow-up"#))
    #expect(lines.contains(#"SUMMARY:A\\B\; C\, D\nE: session 2 of 3"#))
    // Nothing but the escapes: without them, no separator, backslash or
    // line break is left in a TEXT value.
    let unfolded = FollowUpCalendar.ics(for: consultation, stampedAt: RecordsFixture.morning)
      .replacingOccurrences(of: "\r\n ", with: "")
    for line in Self.lines(unfolded) where line.hasPrefix("SUMMARY:") || line.hasPrefix("DESCRIPTION:") {
      var value = String(line.drop { $0 != ":" }.dropFirst())
      for escape in [#"\\"#, #"\;"#, #"\,"#, #"\n"#] { value = value.replacingOccurrences(of: escape, with: "") }
      #expect(!value.contains { ";,\\\n\r".contains($0) }, "\(line)")
    }
  }

  // MARK: Folding

  @Test func aLineOfSeventyFiveOctetsIsNotFoldedAndOneMoreIs() {
    let exact = String(repeating: "a", count: 75)
    #expect(ICSText.fold(exact) == exact)
    #expect(ICSText.fold(exact + "b") == exact + "\r\n b")
    // Each continuation holds 74 octets after its space.
    let long = String(repeating: "c", count: 75 + 74 + 3)
    #expect(
      ICSText.fold(long)
        == String(repeating: "c", count: 75) + "\r\n " + String(repeating: "c", count: 74) + "\r\n ccc")
  }

  /// A character of 2, 3 or 4 octets that would cross octet 75 moves
  /// whole to the next line.
  @Test(arguments: ["é", "€", "😀"])
  func aMultiByteCharacterIsNeverSplit(_ character: String) {
    let line = String(repeating: "x", count: 74) + character + "yz"
    let folded = ICSText.fold(line)
    #expect(folded == String(repeating: "x", count: 74) + "\r\n " + character + "yz")
    // Unfolding (RFC 5545 3.1: remove each CRLF and the space after it) gives the line back.
    #expect(folded.replacingOccurrences(of: "\r\n ", with: "") == line)
  }

  @Test func everyLineOfACalendarWithALongTitleIsAtMostSeventyFiveOctetsOfWholeCharacters() throws {
    // "X-WR-CALNAME:" is 13 octets, so the first "€" would take octets 74 to 76.
    let title = String(repeating: "a", count: 60) + "€€ " + String(repeating: "ü", count: 80) + " 😀 end"
    let workflow = RecordsFixture.workflowText.replacingOccurrences(
      of: #"title: Clinic & "care""#, with: "title: \(title)")
    let catalog = Catalog(sources: [
      SourceText(name: "clinic.yaml", text: workflow), SourceText(name: "patch.yaml", text: RecordsFixture.pluginText),
    ])
    let consultation = try RecordsFixture.consultation(try RecordsFixture.merged(catalog))
    let ics = FollowUpCalendar.ics(for: consultation, stampedAt: RecordsFixture.morning)
    let lines = Self.lines(ics)
    #expect(lines[5] == "X-WR-CALNAME:" + String(repeating: "a", count: 60))
    #expect(lines[6].hasPrefix(" €€ ü"))
    for line in lines {
      #expect(line.utf8.count <= 75, "\(line)")
      #expect(!line.contains("\n") && !line.contains("\r"))
    }
    // Every line is whole characters: the bytes between CRLFs are valid UTF-8 on their own.
    var bytes = Array(ics.utf8)[...]
    while let end = bytes.firstIndex(of: 0x0D) {
      #expect(bytes[bytes.index(after: end)] == 0x0A, "a CR not followed by LF")
      #expect(String(validating: bytes[..<end], as: UTF8.self) != nil)
      bytes = bytes[(end + 2)...]
    }
    #expect(bytes.isEmpty)
    let unfolded = ics.replacingOccurrences(of: "\r\n ", with: "")
    #expect(unfolded.contains("X-WR-CALNAME:\(title) follow-up\r\n"))
  }

  // MARK: Events

  /// A session still to be booked has no day, so no event; the review,
  /// counted from the treatment, has one.
  @Test func onlyAppointmentsWithADayAreEvents() throws {
    let consultation = try RecordsFixture.consultation(try RecordsFixture.merged(), skipping: ["next_date"])
    #expect(consultation.record.followUp.map(\.date) == [try RecordsFixture.day(42), nil, nil])
    let lines = Self.lines(FollowUpCalendar.ics(for: consultation, stampedAt: RecordsFixture.morning))
    #expect(lines.filter { $0 == "BEGIN:VEVENT" }.count == 1)
    #expect(lines.contains("UID:20261121-TEST01-1@mesoflow"))
    #expect(lines.contains("DTSTART;VALUE=DATE:20270102"))
  }

  /// Before the treatment there is nothing to put in a calendar.
  @Test func anUntreatedConsultationsCalendarHasNoEvent() throws {
    let consultation = try RecordsFixture.consultation(try RecordsFixture.merged(), answers: [:])
    #expect(consultation.record.treatedAt == nil)
    #expect(
      FollowUpCalendar.ics(for: consultation, stampedAt: RecordsFixture.morning)
        == [
          "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Mesoflow//Mesoflow 0.1//EN", "CALSCALE:GREGORIAN",
          "METHOD:PUBLISH", "X-WR-CALNAME:Clinic & \"care\" follow-up", "END:VCALENDAR", "",
        ].joined(separator: "\r\n"))
  }
}
