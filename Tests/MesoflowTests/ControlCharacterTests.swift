import Mesoflow
import Testing

/// A control character (a bell, an escape, the group separator a barcode
/// scanner adds to a lot number) is refused where it is typed: a record keeps
/// only tab and line breaks, and single-line fields not even those.
struct ControlCharacterTests {
  static let workflow = """
    workflow: w
    title: W
    version: 1
    start: a
    procedure: a
    outcomes:
      completed:
        title: Done
    stages:
      - id: a
        title: A
        steps:
          - { id: words, ask: Words?, type: text }
          - { id: signed, ask: Consent?, type: consent }
          - { id: product, ask: Product?, type: product }
        end: completed
    """

  static func start() throws -> Consultation {
    let catalog = Catalog(sources: [SourceText(name: "w.yaml", text: workflow)])
    #expect(catalog.diagnostics.map(\.description) == [])
    return try Consultation(
      id: "C-1", workflow: try catalog.merged(workflow: "w", areas: []), staff: Fixture.nurse,
      clock: ManualClock(Fixture.morning))
  }

  static func refusal(_ work: () throws(ConsultationError) -> Void) -> ConsultationError? {
    do throws(ConsultationError) {
      try work()
      return nil
    } catch {
      return error
    }
  }

  @Test(arguments: ["bell\u{07}", "escape\u{1B}[31m", "nul\u{00}", "delete\u{7F}"])
  func aTextAnswerWithAControlCharacterIsRefusedAndNothingIsRecorded(_ text: String) throws {
    var consultation = try Self.start()
    let events = consultation.events.count
    let error = try #require(
      Self.refusal { () throws(ConsultationError) in _ = try consultation.answer("words", .text(text)) })
    #expect(error.kind == .invalidAnswer)
    #expect(error.message.contains("control character U+00"))
    #expect(consultation.events.count == events)
  }

  @Test func tabsAndLineBreaksStayInATextAnswer() throws {
    var consultation = try Self.start()
    try consultation.answer("words", .text("one\ttwo\r\nthree\nfour"))
    #expect(consultation.state.answers["words"]?.answer == .text("one\ttwo\r\nthree\nfour"))
  }

  @Test func aLotNumberFromAScannerAndASignerOnTwoLinesAreRefused() throws {
    var consultation = try Self.start()
    try consultation.answer("words", .text("fine"))
    let signer = Self.refusal { () throws(ConsultationError) in
      _ = try consultation.answer("signed", .consent(Consent(signedBy: "Jane\nDoe", signedAt: Fixture.morning)))
    }
    #expect(signer?.message.contains("the signer's name holds the control character U+000A") == true)
    try consultation.answer("signed", .consent(Consent(signedBy: "Jane Doe", signedAt: Fixture.morning)))
    let expiry = try #require(CalendarDate(year: 2099, month: 1, day: 1))
    let lot = Self.refusal { () throws(ConsultationError) in
      _ = try consultation.answer("product", .product(Product(name: "Serum", lot: "A\u{1D}123", expiry: expiry)))
    }
    #expect(lot?.message.contains("the lot number holds the control character U+001D") == true)
    try consultation.answer("product", .product(Product(name: "Serum", lot: "A123", expiry: expiry)))
    #expect(consultation.state.outcome == .completed)
  }

  @Test func aNoteOrAReasonWithAControlCharacterIsRefused() throws {
    var consultation = try Self.start()
    let note = Self.refusal { () throws(ConsultationError) in try consultation.note("ring \u{07}") }
    #expect(note?.kind == .invalidAnswer)
    try consultation.note("two\nlines")
    #expect(consultation.state.notes.map(\.text) == ["two\nlines"])
  }
}
