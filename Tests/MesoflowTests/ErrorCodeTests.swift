import Foundation
import Mesoflow
import Testing

/// Each failure gives the code a program tells it apart by, and the codes
/// are values that compare with `==`, so that a new one never breaks a
/// `switch` in an integrator's code.
struct ErrorCodeTests {
  // MARK: - Consultation errors

  @Test func aRequiredStepCannotBeSkipped() throws {
    var consultation = try Fixture.start([])
    #expect(consultation.prompt.stepID == "age")
    let error = #expect(throws: ConsultationError.self) { try consultation.skip("age") }
    #expect(error?.kind == .notOptional)
    #expect(error?.subject == "age")
  }

  @Test func eachKindIsNamedAsItsMemberIsSpeltAndEncodesAsItsName() throws {
    let kinds: [ConsultationError.Kind] = [
      .wrongType, .outOfRange, .invalidAnswer, .limitExceeded, .notCurrent, .unknown, .notAnswered, .notOptional,
      .notAllowed, .reasonRequired, .waitNotOver, .ended, .invalidHistory,
    ]
    let names = [
      "wrongType", "outOfRange", "invalidAnswer", "limitExceeded", "notCurrent", "unknown", "notAnswered", "notOptional",
      "notAllowed", "reasonRequired", "waitNotOver", "ended", "invalidHistory",
    ]
    #expect(kinds.map(\.name) == names)
    #expect(kinds.map(\.description) == names)
    #expect(names.map { ConsultationError.Kind(name: $0) } == kinds)
    #expect(ConsultationError.Kind(name: "somethingNew") == nil)
    #expect(Set(kinds).count == kinds.count)

    let data = try JSONEncoder().encode(kinds)
    #expect(String(decoding: data, as: UTF8.self) == "[" + names.map { "\"\($0)\"" }.joined(separator: ",") + "]")
    #expect(try JSONDecoder().decode([ConsultationError.Kind].self, from: data) == kinds)
    #expect(throws: DecodingError.self) {
      try JSONDecoder().decode([ConsultationError.Kind].self, from: Data(#"["somethingNew"]"#.utf8))
    }
  }
}
