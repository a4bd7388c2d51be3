public import Mesoflow

/// The follow-up calendar of a consultation: an RFC 5545 iCalendar file with
/// one all-day event for each follow-up appointment that has a day.
///
/// A session still to be booked has no day yet, so it has no event. Lines
/// end in CRLF and are folded at 75 octets, never inside a UTF-8 sequence;
/// TEXT values escape `\`, `;`, `,` and line breaks (RFC 5545 3.3.11).
public enum FollowUpCalendar {
  /// The calendar of `consultation`'s follow-up appointments.
  ///
  /// - Parameters:
  ///   - consultation: The consultation; its record gives the appointments
  ///     (none before the procedure stage is completed).
  ///   - stamp: When the calendar is made, written as each event's
  ///     `DTSTAMP`; the only input that is not in the consultation.
  /// - Returns: The whole file, its last line ended by CRLF.
  public static func ics(for consultation: Consultation, stampedAt stamp: Timestamp) -> String {
    let record = consultation.record
    let title = consultation.workflow.workflow.title
    var lines = [
      "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Mesoflow//Mesoflow 0.1//EN", "CALSCALE:GREGORIAN",
      "METHOD:PUBLISH", "X-WR-CALNAME:" + ICSText.escape("\(title) follow-up"),
    ]
    // Only days there are: a session still to be booked has none yet.
    let dated = record.followUp.compactMap { appointment in appointment.date.map { (appointment, $0) } }
    for (index, (appointment, date)) in dated.enumerated() {
      let what = FollowUpWording.kind(appointment.kind)
      let areas = FollowUpWording.areaTitles(appointment.areas, consultation.workflow)
      var details = "\(title): \(what)."
      if !areas.isEmpty { details += " Areas: \(areas)." }
      details += " Consultation \(record.start.id)"
      if let treatedAt = record.treatedAt { details += ", treated \(record.timeZone.format(treatedAt))" }
      details += "."
      lines += [
        "BEGIN:VEVENT",
        "UID:\(record.start.id)-\(index + 1)@mesoflow",
        "DTSTAMP:\(ICSText.utcStamp(stamp))",
        "DTSTART;VALUE=DATE:\(ICSText.compact(date))",
        "DTEND;VALUE=DATE:\(ICSText.compact(ICSText.nextDay(date)))",
        "SUMMARY:" + ICSText.escape("\(title): \(what)" + (areas.isEmpty ? "" : " (\(areas))")),
        "DESCRIPTION:" + ICSText.escape(details),
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
      ]
    }
    lines.append("END:VCALENDAR")
    return lines.map(ICSText.fold).joined(separator: "\r\n") + "\r\n"
  }
}

/// The parts of RFC 5545 the calendar needs: TEXT escaping, line folding,
/// and dates and times in its basic format.
enum ICSText {
  /// TEXT escaping (RFC 5545 3.3.11): `\`, `;` and `,` get a backslash, a
  /// line break (LF or CRLF) becomes `\n`, and a lone carriage return is
  /// dropped.
  static func escape(_ text: String) -> String {
    var out = ""
    for character in text {
      switch character {
      case "\\": out += "\\\\"
      case ";": out += "\\;"
      case ",": out += "\\,"
      // CRLF is one Character, equal to neither "\n" nor "\r".
      case "\n", "\r\n": out += "\\n"
      case "\r": continue
      default: out.append(character)
      }
    }
    return out
  }

  /// Folds a content line at 75 octets, never inside a UTF-8 sequence (RFC
  /// 5545 3.1): each continuation starts with CRLF and one space, which
  /// counts towards its 75.
  static func fold(_ line: String) -> String {
    var out = ""
    var octets = 0
    for scalar in line.unicodeScalars {
      let width = String(scalar).utf8.count
      if octets + width > 75 {
        out += "\r\n "
        octets = 1
      }
      out.unicodeScalars.append(scalar)
      octets += width
    }
    return out
  }

  /// `20261121`, from `2026-11-21`.
  static func compact(_ date: CalendarDate) -> String { date.description.filter { $0 != "-" } }

  static func nextDay(_ date: CalendarDate) -> CalendarDate {
    CalendarDate(daysSinceEpoch: date.daysSinceEpoch + 1) ?? date
  }

  /// `20261121T093000Z`, from `2026-11-21T09:30:00.000Z`.
  static func utcStamp(_ time: Timestamp) -> String {
    time.description.prefix(19).filter { $0 != "-" && $0 != ":" } + "Z"
  }
}

/// How the documents name a follow-up appointment and the areas it is for.
enum FollowUpWording {
  /// `session 2 of 4`, `maintenance session, then every 12w`, `safety
  /// review: REASON`: document structure; the reason is the definition's.
  static func kind(_ kind: FollowUpAppointment.Kind) -> String {
    switch kind {
    case .session(let number, let total): return "session \(number) of \(total)"
    case .maintenance(let every): return "maintenance session, then every \(every)"
    case .review(let reason): return "safety review" + (reason.map { ": \($0)" } ?? "")
    }
  }

  /// The areas' titles, comma-separated; an id no chosen area has, as it is.
  static func areaTitles(_ ids: [String], _ workflow: MergedWorkflow) -> String {
    ids.map { id in workflow.areas.first { $0.id == id }?.title ?? id }.joined(separator: ", ")
  }
}
