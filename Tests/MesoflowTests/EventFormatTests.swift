import Foundation
import Mesoflow
import Testing

/// The JSON form of events is what stores keep for years: these pin it, kind
/// by kind, as docs/STORE.md documents it.
struct EventFormatTests {
  static let at = Timestamp(millisecondsSinceEpoch: 1_795_251_600_000)
  static let nurse = Clinician(name: "Nurse Ada", role: .staff)

  static func json(_ kind: ConsultationEvent.Kind, actor: Clinician? = nil) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let event = ConsultationEvent(sequence: 7, time: at, actor: actor, kind: kind)
    let text = String(decoding: try encoder.encode(event), as: UTF8.self)
    let back = try JSONDecoder().decode(ConsultationEvent.self, from: Data(text.utf8))
    #expect(back == event, "\(text) does not decode to the event it came from")
    return text
  }

  static let prefix = #"{"sequence":7,"time":1795251600000,"#

  @Test func everyKindHasItsDocumentedForm() throws {
    let start = ConsultationStart(
      id: "c1", workflow: "mesotherapy", workflowVersion: 1, definitionHash: "ab12", areas: ["a1"], staff: Self.nurse,
      utcOffset: 3600, patient: "P-17")
    let cases: [(ConsultationEvent.Kind, String)] = [
      (
        .started(start),
        #""start":{"areas":["a1"],"definitionHash":"ab12","id":"c1","patient":"P-17","staff":{"name":"Nurse Ada","role":"staff"},"utcOffset":3600,"workflow":"mesotherapy","workflowVersion":1},"type":"started"}"#
      ),
      (.stageEntered(stage: "screening"), #""stage":"screening","type":"stage-entered"}"#),
      (.answered(step: "age", answer: .integer(34)), #""answer":{"integer":34},"step":"age","type":"answered"}"#),
      (.skipped(step: "mix"), #""step":"mix","type":"skipped"}"#),
      (.corrected(step: "age", answer: .integer(35)), #""answer":{"integer":35},"step":"age","type":"corrected"}"#),
      (.setAside(step: "details"), #""step":"details","type":"set-aside"}"#),
      (.checkFired(check: "under_18", outcome: .stop), #""check":"under_18","outcome":"stop","type":"check-fired"}"#),
      (.checkCleared(check: "under_18"), #""check":"under_18","type":"check-cleared"}"#),
      (.acknowledged(check: "w"), #""check":"w","type":"acknowledged"}"#),
      (.overridden(check: "r", reason: "Seen"), #""check":"r","reason":"Seen","type":"overridden"}"#),
      (
        .waitStarted(stage: "injection", until: Self.at),
        #""stage":"injection","type":"wait-started","until":1795251600000}"#
      ),
      (
        .waitOverridden(stage: "injection", reason: "Seen"),
        #""reason":"Seen","stage":"injection","type":"wait-overridden"}"#
      ),
      (.stageCompleted(stage: "screening"), #""stage":"screening","type":"stage-completed"}"#),
      (
        .ended(outcome: .deferred, check: "s", note: "n"),
        #""check":"s","note":"n","outcome":"deferred","type":"ended"}"#
      ),
      (.ended(outcome: .completed, check: nil, note: nil), #""outcome":"completed","type":"ended"}"#),
      (.noted(step: nil, text: "Hi"), #""text":"Hi","type":"noted"}"#),
      (.paused, #""type":"paused"}"#),
      (.resumed, #""type":"resumed"}"#),
    ]
    for (kind, tail) in cases {
      // Keys are written sorted; the comparison is of the JSON objects.
      let actual = try JSONSerialization.jsonObject(with: Data(try Self.json(kind).utf8)) as? NSDictionary
      let expected = try JSONSerialization.jsonObject(with: Data((Self.prefix + tail).utf8)) as? NSDictionary
      #expect(actual == expected, "\(kind)")
    }
    #expect(
      try Self.json(.resumed, actor: Self.nurse)
        == #"{"actor":{"name":"Nurse Ada","role":"staff"},"sequence":7,"time":1795251600000,"type":"resumed"}"#)
  }

  @Test func everyAnswerHasItsDocumentedForm() throws {
    let signed = Consent(signedBy: "Zoe", signedAt: Self.at)
    let product = Product(name: "Cocktail", lot: "L-1", expiry: CalendarDate(year: 2027, month: 3, day: 1)!)
    let cases: [(Answer, String)] = [
      (.yesNo(true), #"{"yes-no":true}"#),
      (.integer(3), #"{"integer":3}"#),
      (.decimal(2.5), #"{"decimal":2.5}"#),
      (.text("a/b"), #"{"text":"a/b"}"#),
      (.choice("iii"), #"{"choice":"iii"}"#),
      (.multipleChoice(["x", "y"]), #"{"multi-choice":["x","y"]}"#),
      (.date(CalendarDate(year: 2026, month: 12, day: 5)!), #"{"date":"2026-12-05"}"#),
      (.consent(signed), #"{"consent":{"signedAt":1795251600000,"signedBy":"Zoe"}}"#),
      (.product(product), #"{"product":{"expiry":"2027-03-01","lot":"L-1","name":"Cocktail"}}"#),
      (
        .volume([VolumeEntry(area: "a1", millilitres: 2, points: 40)]),
        #"{"volume":[{"area":"a1","millilitres":2,"points":40}]}"#
      ),
    ]
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    for (answer, expected) in cases {
      #expect(String(decoding: try encoder.encode(answer), as: UTF8.self) == expected)
      #expect(try JSONDecoder().decode(Answer.self, from: Data(expected.utf8)) == answer)
    }
  }

  @Test func unknownTypesAndAmbiguousAnswersAreRefused() {
    #expect(throws: DecodingError.self) {
      try JSONDecoder().decode(ConsultationEvent.self, from: Data(#"{"sequence":1,"time":0,"type":"exploded"}"#.utf8))
    }
    #expect(throws: DecodingError.self) {
      try JSONDecoder().decode(Answer.self, from: Data(#"{"integer":1,"text":"x"}"#.utf8))
    }
  }
}

/// Answers typed as text, as staff type them at the terminal.
struct AnswerInputTests {
  static func step(_ type: AnswerType, optional: Bool = false) -> Step {
    Step(id: "s", prompt: "?", answer: type, isOptional: optional)
  }

  static let now = Timestamp(millisecondsSinceEpoch: 1_795_251_600_000)
  static let options = [ChoiceOption(id: "i", label: "One"), ChoiceOption(id: "ii", label: "Two")]

  func parse(_ type: AnswerType, _ text: String) throws(ConsultationError) -> Answer {
    try Self.step(type).parseAnswer(text, now: Self.now)
  }

  @Test func eachTypeReadsItsTypedForm() throws {
    #expect(try parse(.yesNo, " Yes ") == .yesNo(true))
    #expect(try parse(.yesNo, "n") == .yesNo(false))
    #expect(try parse(.integer(NumberBounds()), "42") == .integer(42))
    #expect(try parse(.decimal(NumberBounds()), "2,5") == .decimal(2.5))
    #expect(try parse(.text(maxLength: nil), "  free text ") == .text("free text"))
    #expect(try parse(.choice(Self.options), "2") == .choice("ii"))
    #expect(try parse(.choice(Self.options), "I") == .choice("i"))
    #expect(try parse(.multipleChoice(Self.options), "ii, 1, ii") == .multipleChoice(["ii", "i"]))
    #expect(try parse(.multipleChoice(Self.options), "none") == .multipleChoice([]))
    #expect(try parse(.date(.any), "2026-12-05") == .date(CalendarDate(year: 2026, month: 12, day: 5)!))
    #expect(
      try parse(.consent(statement: nil), "Zoe Park") == .consent(Consent(signedBy: "Zoe Park", signedAt: Self.now)))
    #expect(
      try parse(.product, "Cocktail; L-1; 2027-03-01")
        == .product(Product(name: "Cocktail", lot: "L-1", expiry: CalendarDate(year: 2027, month: 3, day: 1)!)))
    #expect(try parse(.volume(max: nil), "2.5") == .volume([VolumeEntry(millilitres: 2.5)]))
    #expect(
      try parse(.volume(max: nil), "a1 2 ml over 40 points, a2 0.5ml")
        == .volume([VolumeEntry(area: "a1", millilitres: 2, points: 40), VolumeEntry(area: "a2", millilitres: 0.5)]))
  }

  @Test func badInputSaysWhatWasExpected() {
    #expect(throws: ConsultationError(.invalidAnswer, "s", "expected yes or no, not 'maybe'")) {
      try parse(.yesNo, "maybe")
    }
    #expect(throws: ConsultationError(.invalidAnswer, "s", "expected a whole number from 0 to 120 (years), not '3.5'"))
    {
      try parse(.integer(NumberBounds(min: 0, max: 120, unit: "years")), "3.5")
    }
    #expect(
      throws: ConsultationError(.invalidAnswer, "s", "'3' is not an option: give a number from 1 to 2 or one of i, ii")
    ) { try parse(.choice(Self.options), "3") }
    #expect(
      throws: ConsultationError(.invalidAnswer, "s", "the expiry 'soon' is not a date: expected YYYY-MM-DD")
    ) { try parse(.product, "Cocktail; L-1; soon") }
    #expect(throws: ConsultationError.self) { try parse(.volume(max: nil), "a lot") }
    #expect(throws: ConsultationError.self) { try parse(.text(maxLength: nil), "   ") }
  }
}
