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
        files.append(ScenarioFile(source: source) { included in text(included).map { SourceText(name: included, text: $0) } })
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

  @Test func everyStopAndReferralOfTheShippedContentIsExpectedToFireSomewhere() throws {
    let scenarios = try Self.files().flatMap(\.scenarios)
    let expected = Set(scenarios.flatMap { $0.expect.fired ?? [] })
    let all = try Fixture.merged(Fixture.shipped.plugins.keys.sorted())
    let contraindications = all.stages.flatMap(\.checks).map(\.check).filter { $0.outcome == .stop || $0.outcome == .refer }
    #expect(contraindications.count > 20)
    let missing = contraindications.map(\.id).filter { !expected.contains($0) }
    #expect(missing.isEmpty, "no shipped scenario expects these to fire: \(missing)")
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
    #expect(Set(scenarios.compactMap(\.patient)) == ["adult-body", "adult-eye", "adult-face", "adult-face-and-eye", "adult-scalp"])
    #expect(files.filter(\.holdsOnlyPatients).count == 5)
    // The face's scenarios take the workflow's answers from its file, by way of the face's.
    let face = try #require(files.first { $0.name.hasSuffix("Plugins/tests/face/allergies.yaml") })
    #expect(
      face.sources.keys.map { $0.replacingOccurrences(of: ShippedDefinitionTests.root.path + "/", with: "") }.sorted() == [
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
      contentsOf: ShippedDefinitionTests.root.appendingPathComponent("Plugins/tests/face/patients.yaml"), encoding: .utf8)
    let answered = original.replacingOccurrences(
      of: "      face_concerns: [fine_lines]\n", with: "      face_concerns: [fine_lines]\n      face_isotretinoin: no\n")
    let added = answered.split(separator: "\n").filter { !original.split(separator: "\n").contains($0) }
    #expect(added == ["      face_isotretinoin: no"])
    let files = try Self.files(editing: ["Plugins/tests/face/patients.yaml": { _ in answered }])
    let scenarios = files.flatMap(\.scenarios)
    #expect(scenarios.count == shipped.count)
    for file in files { #expect(file.diagnostics.isEmpty, "\(file.name): \(file.diagnostics)") }
    for scenario in scenarios {
      let result = scenario.run(in: catalog)
      #expect(result.passed, "\(scenario.name): \(result.unanswered?.description ?? "") \(result.mismatches) \(result.diagnostics)")
    }
  }
}
