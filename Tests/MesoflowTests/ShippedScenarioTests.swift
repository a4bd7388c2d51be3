import Foundation
import Mesoflow
import MesoflowYAML
import Testing

/// The scenarios shipped beside the definitions: they all pass, and together
/// they cover every contraindication and a complete course of every area.
@Suite struct ShippedScenarioTests {
  static let folders = ["Workflows/tests", "Plugins/tests"]

  /// Every shipped scenario file (and file of patients), each file's text
  /// first changed by the edit for the end of its path, if any.
  static func files(editing edits: [String: (String) -> String] = [:]) throws -> [ScenarioFile] {
    func text(_ path: String) -> String? {
      guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
      return edits.first { path.hasSuffix("/" + $0.key) }.map { $0.value(text) } ?? text
    }
    var files: [ScenarioFile] = []
    for folder in folders {
      let url = ShippedDefinitionTests.root.appendingPathComponent(folder)
      guard let walker = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil) else { continue }
      let paths = walker.compactMap { ($0 as? URL)?.path }.filter { $0.hasSuffix(".yaml") }.sorted()
      for path in paths {
        let source = SourceText(name: path, text: try #require(text(path)))
        files.append(
          ScenarioFile(source: source) { included in text(included).map { SourceText(name: included, text: $0) } })
      }
    }
    return files
  }

  @Test func everyShippedScenarioReadsCleanAndPasses() throws {
    let files = try Self.files()
    #expect(files.count >= 5)
    for file in files {
      #expect(file.diagnostics.isEmpty, "\(file.name): \(file.diagnostics.map(\.description))")
      for scenario in file.scenarios {
        let result = scenario.run(in: Fixture.shipped)
        #expect(result.passed, "\(file.name): \(scenario.name): \(result.mismatches) \(result.diagnostics)")
      }
    }
  }

  /// What `mesoflow test` warns about, and more: each stop and refer check
  /// is fired by a scenario of its area (any, for the workflow's own), and
  /// one of them says it expects it to.
  @Test func everyStopAndReferralOfTheShippedContentIsExpectedToFireSomewhere() throws {
    let scenarios = try Self.files().flatMap(\.scenarios)
    let results = scenarios.map { $0.run(in: Fixture.shipped) }
    #expect(ScenarioCoverage.unexercisedChecks(in: Fixture.shipped, results: results).map(\.description) == [])
    let all = try Fixture.merged(Fixture.shipped.plugins.keys.sorted())
    let contraindications = all.stages.flatMap(\.checks).filter {
      $0.check.outcome == .stop || $0.check.outcome == .refer
    }
    #expect(contraindications.count > 20)
    var missing: [String] = []
    for (check, origin) in contraindications.map({ ($0.check, $0.origin) }) {
      let expecting = scenarios.filter {
        if case .area(let area) = origin, !$0.areas.contains(area) { return false }
        return $0.expect.fired?.contains(check.id) == true
      }
      if expecting.isEmpty { missing.append(check.id) }
    }
    #expect(missing.isEmpty, "no shipped scenario of its area expects these to fire: \(missing)")
  }

