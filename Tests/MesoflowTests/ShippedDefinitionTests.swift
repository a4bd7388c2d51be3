import Foundation
import Mesoflow
import Testing

/// The shipped Workflows/ and Plugins/ are valid and encode DOMAIN.md's
/// screening table with the class it gives each contraindication.
struct ShippedDefinitionTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  static func shipped() -> Catalog {
    Catalog.load(paths: [root.appendingPathComponent("Workflows").path, root.appendingPathComponent("Plugins").path])
  }

  @Test func shippedDefinitionsValidateClean() throws {
    let catalog = Self.shipped()
    #expect(catalog.diagnostics.map(\.description) == [])
    #expect(catalog.workflows.keys.sorted() == ["mesotherapy"])
    #expect(catalog.plugins.keys.sorted() == ["body", "eye", "face", "scalp"])
  }

  @Test func theWorkflowHasSixStagesAndThreeOutcomes() throws {
    let workflow = try #require(Self.shipped().workflows["mesotherapy"])
    #expect(
      workflow.stages.map(\.id) == ["consultation", "screening", "anaesthetic", "injection", "aftercare", "follow_up"])
    #expect(Set(workflow.outcomes.keys) == Set(Outcome.allCases))
    #expect(workflow.procedureStage == "injection")
    guard case .end(.completed, _)? = workflow.stages.last?.transition else {
      Issue.record("the last stage does not end as completed")
      return
    }
  }

  /// A check in `merged` with `outcome` that reads `step`.
  func check(_ merged: MergedWorkflow, reading step: String, _ outcome: CheckOutcome) -> Check? {
    merged.stages.flatMap(\.checks).map(\.check).first {
      $0.outcome == outcome && $0.condition.inputs.contains(step)
    }
  }

  @Test(arguments: [
    ("age", CheckOutcome.stop),  // under 18
    ("pregnant_or_breastfeeding", .stop),
    ("area_infection_or_wound", .stop),
    ("active_herpes", .stop),
    ("bleeding_disorder", .stop),
    ("anticoagulants", .refer),
    ("ingredient_allergies", .exclude),
    ("chronic_disease_uncontrolled", .refer),
    ("diabetes", .stop),
    ("cancer", .stop),
    ("autoimmune_disease", .stop),
    ("weakened_immunity", .stop),
  ])
  func everyContraindicationIsEncodedWithItsClass(step: String, outcome: CheckOutcome) throws {
    let catalog = Self.shipped()
    for area in ["scalp", "face", "eye", "body"] {
      let merged = try catalog.merged(workflow: "mesotherapy", areas: [area])
      #expect(check(merged, reading: step, outcome) != nil, "\(area): no \(outcome) check reads \(step)")
    }
  }

  @Test func underEighteenStopsAtSeventeenNotAtEighteen() throws {
    let merged = try Self.shipped().merged(workflow: "mesotherapy", areas: [])
    let minor = try #require(check(merged, reading: "age", .stop))
    let today = CalendarDate(year: 2026, month: 11, day: 21)!
    #expect(minor.condition.evaluate(in: EvaluationContext(today: today, answers: ["age": .number(17)])) == true)
    #expect(minor.condition.evaluate(in: EvaluationContext(today: today, answers: ["age": .number(18)])) == false)
  }

  @Test func aFishAllergyExcludesSalmonDNAWhereTheFacePluginUsesIt() throws {
    let merged = try Self.shipped().merged(workflow: "mesotherapy", areas: ["face"])
    let exclude = try #require(check(merged, reading: "fish_allergy", .exclude))
    #expect(exclude.excludes.contains("salmon_dna"))
    #expect(merged.ingredients.contains { $0.ingredient.id == "salmon_dna" })
  }

  @Test func everyAreaHasItsOwnStepsDurationAftercareAndFollowUp() throws {
    let catalog = Self.shipped()
    for area in ["scalp", "face", "eye", "body"] {
      let plugin = try #require(catalog.plugins[area])
      #expect(!plugin.stages.flatMap(\.steps).isEmpty, "\(area) adds no steps")
      #expect(!plugin.stages.flatMap(\.checks).isEmpty, "\(area) adds no checks")
      #expect(plugin.procedure.duration.max > .zero)
      #expect(!plugin.aftercare.isEmpty, "\(area) has no aftercare")
      #expect(plugin.followUp != nil, "\(area) has no follow-up")
    }
  }

  @Test func theEngineSourcesNameNoTreatmentArea() throws {
    let sources = Self.root.appendingPathComponent("Sources")
    let enumerator = FileManager.default.enumerator(atPath: sources.path)
    var offenders: [String] = []
    while let path = enumerator?.nextObject() as? String {
      guard path.hasSuffix(".swift") else { continue }
      let text = try String(contentsOfFile: sources.appendingPathComponent(path).path, encoding: .utf8)
      for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
        let code = line.trimmingCharacters(in: .whitespaces)
        if code.hasPrefix("//") { continue }
        let words = code.lowercased().split { !$0.isLetter }
        if words.contains(where: { ["scalp", "face", "eye", "eyes", "body"].contains($0) }) {
          offenders.append("\(path):\(number + 1)")
        }
      }
    }
    #expect(offenders == [])
  }
}

struct MergedWorkflowTests {
  @Test func areasMergeInIdOrderAfterTheWorkflowAndDeduplicateAftercare() throws {
    let catalog = ShippedDefinitionTests.shipped()
    let one = try catalog.merged(workflow: "mesotherapy", areas: ["face", "eye", "face"])
    let other = try catalog.merged(workflow: "mesotherapy", areas: ["eye", "face"])
    #expect(one.areas.map(\.id) == ["eye", "face"])
    #expect(one.stages.map { $0.steps.map(\.step.id) } == other.stages.map { $0.steps.map(\.step.id) })
    let screening = try #require(one.stages.first { $0.id == "screening" })
    let origins = screening.steps.map(\.origin)
    let firstArea = try #require(origins.firstIndex { $0 != .workflow })
    #expect(origins[firstArea...].allSatisfy { $0 != .workflow })
    let ids = one.aftercare.map(\.item.id)
    #expect(ids.count == Set(ids).count)
  }

  @Test func theExpectedDurationAddsStagesProceduresAndWaits() throws {
    let catalog = ShippedDefinitionTests.shipped()
    let workflow = try #require(catalog.workflows["mesotherapy"])
    let face = try #require(catalog.plugins["face"])
    let merged = try catalog.merged(workflow: "mesotherapy", areas: ["face"])
    var expected = TimeRange.zero
    for stage in workflow.stages { expected = expected + (stage.duration ?? .zero) }
    for addition in face.stages { expected = expected + (addition.duration ?? .zero) }
    expected = expected + face.procedure.duration
    let longestWaits = merged.stages.map { $0.waits.map(\.wait.atLeast).max() ?? .zero }.reduce(.zero, +)
    #expect(merged.expectedDuration.min == expected.min)
    #expect(merged.expectedDuration.max == expected.max + longestWaits)
  }

  @Test func unknownWorkflowsAndAreasAreClearErrors() {
    let catalog = ShippedDefinitionTests.shipped()
    #expect(
      throws: CatalogError(.unknownArea, "unknown area 'fase' (did you mean 'face'?); areas: body, eye, face, scalp")
    ) {
      try catalog.merged(workflow: "mesotherapy", areas: ["fase"])
    }
    #expect(throws: CatalogError(.unknownWorkflow, "unknown workflow 'meso'; workflows: mesotherapy")) {
      try catalog.merged(workflow: "meso", areas: [])
    }
  }
}
