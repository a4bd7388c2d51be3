import Mesoflow
import MesoflowConformance
import Testing

/// A plugin written in Swift: a neck area with a native check.
struct NeckPlugin: AreaPlugin {
  var id = "neck"
  var title = "Neck"
  var workflow = "mesotherapy"
  var stages: [StageExtension] = [
    StageExtension(
      stage: "screening",
      steps: [
        Step(id: "neck_thyroid_nodule", prompt: "Does the patient have a thyroid nodule or goitre?", answer: .yesNo),
        Step(
          id: "neck_platysma_bands", prompt: "How many platysmal bands are visible?",
          answer: .integer(NumberBounds(min: 0, max: 6))),
      ],
      checks: [
        Check(
          id: "neck_thyroid_refer",
          when: .native("a thyroid nodule or goitre", reading: ["neck_thyroid_nodule"]) { context in
            guard case .bool(let nodule)? = context.answer("neck_thyroid_nodule") else { return nil }
            return nodule
          },
          outcome: .refer, reason: "A thyroid nodule needs a physician's assessment before neck injections.")
      ])
  ]
  var procedure = Procedure(duration: TimeRange(min: .minutes(10), max: .minutes(20)))
  var limits = Limits(maxVolumeMillilitres: 3, maxVolumePerPointMillilitres: 0.1, maxPoints: 60)
  var aftercare = [AftercareItem(id: "neck_no_high_collars", text: "No tight or high collars.", for: .days(2))]
}

struct PluginTests {
  // swift-format-ignore: NeverForceUnwrap
  var workflow: Workflow { Fixture.shipped.workflows["mesotherapy"]! }
  var shippedPlugins: [any AreaPlugin] { Fixture.shipped.plugins.values.sorted { $0.id < $1.id } }

  @Test func aSwiftPluginRegistersMergesAndRunsBesideYAMLOnes() throws {
    var registry = PluginRegistry(catalog: Fixture.shipped)
    try registry.register(NeckPlugin())
    #expect(registry.areas(of: "mesotherapy") == ["body", "eye", "face", "neck", "scalp"])
    let merged = try registry.merged(workflow: "mesotherapy", areas: ["neck", "face"])
    #expect(merged.areas.map(\.id) == ["face", "neck"])
    let screening = try #require(merged.stages.first { $0.id == "screening" })
    // The workflow's steps first, then each area's in id order.
    let origins = screening.steps.map(\.origin.description)
    #expect(origins.firstIndex(of: "face") ?? 0 < origins.firstIndex(of: "neck") ?? 0 || !origins.contains("face"))
    #expect(origins.last == "neck")

    let clock = ManualClock(Fixture.morning)
    var consultation = try Consultation(id: "neck-1", workflow: merged, staff: Fixture.nurse, clock: clock)
    let outcome = try Script(overrides: ["neck_thyroid_nodule": .yesNo(true)], physicianApproves: false)
      .run(&consultation, clock: clock)
    #expect(outcome == .referred)
    #expect(consultation.state.endedBy == "neck_thyroid_refer")
  }

