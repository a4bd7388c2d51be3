import Mesoflow
import Testing

/// A small workflow built in Swift with one of everything the graph draws: a
/// branch, a stage id with a `-`, a wait (and one an area adds), stop, refer,
/// warn and exclude checks, a guarded and an optional step, an `end:`, and
/// titles with a quote, `<`, `>` and `#`.
enum GraphFixture {
  static func merged(areas: [String] = ["wrist"]) throws -> MergedWorkflow {
    let workflow = Workflow(
      id: "patch_test", title: "Patch test #2", start: "intake", procedureStage: "treat",
      stages: [
        Stage(
          id: "intake", title: "Intake \"first\" <visit>", duration: TimeRange(min: .minutes(5), max: .minutes(10)),
          steps: [
            Step(id: "age", prompt: "Age?", answer: .integer(NumberBounds(min: 0, max: 120))),
            Step(id: "allergic", prompt: "Allergic to lidocaine?", answer: .yesNo),
            Step(
              id: "allergy_details", prompt: "What happened?", answer: .text(maxLength: nil),
              when: try Expression.parse("allergic"), isOptional: true),
            Step(id: "notes", prompt: "Notes?", answer: .text(maxLength: nil), isOptional: true),
          ],
          checks: [
            Check(
              id: "minor", when: .expression(try Expression.parse("age < 18")), outcome: .stop, reason: "Too young."),
            Check(
              id: "allergy_refer", when: .expression(try Expression.parse("allergic")), outcome: .refer,
              reason: "A physician decides."),
            Check(
              id: "no_lidocaine", when: .expression(try Expression.parse("allergic")), outcome: .exclude,
              reason: "No lidocaine.", excludes: ["lidocaine"]),
            Check(
              id: "older", when: .expression(try Expression.parse("age > 80")), outcome: .warn, reason: "Go gently."),
          ],
          transition: .branches([
            Branch(to: "numb-first", when: try Expression.parse("age < 30 and not allergic")), Branch(to: "treat"),
          ])),
        Stage(
          id: "numb-first", title: "Numbing", duration: TimeRange(exactly: .minutes(5)),
          steps: [Step(id: "cream", prompt: "Cream applied?", answer: .yesNo)],
          transition: .branches([Branch(to: "treat")])),
        Stage(
          id: "treat", title: "Treatment", duration: TimeRange(min: .minutes(2), max: .minutes(5)),
          steps: [Step(id: "done", prompt: "Treated?", answer: .yesNo)],
          checks: [
            Check(
              id: "not_done", when: .expression(try Expression.parse("not done")), outcome: .stop, reason: "Untreated.")
          ],
          wait: Wait(since: "cream", atLeast: .minutes(30), when: try Expression.parse("cream == true")),
          transition: .end(.completed, at: SourceLocation(file: #fileID, line: #line, column: 1))),
      ],
      outcomes: [
        .completed: OutcomeDescription(title: "Completed"), .deferred: OutcomeDescription(title: "Deferred"),
        .referred: OutcomeDescription(title: "Sent to a physician"),
      ],
      ingredients: [Ingredient(id: "lidocaine", name: "Lidocaine")])
    var registry = PluginRegistry(workflows: [workflow])
    try registry.register(WristPlugin())
    return try registry.merged(workflow: "patch_test", areas: areas)
  }
}

/// An area that adds a step, a warning, a wait and procedure time.
struct WristPlugin: AreaPlugin {
  let id = "wrist"
  let title = "Wrist"
  let workflow = "patch_test"
  // swift-format-ignore: NeverForceUnwrap
  var stages: [StageExtension] {
    [
      StageExtension(
        stage: "treat",
        steps: [
          Step(id: "wrist_side", prompt: "Which side?", answer: .choice([ChoiceOption(id: "left", label: "Left")]))
        ],
        checks: [
          Check(
            id: "wrist_tattoo", when: .expression((try? Expression.parse("wrist_side == \"left\""))!), outcome: .warn,
            reason: "Mind the tattoo.")
        ],
        wait: Wait(since: "cream", atLeast: .hours(1), when: try? Expression.parse("cream")))
    ]
  }
  let procedure = Procedure(duration: TimeRange(min: .minutes(10), max: .minutes(20)))
}

struct GraphTests {
  @Test func mermaidDrawsEveryStageEdgeOutcomeAndWait() throws {
    let expected = ##"""
      %%{init: {"flowchart": {"wrappingWidth": 400}}}%%
      flowchart TD
        %% Patch test #2 (patch_test, version 1), areas: wrist
        start(("start"))
        stage_intake["Intake #quot;first#quot; #lt;visit#gt;<br/>intake · expected 5m to 10m<br/>steps#58;<br/>1. age<br/>2. allergic<br/>3. allergy_details (optional), when allergic<br/>4. notes (optional)<br/>warn#58; older<br/>exclude#58; no_lidocaine"]
        stage_numb_first["Numbing<br/>numb-first · expected 5m<br/>steps#58;<br/>1. cream"]
        stage_treat["Treatment<br/>(procedure stage)<br/>treat · expected 12m to 25m<br/>wait ≥ 30m since cream when cream == true<br/>wait ≥ 1h since cream when cream<br/>steps#58;<br/>1. done<br/>2. wrist_side<br/>warn#58; wrist_tattoo"]
        terminal_completed((("Completed")))
        terminal_deferred((("Deferred")))
        terminal_referred((("Sent to a physician<br/>(referred)")))
        start --> stage_intake
        stage_intake -->|"age #lt; 30 and not<br/>allergic"| stage_numb_first
        stage_intake -->|"otherwise"| stage_treat
        stage_intake -.->|"stop#58; minor"| terminal_deferred
        stage_intake -.->|"refer, not approved#58;<br/>allergy_refer"| terminal_referred
        stage_numb_first --> stage_treat
        stage_treat --> terminal_completed
        stage_treat -.->|"stop#58; not_done"| terminal_deferred
        classDef stage fill:#f6f8fa,stroke:#57606a,color:#1f2328
        classDef procedure fill:#fff8c5,stroke:#9a6700,stroke-width:3px,color:#1f2328
        classDef start fill:#1f2328,stroke:#1f2328,color:#ffffff
        classDef completed fill:#dafbe1,stroke:#1a7f37,stroke-width:2px,color:#1f2328
        classDef deferred fill:#ffebe9,stroke:#cf222e,stroke-width:2px,color:#1f2328
        classDef referred fill:#fff1e5,stroke:#bc4c00,stroke-width:2px,color:#1f2328
        class start start
        class stage_intake,stage_numb_first stage
        class stage_treat procedure
        class terminal_completed completed
        class terminal_deferred deferred
        class terminal_referred referred
        linkStyle 3,7 stroke:#cf222e,color:#cf222e
        linkStyle 4 stroke:#bc4c00,color:#bc4c00

      """##
    #expect(WorkflowGraph(try GraphFixture.merged()).mermaid() == expected)
  }

  @Test func dotDrawsEveryStageEdgeOutcomeAndWait() throws {
    let expected = ##"""
      digraph "patch_test" {
        graph [rankdir=TB, nodesep=0.5, ranksep=0.6, pad=0.4, fontname="Helvetica", fontsize=16, labelloc=t, label="Patch test #2 (patch_test, version 1), areas: wrist"];
        node [shape=box, style="rounded,filled", fillcolor="#f6f8fa", color="#57606a", fontname="Helvetica", fontsize=11, margin="0.2,0.1"];
        edge [fontname="Helvetica", fontsize=10, color="#57606a"];
        start [label="start\n", shape=circle, fillcolor="#1f2328", fontcolor="#ffffff", fontsize=10, margin=0.05, group=path];
        stage_intake [label="Intake \"first\" <visit>\nintake · expected 5m to 10m\lsteps:\l1. age\l2. allergic\l3. allergy_details (optional), when allergic\l4. notes (optional)\lwarn: older\lexclude: no_lidocaine\l", group=path];
        stage_numb_first [label="Numbing\nnumb-first · expected 5m\lsteps:\l1. cream\l", group=path];
        stage_treat [label="Treatment\n(procedure stage)\ntreat · expected 12m to 25m\lwait ≥ 30m since cream when cream == true\lwait ≥ 1h since cream when cream\lsteps:\l1. done\l2. wrist_side\lwarn: wrist_tattoo\l", fillcolor="#fff8c5", color="#9a6700", penwidth=3, group=path];
        terminal_completed [label="Completed\n", fillcolor="#dafbe1", color="#1a7f37", penwidth=2, peripheries=2, fontsize=13, group=path];
        terminal_deferred [label="Deferred\n", fillcolor="#ffebe9", color="#cf222e", penwidth=2, peripheries=2, fontsize=13];
        terminal_referred [label="Sent to a physician\n(referred)\n", fillcolor="#fff1e5", color="#bc4c00", penwidth=2, peripheries=2, fontsize=13];
        start -> stage_intake [weight=8];
        stage_intake -> stage_numb_first [label="age < 30 and not allergic\l", weight=8];
        stage_intake -> stage_treat [label="otherwise\l", weight=8];
        stage_intake -> terminal_deferred [label="stop: minor\l", style=dashed, color="#cf222e", fontcolor="#cf222e"];
        stage_intake -> terminal_referred [label="refer, not approved: allergy_refer\l", style=dashed, color="#bc4c00", fontcolor="#bc4c00"];
        stage_numb_first -> stage_treat [weight=8];
        stage_treat -> terminal_completed [penwidth=2, weight=8];
        stage_treat -> terminal_deferred [label="stop: not_done\l", style=dashed, color="#cf222e", fontcolor="#cf222e"];
      }

      """##
    #expect(WorkflowGraph(try GraphFixture.merged()).dot() == expected)
  }

  @Test func withoutTheAreaItsWaitStepAndTimeAreGone() throws {
    let mermaid = WorkflowGraph(try GraphFixture.merged(areas: [])).mermaid()
    #expect(mermaid.contains("areas: none\n"))
    #expect(
      mermaid.contains(
        ##"stage_treat["Treatment<br/>(procedure stage)<br/>treat · expected 2m to 5m<br/>wait ≥ 30m since cream when cream == true<br/>steps#58;<br/>1. done"]"##
      ))
    #expect(!mermaid.contains("wrist"))
  }

  @Test func theOutputIsDeterministic() throws {
    let one = WorkflowGraph(try GraphFixture.merged())
    let other = WorkflowGraph(try GraphFixture.merged())
    for format in WorkflowGraph.Format.allCases {
      #expect(one.render(format) == other.render(format))
    }
    #expect(one.render(.mermaid) == one.mermaid())
    #expect(one.render(.dot) == one.dot())
  }

  @Test func escapesLabelsForEachFormat() throws {
    let condition = try Expression.parse(##"note == "a\"b" or note == 'c#d;[e]|{f}&g' or note == "x:y""##)
    let workflow = Workflow(
      id: "escapes", title: #"Title "quoted" \ <tag>"#, start: "ask", procedureStage: "ask",
      stages: [
        Stage(
          id: "ask", title: "Ask\nnow",
          steps: [
            Step(id: "note", prompt: "Note?", answer: .text(maxLength: nil)),
            Step(id: "more", prompt: "More?", answer: .yesNo, when: condition),
          ],
          transition: .end(.completed, at: SourceLocation(file: #fileID, line: #line, column: 1)))
      ])
    let graph = WorkflowGraph(MergedWorkflow(workflow: workflow, areas: []))
    let mermaid = graph.mermaid()
    #expect(mermaid.contains(##"%% Title "quoted" \ <tag> (escapes, version 1), areas: none"##))
    #expect(
      mermaid.contains(
        ##"2. more, when note == #quot;a\#quot;b#quot; or note ==<br/>'c#35;d#59;#91;e#93;#124;#123;f#125;#amp;g' or note == #quot;x#58;y#quot;"]"##
      ))
    #expect(mermaid.contains(##"  stage_ask["Ask now<br/>(procedure stage)<br/>"##))
    let dot = graph.dot()
    #expect(dot.contains(##"  stage_ask [label="Ask now\n(procedure stage)\n"##))
    #expect(dot.contains(##"label="Title \"quoted\" \\ <tag> (escapes, version 1), areas: none""##))
    #expect(dot.contains(##"2. more, when note == \"a\\\"b\" or note ==\l     'c#d;[e]|{f}&g' or note == \"x:y\"\l""##))
  }

  @Test func nodeIDsAreIdentifiersEvenForIDsThatDifferOnlyByADash() throws {
    let workflow = Workflow(
      id: "ids", title: "Ids", start: "a-b", procedureStage: "a_b",
      stages: [
        Stage(id: "a-b", title: "Dash", transition: .branches([Branch(to: "a_b")])),
        Stage(
          id: "a_b", title: "Underscore",
          transition: .end(.completed, at: SourceLocation(file: #fileID, line: #line, column: 1))),
      ])
    let graph = WorkflowGraph(MergedWorkflow(workflow: workflow, areas: []))
    let mermaid = graph.mermaid()
    #expect(
      mermaid.contains("start --> stage_a_b\n  stage_a_b --> stage_a_b_2\n  stage_a_b_2 --> terminal_completed\n"))
    #expect(graph.dot().contains("stage_a_b -> stage_a_b_2 [weight=8];\n"))
    // Every node id in either format is an identifier.
    let ids = mermaid.split(separator: "\n").compactMap { line -> Substring? in
      let trimmed = line.drop { $0 == " " }
      guard !trimmed.hasPrefix("%%"), let end = trimmed.firstIndex(where: { "[(".contains($0) }) else { return nil }
      return trimmed[..<end]
    }
    #expect(
      ids == ["start", "stage_a_b", "stage_a_b_2", "terminal_completed", "terminal_deferred", "terminal_referred"])
    #expect(ids.allSatisfy { $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") } })
  }

  @Test func theShippedWorkflowDrawsEveryStageAndCheckOutcome() throws {
    let merged = try Fixture.merged([])
    let mermaid = WorkflowGraph(merged).mermaid()
    let dot = WorkflowGraph(merged).dot()
    for stage in merged.stages {
      #expect(mermaid.contains("  stage_\(stage.id)[\"\(stage.stage.title)"), "\(stage.id)")
      #expect(dot.contains("  stage_\(stage.id) [label=\"\(stage.stage.title)\\n"), "\(stage.id)")
      for check in stage.checks.lazy.map(\.check) {
        #expect(mermaid.contains(check.id), "\(check.id)")
        #expect(dot.contains(check.id), "\(check.id)")
      }
      for step in stage.steps.lazy.map(\.step) {
        #expect(dot.contains(". \(step.id)"), "\(step.id)")
      }
    }
    #expect(dot.contains("(procedure stage)"))
  }
}