  @Test func aReferralNoScenarioFiresIsAWarningAtTheCheck() throws {
    let catalog = try ScenarioTests.shipped {
      $0.replacingOccurrences(of: "  screening:\n    checks:\n", with: ScenarioTests.isotretinoin)
    }
    let files = try Self.files(editing: [
      "Plugins/tests/face/patients.yaml": {
        $0.replacingOccurrences(
          of: "      face_concerns: [fine_lines]\n",
          with: "      face_concerns: [fine_lines]\n      face_isotretinoin: no\n")
      }
    ])
    let results = files.flatMap(\.scenarios).map { $0.run(in: catalog) }
    #expect(results.allSatisfy { $0.passed })
    let face = try String(
      contentsOf: ShippedDefinitionTests.root.appendingPathComponent("Plugins/face.yaml"), encoding: .utf8
    )
    .replacingOccurrences(of: "  screening:\n    checks:\n", with: ScenarioTests.isotretinoin)
    let line =
      (face.split(separator: "\n", omittingEmptySubsequences: false).firstIndex {
        $0.contains("- id: face_isotretinoin_refer")
      } ?? 0) + 1
    let warning =
      "Plugins/face.yaml:\(line):9: warning: refer check 'face_isotretinoin_refer' is never fired by any scenario; add one that fires it"
    let warnings = ScenarioCoverage.unexercisedChecks(in: catalog, results: results)
    #expect(warnings.map(\.description) == [warning])
    #expect(warnings.first?.severity == .warning)
    #expect(warnings.first?.sourceLine == "      - id: face_isotretinoin_refer")

    // Some files only: the areas they choose, and not the workflow's own checks.
    let eye = results.filter { $0.scenario.areas == ["eye"] }
    #expect(ScenarioCoverage.unexercisedChecks(in: catalog, results: eye, scope: .chosenAreas).isEmpty)
    let faceOnly = results.filter { $0.scenario.areas == ["face"] && $0.scenario.name.contains("salmon DNA") }
    #expect(!faceOnly.isEmpty)
    #expect(
      ScenarioCoverage.unexercisedChecks(in: catalog, results: faceOnly, scope: .chosenAreas).map(\.description) == [
        warning
      ])
    // All of them judged on the eye's scenarios alone: the workflow's and the other areas' too.
    let judged = ScenarioCoverage.unexercisedChecks(in: catalog, results: eye).map(\.description)
    #expect(judged.contains(warning))
    #expect(judged.contains { $0.contains("Workflows/mesotherapy.yaml:") && $0.contains("'cream_not_removed'") })
    #expect(judged.contains { $0.contains("Plugins/scalp.yaml:") })
    #expect(!judged.contains { $0.contains("Plugins/eye.yaml:") })
  }

  @Test func aFailingScenarioCountsForTheChecksItExpectsAndOneThatCannotRunForNone() throws {
    let catalog = try ScenarioTests.shipped {
      $0.replacingOccurrences(of: "  screening:\n    checks:\n", with: ScenarioTests.isotretinoin)
    }
    let file = ScenarioFile(
      source: SourceText(
        name: "s.yaml",
        text: """
          areas: [face]
          scenarios:
            - name: stops before the question, which it means to refer
              answers: { age: 34 }
              expect: { outcome: referred, fired: [face_isotretinoin_refer] }
            - name: cannot run
              areas: [elbow]
              expect: { fired: [face_isotretinoin_refer] }
          """))
    #expect(file.diagnostics.isEmpty)
    let results = file.scenarios.map { $0.run(in: catalog) }
    #expect(!results[0].passed && results[0].diagnostics.isEmpty)
    #expect(!results[1].diagnostics.isEmpty)
    let warned = { (results: [ScenarioResult]) in
      ScenarioCoverage.unexercisedChecks(in: catalog, results: results, scope: .chosenAreas).map(\.description)
        .filter { $0.contains("face_isotretinoin_refer") }
    }
    #expect(warned([results[0]]).isEmpty)
    #expect(warned([results[1]]).isEmpty)  // no area chosen that ran: nothing judged
    #expect(
      ScenarioCoverage.unexercisedChecks(in: catalog, results: [results[1]]).contains {
        $0.message.contains("face_isotretinoin_refer")
      })
  }

  @Test func everyAreaHasACompleteCourse() throws {
    let scenarios = try Self.files().flatMap(\.scenarios)
    for area in Fixture.shipped.plugins.keys.sorted() {
      let courses = scenarios.filter {
        $0.areas == [area] && $0.expect.outcome == .ended(.completed) && $0.expect.followUpSessions != nil
      }
      #expect(!courses.isEmpty, "no complete course with follow-up sessions for area \(area)")
    }
  }

  @Test func theShippedScenariosExtendOnePatientPerArea() throws {
    let files = try Self.files()
    let scenarios = files.flatMap(\.scenarios)
    #expect(scenarios.count == 103)
    #expect(scenarios.allSatisfy { $0.patient != nil })
    #expect(
      Set(scenarios.compactMap(\.patient)) == [
        "adult-body", "adult-eye", "adult-face", "adult-face-and-eye", "adult-scalp",
      ])
    #expect(files.filter(\.holdsOnlyPatients).count == 5)
    // The face's scenarios take the workflow's answers from its file, by way of the face's.
    let face = try #require(files.first { $0.name.hasSuffix("Plugins/tests/face/allergies.yaml") })
    #expect(
      face.sources.keys.map { $0.replacingOccurrences(of: ShippedDefinitionTests.root.path + "/", with: "") }.sorted()
        == [
          "Plugins/tests/face/allergies.yaml", "Plugins/tests/face/patients.yaml", "Workflows/tests/patients.yaml",
        ])
    #expect(face.patients["adult"]?.location.file.hasSuffix("/Workflows/tests/patients.yaml") == true)
  }

  /// The point of patients: a question added to a plugin needs one line in
  /// the area's patient, not one per scenario.
  @Test func aQuestionAddedToAPluginIsAnsweredByOneLineInItsPatient() throws {
    let catalog = try ScenarioTests.shipped {
      $0.replacingOccurrences(of: "  screening:\n    checks:\n", with: ScenarioTests.isotretinoin)
    }
    let shipped = try Self.files().flatMap(\.scenarios)
    // Without the answer, every scenario that reaches the question stops at
    // it, and says only that, naming the patient to give the answer to.
    let stopped = shipped.map { $0.run(in: catalog) }.filter { !$0.passed }
    #expect(stopped.count > 30)
    for result in stopped {
      #expect(result.unanswered?.step == "face_isotretinoin", "\(result.scenario.name): \(result.mismatches)")
      #expect(["adult-face", "adult-face-and-eye"].contains(result.unanswered?.patient ?? ""))
      #expect(result.mismatches.isEmpty, "\(result.scenario.name): \(result.mismatches)")
      #expect(result.diagnostics.isEmpty)
    }

    // One line added to the face's patient, and they all pass again.
    let original = try String(
      contentsOf: ShippedDefinitionTests.root.appendingPathComponent("Plugins/tests/face/patients.yaml"),
      encoding: .utf8)
    let answered = original.replacingOccurrences(
      of: "      face_concerns: [fine_lines]\n",
      with: "      face_concerns: [fine_lines]\n      face_isotretinoin: no\n")
    let added = answered.split(separator: "\n").filter { !original.split(separator: "\n").contains($0) }
    #expect(added == ["      face_isotretinoin: no"])
    let files = try Self.files(editing: ["Plugins/tests/face/patients.yaml": { _ in answered }])
    let scenarios = files.flatMap(\.scenarios)
    #expect(scenarios.count == shipped.count)
    for file in files { #expect(file.diagnostics.isEmpty, "\(file.name): \(file.diagnostics)") }
    for scenario in scenarios {
      let result = scenario.run(in: catalog)
      #expect(
        result.passed,
        "\(scenario.name): \(result.unanswered?.description ?? "") \(result.mismatches) \(result.diagnostics)")
    }
  }
}
