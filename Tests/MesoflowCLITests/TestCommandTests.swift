import Foundation
import Testing

/// `mesoflow test`, run as a clinic lead would.
extension CLITests {
  @Test func theShippedScenariosAllPass() throws {
    let result = try run(["test"])
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(result.stderr == "")
    let last = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
    #expect(last.hasSuffix(" passed, 0 failed"), "\(last)")
    let passed = Int(last.split(separator: " ").first ?? "") ?? 0
    #expect(passed >= 50)
    #expect(result.stdout.contains("Workflows/tests/screening.yaml\n"))
    #expect(result.stdout.contains("Plugins/tests/face/"))
  }

  @Test func aFailingScenarioShowsExpectedAgainstActualAndExitsOne() throws {
    let directory = try scratchCopy()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("minor.yaml")
    try """
      areas: [face]
      scenarios:
        - name: An adult is deferred, says this wrong scenario
          answers: { age: 34 }
          expect:
            outcome: deferred
            fired: [under_18]
        - name: A minor is deferred
          answers: { age: 16 }
          expect:
            outcome: deferred
      """.write(to: file, atomically: true, encoding: .utf8)
    let result = try run(["test", "minor.yaml"], in: directory)
    #expect(result.status == 1)
    #expect(
      result.stdout == """
        minor.yaml
          FAIL  An adult is deferred, says this wrong scenario (minor.yaml:3:5)
                minor.yaml:6:16
                - outcome: deferred
                + outcome: paused at step goals
                minor.yaml:7:14
                - fired: under_18
                + fired: missing under_18 (fired: none)
          ok    A minor is deferred
        1 passed, 1 failed

        """)
  }

  @Test func aScenarioFileWithErrorsIsReportedAtTheirLocationAndFails() throws {
    let directory = try scratchCopy()
    defer { try? FileManager.default.removeItem(at: directory) }
    try "areas: [face]\nscenarios:\n  - name: typo\n    answers: { age: 34 }\n    expect: { outcom: completed }\n"
      .write(to: directory.appendingPathComponent("typo.yaml"), atomically: true, encoding: .utf8)
    try "areas: [face]\nscenarios:\n  - name: unknown step\n    answers: { agee: 34 }\n    expect: { outcome: paused }\n"
      .write(to: directory.appendingPathComponent("unknown.yaml"), atomically: true, encoding: .utf8)
    let result = try run(["test", "typo.yaml", "unknown.yaml"], in: directory)
    #expect(result.status == 1)
    #expect(result.stderr == "")
    #expect(
      result.stdout.hasPrefix(
        """
        typo.yaml
          FAIL  the file has errors; none of its scenarios ran
                typo.yaml:5:15: error: unknown key 'outcom' in 'expect' (did you mean 'outcome'?)
                    expect: { outcom: completed }
                              ^

        """))
    #expect(result.stdout.contains("unknown.yaml:4:16: error: no step or check 'agee' in this consultation (did you mean 'age'?)"))
    #expect(result.stdout.hasSuffix("0 passed, 2 failed\n"))
  }

  @Test func withoutScenarioFilesTheCommandSaysWhereItLooked() throws {
    let directory = try scratchCopy()
    defer { try? FileManager.default.removeItem(at: directory) }
    try FileManager.default.removeItem(at: directory.appendingPathComponent("Workflows/tests"))
    try FileManager.default.removeItem(at: directory.appendingPathComponent("Plugins/tests"))
    let result = try run(["test"], in: directory)
    #expect(result.status == 64)
    #expect(result.stderr.contains("no scenario files (.yaml, .yml) in Workflows/tests or Plugins/tests"))
    let missing = try run(["test", "nosuch.yaml"], in: directory)
    #expect(missing.status == 64)
    #expect(missing.stderr.contains("no scenario file or folder 'nosuch.yaml'"))
  }
}
