import Foundation
import Mesoflow
import Testing

/// Checks that span files, and bounds on hostile definitions.
struct CatalogTests {
  static let workflow = """
    workflow: demo
    title: Demo
    version: 1
    procedure: treat
    ingredients:
      - id: base
    outcomes:
      completed: { title: Completed }
      deferred: { title: Deferred }
      referred: { title: Referred }
    stages:
      - id: treat
        steps:
          - id: age
            ask: Age?
            type: integer
        end: completed

    """

  static func plugin(_ id: String, step: String, type: String = "yes-no", extra: String = "") -> String {
    """
    plugin: \(id)
    title: \(id)
    workflow: demo
    version: 1
    procedure: { duration: 10m }
    \(extra)stages:
      treat:
        steps:
          - id: \(step)
            ask: Question?
            type: \(type)

    """
  }

  func diagnostics(_ files: [(String, String)], extra: [(String, String)] = []) -> [String] {
    Catalog(
      sources: files.map { SourceText(name: $0.0, text: $0.1) },
      extraWorkflows: extra.map { SourceText(name: $0.0, text: $0.1) }
    ).diagnostics.map(\.description)
  }

  @Test func twoPluginsOfOneWorkflowMayNotShareAStepID() {
    let result = diagnostics([
      ("w.yaml", Self.workflow), ("p.yaml", Self.plugin("p", step: "b")),
      ("q.yaml", Self.plugin("q", step: "b", type: "integer")),
    ])
    #expect(
      result == [
        "q.yaml:9:9: error: step id 'b' is already a step of plugin 'p' (p.yaml:9:9); the plugins of workflow 'demo' may be chosen together, so their ids must differ"
      ])
  }

  @Test func aPluginStepIDGivenTwiceIsReadAsItsLastDefinitionAndAWorkflowStepAsTheWorkflows() {
    // Expressions see the last of two plugin steps with one id (a yes-no
    // here), as in a workflow; a plugin step reusing a workflow step's id is
    // seen as the workflow's (an integer).
    let plugin = """
      plugin: p
      title: P
      workflow: demo
      version: 1
      procedure: { duration: 10m }
      stages:
        treat:
          steps:
            - { id: zz, ask: Number?, type: integer }
            - { id: zz, ask: Yes?, type: yes-no }
            - { id: age, ask: Flag?, type: yes-no }
          checks:
            - { id: big, when: zz > 3, outcome: warn, reason: Big }
            - { id: old, when: age > 3, outcome: warn, reason: Old }

      """
    #expect(
      diagnostics([("w.yaml", Self.workflow), ("p.yaml", plugin)]) == [
        "p.yaml:10:15: error: duplicate step id 'zz' (first defined at 9:15)",
        "p.yaml:11:15: error: step id 'age' is already a step of workflow 'demo'; choose another id",
        "p.yaml:13:31: error: cannot compare bool with number",
      ])
  }

  @Test func aWorkflowOfferedTwiceUnderOneNameIsReadOnce() {
    let plugin = Self.plugin("p", step: "b")
    let catalog = Catalog(
      sources: [SourceText(name: "p.yaml", text: plugin)],
      extraWorkflows: [
        SourceText(name: "w.yaml", text: Self.workflow), SourceText(name: "w.yaml", text: Self.workflow),
      ])
    #expect(catalog.diagnostics.isEmpty)
    #expect(catalog.sourceNames == ["p.yaml", "w.yaml"])
    #expect(catalog.plugins.keys.sorted() == ["p"])
  }

  @Test func aPluginIngredientMayNotReuseAWorkflowIngredientID() {
    let result = diagnostics([
      ("w.yaml", Self.workflow), ("p.yaml", Self.plugin("p", step: "b", extra: "ingredients: [{ id: base }]\n")),
    ])
    #expect(
      result == [
        "p.yaml:6:21: error: ingredient id 'base' is already an ingredient of workflow 'demo'; use the workflow's, or choose another id"
      ])
  }

  @Test func stepIDsMustBeNamesExpressionsCanRead() {
    for (id, problem) in [
      ("true", "is a word of the expression language; choose another id"),
      (
        "dose-2", "cannot be read in an expression, where '-' must be followed by a letter (or it means minus); use '_'"
      ),
      ("done-", "cannot be read in an expression, where '-' must be followed by a letter (or it means minus); use '_'"),
    ] {
      let text = Self.workflow.replacingOccurrences(of: "id: age", with: "id: \(id)")
      #expect(diagnostics([("w.yaml", text)]) == ["w.yaml:14:13: error: step id '\(id)' \(problem)"])
    }
    let fine = Self.workflow.replacingOccurrences(of: "id: age", with: "id: fish-allergy")
    #expect(diagnostics([("w.yaml", fine)]) == [])
  }

  @Test func durationsBeyondACenturyAreRefused() {
    let text = Self.workflow.replacingOccurrences(
      of: "  - id: treat\n", with: "  - id: treat\n    duration: 15000000000000w\n")
    #expect(
      diagnostics([("w.yaml", text)]) == [
        "w.yaml:13:15: error: '15000000000000w' is longer than 5218w; check the numbers and the units"
      ])
  }

  @Test func anEmptyBranchListSaysWhatToWrite() {
    let text = Self.workflow.replacingOccurrences(of: "end: completed", with: "next: []")
    #expect(
      diagnostics([("w.yaml", text)]) == [
        "w.yaml:17:11: error: 'next' needs at least one branch; to end the consultation here, use 'end'"
      ])
  }

  @Test func pluginsAmongTheWorkflowsSearchedAreIgnored() {
    let result = diagnostics(
      [("Plugins/p.yaml", Self.plugin("p", step: "b"))],
      extra: [("Workflows/w.yaml", Self.workflow), ("Workflows/q.yaml", Self.plugin("q", step: "c"))])
    #expect(result == [])
  }

  @Test func aFileWithThousandsOfErrorsStopsAtTwoHundred() {
    let text = Self.workflow + String(repeating: "  - x\n", count: 5_000)
    let result = diagnostics([("w.yaml", text)])
    #expect(result.count == 201)
    #expect(
      result.last?.hasSuffix("warning: too many errors in this file; the rest are not shown (fix these first)") == true)
  }

  @Test func longUnknownNamesGetNoSuggestionAndNoDelay() {
    let long = String(repeating: "b", count: 20_000)
    let text = Self.workflow.replacingOccurrences(of: "procedure: treat", with: "procedure: \(long)")
    #expect(diagnostics([("w.yaml", text)]) == ["w.yaml:4:12: error: unknown stage '\(long)'"])
  }

  @Test func aTabAfterNonASCIITextIsStillNamed() {
    let text = "workflow: demo\ntitle: Démo\nstages:\n\t- x\n"
    #expect(
      diagnostics([("w.yaml", text)]) == [
        "w.yaml:4:1: error: invalid YAML: a tab cannot indent YAML; indent with spaces"
      ])
  }

  /// Found while fuzzing the definitions (Tests/Fuzz): an expression's
  /// location was worked out by decoding up to 64 KiB of the file after it,
  /// for every step it reads, which made the analysis spend most of its time
  /// there; and a line inside it ended only at an LF.
  @Test func anExpressionErrorOnItsSecondLineIsFoundWhateverEndsTheFirst() {
    for lineBreak in ["\n", "\r\n", "\r", "\u{85}", "\u{2028}", "\u{2029}"] {
      let text = Self.workflow.replacingOccurrences(
        of: "    end: completed",
        with: """
              checks:
                - id: old
                  when: "age > 1 and\(lineBreak)        agee > 2"
                  outcome: warn
                  reason: Old.
              end: completed
          """)
      // YAML folds a line break in a quoted scalar to a space, except the
      // two separators, which the expression then refuses where they stand.
      let expected =
        lineBreak == "\u{2028}" || lineBreak == "\u{2029}"
        ? "w.yaml:19:27: error: unexpected character '\(lineBreak)'"
        : "w.yaml:20:9: error: unknown step 'agee' (did you mean 'age'?)"
      #expect(
        diagnostics([("w.yaml", text)]) == [expected],
        "after U+\(String(lineBreak.unicodeScalars.first?.value ?? 0, radix: 16))")
    }
  }
}
