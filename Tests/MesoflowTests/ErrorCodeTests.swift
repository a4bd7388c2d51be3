import Foundation
import Mesoflow
import Testing

/// Each failure gives the code a program tells it apart by, and the codes
/// are values that compare with `==`, so that a new one never breaks a
/// `switch` in an integrator's code.
struct ErrorCodeTests {
  // swift-format-ignore: NeverForceUnwrap
  var workflow: Workflow { Fixture.shipped.workflows["mesotherapy"]! }

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
      "wrongType", "outOfRange", "invalidAnswer", "limitExceeded", "notCurrent", "unknown", "notAnswered",
      "notOptional",
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

  // MARK: - Catalog errors

  @Test func anUnknownWorkflowIsOne() {
    let error = #expect(throws: CatalogError.self) { try Fixture.shipped.merged(workflow: "meso", areas: []) }
    #expect(error?.code == .unknownWorkflow)
  }

  @Test func anUnknownAreaIsOne() {
    let error = #expect(throws: CatalogError.self) {
      try Fixture.shipped.merged(workflow: "mesotherapy", areas: ["fase"])
    }
    #expect(error?.code == .unknownArea)
  }

  @Test func anAreaOfAnotherWorkflowIsTheWrongWorkflow() throws {
    var other = workflow
    other.id = "other"
    var registry = PluginRegistry(workflows: [workflow, other])
    try registry.register(NeckPlugin())
    let error = #expect(throws: CatalogError.self) { try registry.merged(workflow: "other", areas: ["neck"]) }
    #expect(error?.code == .wrongWorkflow)
    #expect(error?.message == "area 'neck' extends workflow 'mesotherapy', not 'other'")
  }

  @Test func catalogCodesAreNamedAsTheirMembersAreSpelt() {
    let codes: [CatalogError.Code] = [.unknownWorkflow, .unknownArea, .wrongWorkflow]
    #expect(codes.map(\.description) == ["unknownWorkflow", "unknownArea", "wrongWorkflow"])
    #expect(Set(codes).count == codes.count)
  }

  // MARK: - Plugin errors

  @Test func aPluginThatBreaksTheRulesIsInvalid() {
    var registry = PluginRegistry(catalog: Fixture.shipped)
    var broken = NeckPlugin()
    broken.stages[0].stage = "screenin"
    let error = #expect(throws: PluginError.self) { try registry.register(broken) }
    #expect(error?.code == .invalid)
  }

  @Test func aSecondPluginOfTheSameAreaIsAlreadyRegistered() throws {
    var registry = PluginRegistry(catalog: Fixture.shipped)
    try registry.register(NeckPlugin())
    let error = #expect(throws: PluginError.self) { try registry.register(NeckPlugin()) }
    #expect(error?.code == .alreadyRegistered)
  }

  @Test func aPluginOfAWorkflowTheRegistryLacksIsOfAnUnknownWorkflow() {
    var registry = PluginRegistry(catalog: Fixture.shipped)
    var stray = NeckPlugin()
    stray.workflow = "mesotherapie"
    let error = #expect(throws: PluginError.self) { try registry.register(stray) }
    #expect(error?.code == .unknownWorkflow)
    #expect(error?.problems == ["extends unknown workflow 'mesotherapie' (did you mean 'mesotherapy'?)"])
  }

  @Test func aPluginErrorMadeWithoutACodeIsInvalid() {
    let codes: [PluginError.Code] = [.invalid, .alreadyRegistered, .unknownWorkflow]
    #expect(codes.map(\.description) == ["invalid", "alreadyRegistered", "unknownWorkflow"])
    #expect(PluginError(plugin: "neck", problems: ["x"]).code == .invalid)
  }
}
