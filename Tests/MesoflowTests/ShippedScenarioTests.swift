import Foundation
import Mesoflow
import MesoflowYAML
import Testing

/// The scenarios shipped beside the definitions: they all pass, and together
/// they cover every contraindication and a complete course of every area.
@Suite struct ShippedScenarioTests {
  static let folders = ["Workflows/tests", "Plugins/tests"]

  static func files() throws -> [ScenarioFile] {
    var files: [ScenarioFile] = []
    for folder in folders {
      let url = ShippedDefinitionTests.root.appendingPathComponent(folder)
      guard let walker = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil) else { continue }
      let paths = walker.compactMap { ($0 as? URL)?.path }.filter { $0.hasSuffix(".yaml") }.sorted()
      for path in paths {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        files.append(ScenarioFile(source: SourceText(name: path, text: text)))
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
}