  @Test func theRegistryRefusesAnInvalidPluginAndSaysWhy() throws {
    var registry = PluginRegistry(catalog: Fixture.shipped)
    var broken = NeckPlugin()
    broken.stages[0] = StageExtension(
      stage: "screenin",
      steps: [Step(id: "age", prompt: "Age again?", answer: .yesNo)],
      checks: [
        Check(
          id: "neck_check", when: .expression(try Expression.parse("neck_unknown == 1")), outcome: .stop, reason: "x")
      ])
    let error = #expect(throws: PluginError.self) { try registry.register(broken) }
    #expect(
      error?.problems == [
        "adds to unknown stage 'screenin' (did you mean 'screening'?)",
        "step 'age' is already a step of the workflow",
        "the condition of check 'neck_check' 'neck_unknown == 1': unknown step 'neck_unknown' (at character 1)",
      ])
    #expect(registry.plugins["neck"] == nil)
    try registry.register(NeckPlugin())
    let twice = #expect(throws: PluginError.self) { try registry.register(NeckPlugin()) }
    #expect(twice?.problems == ["an area with id 'neck' is already registered"])
  }

  @Test func theShippedPluginsConform() throws {
    for plugin in shippedPlugins {
      let others = shippedPlugins.filter { $0.id != plugin.id }
      let report = PluginConformance.check(plugin, workflow: workflow, alongside: others)
      #expect(report.passed, "\(report)")
    }
  }

  @Test func aSwiftPluginConforms() {
    let report = PluginConformance.check(NeckPlugin(), workflow: workflow, alongside: shippedPlugins)
    #expect(report.passed, "\(report)")
  }

  @Test func theKitFindsAPluginThatFiresUnaskedOrStopsEveryone() throws {
    var loud = NeckPlugin()
    loud.stages[0].checks.append(
      Check(
        id: "neck_always", when: .native("always", reading: ["neck_thyroid_nodule"]) { _ in true }, outcome: .stop,
        reason: "Never treat the neck."))
    let report = PluginConformance.check(loud, workflow: workflow)
    #expect(report.failures.map(\.rule) == ["quiet", "completes"])
    #expect(
      report.failures.last?.message == "no answer to step 'neck_thyroid_nodule' is both accepted and free of a stop")
  }

  @Test func theKitFindsAnInvalidPlugin() {
    var invalid = NeckPlugin()
    invalid.limits = Limits(maxVolumeMillilitres: 0)
    invalid.aftercare.append(AftercareItem(id: "neck_no_high_collars", text: " "))
    let report = PluginConformance.check(invalid, workflow: workflow)
    #expect(report.failures.map(\.rule) == ["valid", "valid", "valid"])
    #expect(
      report.failures.map(\.message) == [
        "the volume limit must be more than 0 ml", "aftercare item 'neck_no_high_collars' is defined twice",
        "aftercare item 'neck_no_high_collars' has no text",
      ])
    var points = NeckPlugin()
    points.stages[0].steps.append(
      Step(id: "neck_points", prompt: "Points?", answer: .decimal(NumberBounds(min: 0)), countsInjectionPoints: true))
    #expect(
      PluginConformance.check(points, workflow: workflow).failures.map(\.message) == [
        "step 'neck_points' counts injection points but is a decimal step; only an integer step can"
      ])
  }

  @Test func aSwiftWorkflowAndPluginNeedNoYAML() throws {
    let workflow = Workflow(
      id: "patch_test", title: "Patch test", start: "screening", procedureStage: "apply",
      stages: [
        Stage(
          id: "screening", title: "Screening",
          steps: [Step(id: "allergic", prompt: "Known allergy to the product?", answer: .yesNo)],
          checks: [
            Check(
              id: "allergy", when: .expression(try Expression.parse("allergic")), outcome: .stop, reason: "Allergic.")
          ],
          transition: .branches([Branch(to: "apply")])),
        Stage(
          id: "apply", title: "Apply",
          steps: [Step(id: "applied", prompt: "Patch applied?", answer: .yesNo)],
          transition: .end(.completed, at: SourceLocation(file: #fileID, line: #line, column: 1))),
      ])
    var registry = PluginRegistry(workflows: [workflow])
    try registry.register(PatchPlugin())
    let merged = try registry.merged(workflow: "patch_test", areas: ["forearm"])
    let clock = ManualClock(Fixture.morning)
    var consultation = try Consultation(id: "p-1", workflow: merged, staff: Fixture.nurse, clock: clock)
    try consultation.answer("allergic", .yesNo(false))
    try consultation.answer("applied", .yesNo(true))
    #expect(consultation.state.outcome == .completed)
    #expect(consultation.record.aftercare.map(\.id) == ["forearm_keep_dry"])
  }
}

struct PatchPlugin: AreaPlugin {
  let id = "forearm"
  let title = "Forearm"
  let workflow = "patch_test"
  let stages: [StageExtension] = []
  let procedure = Procedure(duration: TimeRange(exactly: .minutes(2)))
  let aftercare = [AftercareItem(id: "forearm_keep_dry", text: "Keep the patch dry.", for: .days(2))]
}
