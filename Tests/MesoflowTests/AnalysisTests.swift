import Mesoflow
import Testing

/// The static analysis behind `mesoflow check`: for each rule, a small broken
/// workflow it must catch, at the exact place and with the exact words, and a
/// sound variant it must pass.
struct AnalysisTests {
  // swift-format-ignore: NeverForceUnwrap
  static let today = CalendarDate(year: 2026, month: 3, day: 10)!

  /// A sound workflow: intake -> screen -> treat. `cream_applied` is asked only
  /// when `cream_used`, `notes` may be skipped, and consent is taken in the
  /// screening stage.
  static let base = """
    workflow: demo
    title: Demo
    version: 1
    start: intake
    procedure: treat
    screening: screen
    outcomes:
      completed: { title: Completed }
      deferred: { title: Deferred }
      referred: { title: Referred }
    stages:
      - id: intake
        steps:
          - id: age
            ask: Age?
            type: integer
            min: 0
            max: 120
          - id: cream_used
            ask: Numbing cream?
            type: yes-no
          - id: cream_applied
            ask: Applied?
            type: yes-no
            when: cream_used
          - id: notes
            ask: Notes?
            type: text
            optional: true
        next: screen
      - id: screen
        steps:
          - id: pregnant
            ask: Pregnant?
            type: yes-no
          - id: consent
            ask: Consent?
            type: consent
        checks:
          - id: minor
            when: age < 18
            outcome: stop
            reason: Adults only.
          - id: pregnancy
            when: pregnant
            outcome: refer
            reason: A physician must approve.
        next: treat
      - id: treat
        steps:
          - id: done
            ask: Done?
            type: yes-no
        end: completed

    """

  /// An area that adds a question and a stop check to the screening stage.
  static let plugin = """
    plugin: arm
    title: Arm
    workflow: demo
    version: 1
    procedure: { duration: 10m }
    stages:
      screen:
        steps:
          - id: arm_wound
            ask: Is there a wound on the arm?
            type: yes-no
        checks:
          - id: arm_wound_stop
            when: arm_wound
            outcome: stop
            reason: Not over a wound.

    """

  /// Intake's transition, to put something before or instead of it.
  static let intakeNext = "    next: screen\n  - id: screen\n"
  /// Screen's transition.
  static let screenNext = "    next: treat\n  - id: treat\n"
  /// Treat's end.
  static let treatEnd = "    end: completed\n"

  /// The base with each edit made; each text replaced must occur exactly once.
  static func variant(_ edits: (String, String)...) -> String {
    var text = base
    for (old, new) in edits {
      let count = text.ranges(of: old).count
      if count != 1 { Issue.record("the fixture holds \(count) of \(old.debugDescription)") }
      text = text.replacing(old, with: new)
    }
    return text
  }

  /// An edit that gives the intake stage a check.
  static func intakeCheck(_ id: String, when condition: String, outcome: String = "warn") -> (String, String) {
    (
      intakeNext,
      "    checks:\n      - id: \(id)\n        when: \(condition)\n        outcome: \(outcome)\n        reason: Noted.\n"
        + intakeNext
    )
  }

  /// `FILE:LINE:COL` of the first `needle` at or after the first `anchor` in `text`.
  static func location(of needle: String, after anchor: String = "", in text: String, file: String = "w.yaml") -> String
  {
    let from = anchor.isEmpty ? text.startIndex : text.firstRange(of: anchor)?.lowerBound
    guard let from, let found = text[from...].firstRange(of: needle) else {
      Issue.record("no \(needle.debugDescription) after \(anchor.debugDescription)")
      return "?"
    }
    let before = text[..<found.lowerBound]
    let line = before.count { $0 == "\n" } + 1
    let lineStart = before.lastIndex(of: "\n").map { text.index(after: $0) } ?? text.startIndex
    let column = text.unicodeScalars[lineStart..<found.lowerBound].count + 1
    return "\(file):\(line):\(column)"
  }

  /// The workflow analysed, merged with `areas` of `plugins`; the definitions
  /// themselves must be valid.
  func analyse(_ text: String, plugins: [(String, String)] = [], areas: [String] = []) throws -> WorkflowAnalysis {
    let catalog = Catalog(
      sources: [SourceText(name: "w.yaml", text: text)] + plugins.map { SourceText(name: $0.0, text: $0.1) })
    #expect(catalog.diagnostics.map(\.description) == [])
    return WorkflowAnalysis(try catalog.merged(workflow: "demo", areas: areas), today: Self.today)
  }

  /// Each finding as `RULE FILE:LINE:COL: SEVERITY: MESSAGE`.
  func findings(_ text: String, plugins: [(String, String)] = [], areas: [String] = []) throws -> [String] {
    try analyse(text, plugins: plugins, areas: areas).findings.map(Self.summary)
  }

  /// The findings of one rule.
  func findings(_ rule: WorkflowAnalysis.Finding.Rule, _ text: String) throws -> [String] {
    try analyse(text).findings.filter { $0.rule == rule }.map(Self.summary)
  }

  static func summary(_ finding: WorkflowAnalysis.Finding) -> String { "\(finding.rule.rawValue) \(finding)" }

  /// The path the base's intake stage shows when it is walked in full.
  static let intakePath = "intake (age, cream_used, cream_applied (only when cream_used), notes (optional))"

  // MARK: - The shipped definitions and the fixtures

  @Test(arguments: [["body"], ["eye"], ["face"], ["scalp"], ["body", "eye", "face", "scalp"]])
  func theShippedWorkflowHasNoFinding(areas: [String]) throws {
    let merged = try ShippedDefinitionTests.shipped().merged(workflow: "mesotherapy", areas: areas)
    let analysis = WorkflowAnalysis(merged, today: Self.today)
    #expect(analysis.findings.map(Self.summary) == [])
    #expect(analysis.isSafe)
  }

  @Test func theFixtureIsSoundAloneAndWithItsArea() throws {
    let alone = try analyse(Self.base)
    #expect(alone.findings.map(Self.summary) == [])
    #expect(alone.isSafe)
    #expect(try findings(Self.base, plugins: [("p.yaml", Self.plugin)], areas: ["arm"]) == [])
  }

  @Test func aFindingRendersWithItsLineACaretAndThePath() throws {
    let text = Self.variant(Self.intakeCheck("cream", when: "cream_applied == true"))
    let analysis = try analyse(text)
    #expect(!analysis.isSafe)
    let finding = try #require(analysis.findings.first)
    let rendered = finding.diagnostic(source: SourceText(name: "w.yaml", text: text)).rendered()
    #expect(
      rendered == """
        \(Self.location(of: "cream_applied ==", in: text)): error: check 'cream' reads 'cream_applied', which is asked only when `cream_used`; where that does not hold there is no answer to read. Say what happens then: `cream_used and ...`
                when: cream_applied == true
                      ^
        note: path: \(Self.intakePath)
        """)
  }

  // MARK: - unreachable-stage

  @Test func aStageNoTransitionLeadsToIsUnreachable() throws {
    let orphans = """
        - id: orphan
          steps:
            - id: orphan_question
              ask: Never asked?
              type: yes-no
              when: done
          next: lost
        - id: lost
          next: treat

      """
    let text = Self.base + orphans
    #expect(
      try findings(text) == [
        "unreachable-stage \(Self.location(of: "id: orphan", in: text)): error: stage 'orphan' is never reached: no transition from the start or a reachable stage leads to it",
        "unreachable-stage \(Self.location(of: "id: lost", in: text)): error: stage 'lost' is never reached: no transition from the start or a reachable stage leads to it",
      ])
    #expect(Self.location(of: "id: orphan", in: text) == "w.yaml:55:5")
  }

  @Test func aStageReachedOnlyUnderAConditionIsReachable() throws {
    let text = Self.variant(
      (
        Self.intakeNext,
        "    next:\n      - to: extra\n        when: cream_used\n      - to: screen\n  - id: extra\n    next: screen\n  - id: screen\n"
      ))
    #expect(try findings(text) == [])
  }

  // MARK: - no-way-out

  static let loop = """
        next:
          - to: finish
            when: done
          - to: review
      - id: review
        steps:
          - id: again
            ask: Again?
            type: yes-no
        next: recheck
      - id: recheck
        next: review
      - id: finish
        end: completed

    """

  @Test func aLoopWithNoWayOutIsReportedWithTheLoop() throws {
    let text = Self.variant((Self.treatEnd, Self.loop))
    let analysis = try analyse(text)
    #expect(
      analysis.findings.map(Self.summary) == [
        "no-way-out \(Self.location(of: "recheck", after: "next: recheck", in: text)): error: stage 'review' has no way out: no path from it reaches a stage that ends the consultation",
        "no-way-out \(Self.location(of: "review", after: "id: recheck", in: text)): error: stage 'recheck' has no way out: no path from it reaches a stage that ends the consultation",
      ])
    #expect(
      analysis.findings.map(\.pathDescription) == ["review -> recheck -> review", "recheck -> review -> recheck"])
  }

  @Test func aLoopWithABranchOutIsSound() throws {
    let text = Self.variant(
      (
        Self.treatEnd,
        Self.loop.replacing(
          "    next: review\n", with: "    next:\n      - to: review\n        when: again\n      - to: finish\n")
      ))
    #expect(try findings(text) == [])
  }

  /// A workflow built in Swift, where nothing forbids a last branch with a
  /// condition, and expressions have no place in a file.
  static func swiftWorkflow(_ branches: [Branch]) throws -> MergedWorkflow {
    let workflow = Workflow(
      id: "swift", title: "Built in Swift", start: "intake", procedureStage: "treat", screeningStages: ["intake"],
      stages: [
        Stage(
          id: "intake", title: "Intake",
          steps: [
            Step(id: "go", prompt: "Go ahead?", answer: .yesNo, location: swiftLine(11)),
            Step(id: "consent", prompt: "Consent?", answer: .consent(statement: nil), location: swiftLine(12)),
          ],
          checks: [
            Check(
              id: "halt", when: .expression(try Mesoflow.Expression.parse("not go")), outcome: .stop, reason: "No.",
              location: swiftLine(13))
          ],
          transition: .branches(branches), location: swiftLine(10)),
        Stage(
          id: "treat", title: "Treat",
          steps: [Step(id: "done", prompt: "Done?", answer: .yesNo, location: swiftLine(21))],
          transition: .end(.completed, at: swiftLine(22)), location: swiftLine(20)),
      ],
      outcomes: [
        .completed: OutcomeDescription(title: "Completed"), .deferred: OutcomeDescription(title: "Deferred"),
        .referred: OutcomeDescription(title: "Referred"),
      ],
      location: swiftLine(1))
    return MergedWorkflow(workflow: workflow, areas: [])
  }

  static func swiftLine(_ line: Int, _ column: Int = 5) -> Mesoflow.SourceLocation {
    Mesoflow.SourceLocation(file: "Demo.swift", line: line, column: column)
  }

  @Test func aBranchListWhoseLastBranchHasAConditionMayHaveNoWayOut() throws {
    let go = try Mesoflow.Expression.parse("go")
    let open = WorkflowAnalysis(
      try Self.swiftWorkflow([Branch(to: "treat", when: go, location: Self.swiftLine(15, 13))]), today: Self.today)
    #expect(
      open.findings.map(Self.summary) == [
        "no-way-out Demo.swift:15:13: error: stage 'intake' may have no way out: when no branch's condition holds (the last is `go`), the consultation ends as deferred with no contraindication behind it; end the list with a branch that has no 'when'"
      ])
    #expect(open.findings.first?.path.isEmpty == true)

    let closed = WorkflowAnalysis(
      try Self.swiftWorkflow([
        Branch(to: "treat", when: go, location: Self.swiftLine(15, 13)),
        Branch(to: "treat", location: Self.swiftLine(16, 13)),
      ]), today: Self.today)
    #expect(closed.findings.map(Self.summary) == [])
  }

  @Test func aReadInAnExpressionBuiltInSwiftIsReportedWhereItsOwnerIs() throws {
    let merged = try Self.swiftWorkflow([
      Branch(to: "treat", when: try Mesoflow.Expression.parse("go and done"), location: Self.swiftLine(15, 13)),
      Branch(to: "treat", location: Self.swiftLine(16, 13)),
    ])
    #expect(
      WorkflowAnalysis(merged, today: Self.today).findings.map(Self.summary) == [
        "read-before-asked Demo.swift:15:13: error: the transition from 'intake' to 'treat' reads 'done', which is asked only later, in stage 'treat'"
      ])
  }

  // MARK: - unreachable-outcome

  @Test func anOutcomeNoStageEndsInIsUnreachable() throws {
    let text = Self.variant((Self.treatEnd, "    end: deferred\n"))
    #expect(
      try findings(text) == [
        "unreachable-outcome w.yaml:8:3: error: outcome 'completed' can never be reached: no reachable stage ends with 'end: completed'"
      ])
  }

  @Test func aWorkflowWithNoStopOrReferralNeedNotDeferOrRefer() throws {
    // An outcome is required only when something leads to it.
    let noStop = Self.variant(("outcome: stop", "outcome: warn"))
    #expect(try findings(noStop) == [])
    let neither = noStop.replacing("outcome: refer", with: "outcome: warn")
    #expect(try findings(neither) == [])
    let endsDeferred = noStop.replacing(
      Self.treatEnd,
      with:
        "    next:\n      - to: finish\n        when: done\n      - to: halt\n  - id: finish\n    end: completed\n  - id: halt\n    end: deferred\n"
    )
    #expect(try findings(endsDeferred) == [])
  }

  @Test func aReferCheckThatCanNeverFireIsAnErrorOfItsOwn() throws {
    let text = Self.variant(("when: pregnant\n", "when: age < 0\n"))
    #expect(
      try findings(text) == [
        "never-fires \(Self.location(of: "age < 0", in: text)): error: check 'pregnancy' can never fire: no answers to 'age' make `age < 0` hold; the refer it stands for is never applied"
      ])
  }

  // MARK: - unscreened-procedure

  @Test func screeningMovedAfterTheProcedureLeavesItUnscreened() throws {
    let text = Self.variant(
      (Self.intakeNext, "    next: treat\n  - id: screen\n"),
      (Self.screenNext, "    end: completed\n  - id: treat\n"),
      ("        type: yes-no\n" + Self.treatEnd, "        type: yes-no\n    next: screen\n"))
    let analysis = try analyse(text)
    // `minor` reads only the age, asked in intake: it is decided before treat.
    #expect(
      analysis.findings.map(Self.summary) == [
        "consent-missing \(Self.location(of: "id: consent", in: text)): error: stage 'treat' can begin before any consent is taken: consent 'consent' is asked only after it, in stage 'screen'; take consent before the procedure",
        "unscreened-procedure \(Self.location(of: "pregnant", after: "id: pregnancy", in: text)): error: screening check 'pregnancy' is not decided before stage 'treat' on every path: it reads 'pregnant', which is asked only later, in stage 'screen'",
      ])
    #expect(
      analysis.findings.map(\.pathDescription) == [
        "\(Self.intakePath) -> treat", "\(Self.intakePath) -> treat",
      ])
    #expect(Self.location(of: "pregnant", after: "id: pregnancy", in: text) == "w.yaml:45:15")
  }

  @Test func aWorkflowThatNamesNoScreeningStageIsUnscreened() throws {
    #expect(
      try findings(Self.variant(("screening: screen\n", ""))) == [
        "unscreened-procedure w.yaml:1:1: error: the workflow names no screening stage, so nothing proves that screening comes before stage 'treat'; add 'screening: STAGE'"
      ])
  }

  @Test func aBranchAroundScreeningLeavesTheProcedureUnscreenedForTheAreaToo() throws {
    let text = Self.variant(
      (Self.intakeNext, "    next:\n      - to: treat\n        when: age >= 65\n      - to: screen\n  - id: screen\n"))
    let plugins = [("p.yaml", Self.plugin)]
    let bypass =
      "is not asked on every path to stage 'treat': one reaches 'treat' without passing stage 'screen', where it is asked"
    let analysis = try analyse(text, plugins: plugins, areas: ["arm"])
    #expect(
      analysis.findings.map(Self.summary) == [
        "unscreened-procedure \(Self.location(of: "arm_wound", after: "when:", in: Self.plugin, file: "p.yaml")): error: screening check 'arm_wound_stop' is not decided before stage 'treat' on every path: it reads 'arm_wound', which \(bypass)",
        "consent-missing \(Self.location(of: "id: consent", in: text)): error: stage 'treat' can begin before consent 'consent' is taken: it \(bypass)",
        "unscreened-procedure \(Self.location(of: "pregnant", after: "id: pregnancy", in: text)): error: screening check 'pregnancy' is not decided before stage 'treat' on every path: it reads 'pregnant', which \(bypass)",
      ])
    #expect(Set(analysis.findings.compactMap(\.pathDescription)) == ["\(Self.intakePath) -> treat"])
  }

  @Test func aScreeningCheckReadingALaterAnswerIsReportedOnceWhereItIsDecided() throws {
    let text = Self.variant(("when: pregnant\n", "when: pregnant or done\n"))
    let analysis = try analyse(text)
    #expect(
      analysis.findings.map(Self.summary) == [
        "read-before-asked \(Self.location(of: "done", after: "pregnant or", in: text)): error: check 'pregnancy' reads 'done', which is asked only later, in stage 'treat'"
      ])
    #expect(analysis.findings.first?.pathDescription == "\(Self.intakePath) -> screen (pregnant, consent)")
  }

  @Test func screeningSeveralStagesBeforeTheProcedureIsSound() throws {
    let text = Self.variant(
      (
        Self.screenNext,
        "    next: prepare\n  - id: prepare\n    steps:\n      - id: cleansed\n        ask: Cleansed?\n        type: yes-no\n    next: treat\n  - id: treat\n"
      ))
    #expect(try findings(text, plugins: [("p.yaml", Self.plugin)], areas: ["arm"]) == [])
  }

  // MARK: - consent-missing

  @Test func aWorkflowWithoutConsentIsReportedAtTheProcedure() throws {
    let text = Self.variant(("      - id: consent\n        ask: Consent?\n        type: consent\n", ""))
    let analysis = try analyse(text)
    #expect(
      analysis.findings.map(Self.summary) == [
        "consent-missing \(Self.location(of: "id: treat", in: text)): error: no step takes the patient's consent before stage 'treat'; add a step of type consent before it"
      ])
    #expect(analysis.findings.first?.pathDescription == "\(Self.intakePath) -> screen (pregnant) -> treat")
  }

  @Test func consentAskedOnlyUnderAConditionIsReported() throws {
    let text = Self.variant(("type: consent\n", "type: consent\n        when: age >= 18\n"))
    let analysis = try analyse(text)
    #expect(
      analysis.findings.map(Self.summary) == [
        "consent-missing \(Self.location(of: "id: consent", in: text)): error: stage 'treat' can begin before consent 'consent' is taken: it is asked only when `age >= 18`; ask it on every path (remove its 'when')"
      ])
    #expect(
      analysis.findings.first?.pathDescription
        == "\(Self.intakePath) -> screen (pregnant, consent (only when age >= 18)) -> treat")
  }

  @Test func consentStaffMaySkipIsReported() throws {
    let text = Self.variant(("type: consent\n", "type: consent\n        optional: true\n"))
    #expect(
      try findings(text) == [
        "consent-missing \(Self.location(of: "id: consent", in: text)): error: stage 'treat' can begin before consent 'consent' is taken: it may be skipped by staff; make it required (remove `optional: true`)"
      ])
  }

  @Test func consentTakenOnlyOnceTheProcedureHasBegunIsReported() throws {
    let consent = "      - id: consent\n        ask: Consent?\n        type: consent\n"
    let inTreat = Self.variant((consent, ""), ("      - id: done\n", consent + "      - id: done\n"))
    #expect(
      try findings(inTreat) == [
        "consent-missing \(Self.location(of: "id: consent", in: inTreat)): error: stage 'treat' can begin before consent 'consent' is taken: it is asked only once stage 'treat' has begun"
      ])
    let afterwards = Self.variant(
      (consent, ""), (Self.treatEnd, "    next: after\n  - id: after\n    steps:\n" + consent + Self.treatEnd))
    // A consent asked only after the procedure (photos for the record, say) is not about it:
    // what is missing is a consent before it.
    #expect(
      try findings(afterwards) == [
        "consent-missing \(Self.location(of: "id: consent", in: afterwards)): error: stage 'treat' can begin before any consent is taken: consent 'consent' is asked only after it, in stage 'after'; take consent before the procedure"
      ])
  }

  // MARK: - read-before-asked

  @Test func aCheckReadingAnAnswerAskedInALaterStage() throws {
    let text = Self.variant(Self.intakeCheck("early", when: "pregnant"))
    let analysis = try analyse(text)
    #expect(
      analysis.findings.map(Self.summary) == [
        "read-before-asked \(Self.location(of: "pregnant", after: "id: early", in: text)): error: check 'early' reads 'pregnant', which is asked only later, in stage 'screen'"
      ])
    #expect(analysis.findings.first?.pathDescription == Self.intakePath)
  }

  @Test func aStepConditionReadingALaterStepOfItsOwnStage() throws {
    let text = Self.variant(
      (
        "      - id: cream_used\n",
        "      - id: early_question\n        ask: Early?\n        type: yes-no\n        when: age > 60 and cream_used\n      - id: cream_used\n"
      ))
    let analysis = try analyse(text)
    #expect(
      analysis.findings.map(Self.summary) == [
        "read-before-asked \(Self.location(of: "cream_used", after: "age > 60 and", in: text)): error: the condition of step 'early_question' reads 'cream_used', which is asked only after it, in stage 'intake'"
      ])
    // Up to the step: only the age has been asked.
    #expect(analysis.findings.first?.pathDescription == "intake (age)")
  }

  @Test func aGuardedStepReadWithoutItsGuardFirst() throws {
    let message =
      "reads 'cream_applied', which is asked only when `cream_used`; where that does not hold there is no answer to read. Say what happens then: `cream_used and ...`"
    for condition in ["cream_applied == true", "cream_applied and cream_used", "age > 60 or cream_applied"] {
      let text = Self.variant(Self.intakeCheck("cream", when: condition))
      #expect(
        try findings(text) == [
          "read-before-asked \(Self.location(of: "cream_applied", after: "id: cream\n", in: text)): error: check 'cream' \(message)"
        ], "\(condition)")
    }
  }

  @Test func aGuardedStepReadBehindItsGuardIsSound() throws {
    for condition in [
      "cream_used and cream_applied", "cream_used == true and cream_applied == true",
      "not cream_used or not cream_applied",
      "answered(cream_applied) and cream_applied", "age > 60 and (cream_used and not cream_applied)",
    ] {
      #expect(try findings(Self.variant(Self.intakeCheck("cream", when: condition))) == [], "\(condition)")
    }
  }

  @Test func anOptionalStepIsReadOnlyAfterAnswered() throws {
    let bare = Self.variant(Self.intakeCheck("noted", when: "notes == \"allergy\""))
    #expect(
      try findings(bare) == [
        "read-before-asked \(Self.location(of: "notes", after: "id: noted", in: bare)): error: check 'noted' reads 'notes', which may be skipped by staff; read it as `answered(notes) and ...`"
      ])
    let guarded = Self.variant(Self.intakeCheck("noted", when: "answered(notes) and notes == \"allergy\""))
    #expect(try findings(guarded) == [])
  }

  /// A step asked only under a condition that staff may also skip needs both
  /// its condition and `answered(...)` before it is read.
  @Test func aGuardedOptionalStepReadBehindItsGuardStillNeedsAnswered() throws {
    let brand = (
      "      - id: notes\n",
      "      - id: cream_brand\n        ask: Which cream?\n        type: text\n        when: cream_used\n        optional: true\n      - id: notes\n"
    )
    let check = Self.variant(brand, Self.intakeCheck("brand", when: "cream_used and cream_brand == \"numbex\""))
    let wait = Self.variant(
      brand,
      (
        "  - id: treat\n",
        "  - id: treat\n    wait:\n      since: cream_brand\n      at-least: 30m\n      when: cream_used\n"
      ))
    let checkFindings = try findings(check)
    let waitFindings = try findings(wait)
    #expect(
      checkFindings == [
        "read-before-asked \(Self.location(of: "cream_brand", after: "id: brand", in: check)): error: check 'brand' reads 'cream_brand', which may be skipped by staff; read it as `answered(cream_brand) and ...`"
      ])
    #expect(
      waitFindings == [
        "read-before-asked \(Self.location(of: "cream_brand", after: "since:", in: wait)): error: the wait before stage 'treat' reads 'cream_brand', which may be skipped by staff, and then the wait is silently dropped; make it required or give the wait `when: answered(cream_brand)`"
      ])
    let sound = Self.variant(
      brand, Self.intakeCheck("brand", when: "answered(cream_brand) and cream_brand == \"numbex\""))
    #expect(try findings(sound) == [])
  }

  static func numbStage(_ branches: String) -> (String, String) {
    (
      Self.intakeNext,
      "    next:\n\(branches)  - id: numb\n    checks:\n      - id: numbed\n        when: cream_applied\n        outcome: warn\n        reason: Wait for the cream.\n    next: screen\n  - id: screen\n"
    )
  }

  @Test func aTransitionConditionHoldsInTheStageItLeadsTo() throws {
    let text = Self.variant(Self.numbStage("      - to: numb\n        when: cream_used\n      - to: screen\n"))
    #expect(try findings(text) == [])
  }

  @Test func aStageEnteredAlsoWithoutTheConditionKnowsNothing() throws {
    let text = Self.variant(Self.numbStage("      - to: numb\n        when: cream_used\n      - to: numb\n"))
    let analysis = try analyse(text)
    #expect(
      analysis.findings.map(Self.summary) == [
        "read-before-asked \(Self.location(of: "cream_applied", after: "id: numbed", in: text)): error: check 'numbed' reads 'cream_applied', which is asked only when `cream_used`; where that does not hold there is no answer to read. Say what happens then: `cream_used and ...`"
      ])
    #expect(analysis.findings.first?.pathDescription == "\(Self.intakePath) -> numb")
  }

  @Test func aTransitionConditionReadingAGuardedStep() throws {
    let broken = Self.variant(
      (Self.screenNext, "    next:\n      - to: treat\n        when: cream_applied\n      - to: treat\n  - id: treat\n")
    )
    let analysis = try analyse(broken)
    #expect(
      analysis.findings.map(Self.summary) == [
        "read-before-asked \(Self.location(of: "cream_applied", after: "- to: treat", in: broken)): error: the transition from 'screen' to 'treat' reads 'cream_applied', which is asked only when `cream_used`; where that does not hold there is no answer to read. Say what happens then: `cream_used and ...`"
      ])
    #expect(analysis.findings.first?.pathDescription == "\(Self.intakePath) -> screen (pregnant, consent)")
    let sound = broken.replacing("when: cream_applied\n", with: "when: cream_used and cream_applied\n")
    #expect(try findings(sound) == [])
  }

  @Test func aWaitReadsItsStepsBeforeItsStageBegins() throws {
    let wait = "  - id: treat\n    wait:\n      since: cream_applied\n      at-least: 30m\n"
    let guarded =
      "which is asked only when `cream_used`; where that does not hold there is no answer to read. Say what happens then: `cream_used and ...`"
    let dropped =
      "which is asked only when `cream_used`; where that does not hold the wait is silently dropped. Give the wait `when: cream_used` (with any condition of its own after an `and`)"
    let path = "\(Self.intakePath) -> screen (pregnant, consent) -> treat"

    let noCondition = Self.variant(("  - id: treat\n", wait))
    let since = try analyse(noCondition)
    #expect(
      since.findings.map(Self.summary) == [
        "read-before-asked \(Self.location(of: "cream_applied", after: "since:", in: noCondition)): error: the wait before stage 'treat' reads 'cream_applied', \(dropped)"
      ])
    #expect(since.findings.first?.pathDescription == path)

    let bareCondition = Self.variant(("  - id: treat\n", wait + "      when: cream_applied\n"))
    #expect(
      try findings(bareCondition) == [
        "read-before-asked \(Self.location(of: "cream_applied", after: "when: cream_applied", in: bareCondition)): error: the wait before stage 'treat' reads 'cream_applied', \(guarded)"
      ])

    let sound = Self.variant(("  - id: treat\n", wait + "      when: cream_used and cream_applied\n"))
    #expect(try findings(sound) == [])

    let ownStage = Self.variant(
      ("  - id: treat\n", "  - id: treat\n    wait:\n      since: done\n      at-least: 30m\n"))
    #expect(
      try findings(ownStage) == [
        "read-before-asked \(Self.location(of: "done", after: "since:", in: ownStage)): error: the wait before stage 'treat' reads 'done', which is asked only once stage 'treat' has begun"
      ])
  }

  @Test func readsInQuotedAndFoldedScalarsAreReportedAtTheirExactColumn() throws {
    let checks = """
          checks:
            - id: single
              when: 'answered(notes) and notes == ''x'' or cream_applied'
              outcome: warn
              reason: Single-quoted.
            - id: double
              when: "age > 1 and \\"x\\" == notes or cream_applied"
              outcome: warn
              reason: Double-quoted.
            - id: folded
              when: >-
                age > 1
                and
                  cream_applied
              outcome: warn
              reason: Folded.

      """
    let text = Self.variant((Self.intakeNext, checks + Self.intakeNext))
    let guarded =
      "reads 'cream_applied', which is asked only when `cream_used`; where that does not hold there is no answer to read. Say what happens then: `cream_used and ...`"
    #expect(
      try findings(text) == [
        "read-before-asked w.yaml:32:54: error: check 'single' \(guarded)",
        "read-before-asked w.yaml:36:37: error: check 'double' reads 'notes', which may be skipped by staff; read it as `answered(notes) and ...`",
        "read-before-asked w.yaml:36:46: error: check 'double' \(guarded)",
        "read-before-asked w.yaml:43:13: error: check 'folded' \(guarded)",
      ])
    // The same places, found in the text.
    #expect(Self.location(of: "cream_applied", after: "id: single", in: text) == "w.yaml:32:54")
    #expect(Self.location(of: "notes", after: "id: double", in: text) == "w.yaml:36:37")
    #expect(Self.location(of: "cream_applied", after: "id: double", in: text) == "w.yaml:36:46")
    #expect(Self.location(of: "cream_applied", after: "id: folded", in: text) == "w.yaml:43:13")
  }

  /// Columns count Unicode scalars, though the expression's node offsets
  /// count UTF-8 bytes.
  @Test func aReadAfterNonASCIITextIsReportedAtItsColumn() throws {
    let text = Self.variant(
      Self.intakeCheck("accent", when: "'answered(notes) and notes == \"naïve ☃\" or cream_applied'"))
    let expected = Self.location(of: "cream_applied", after: "id: accent", in: text)
    #expect(expected == "w.yaml:32:58")
    let reported = try analyse(text).findings.map { "\($0.location)" }
    #expect(reported == [expected])
  }

  // MARK: - never-fires and always-fires

  @Test func aCheckNoAnswerFiresAndOneEveryAnswerFiresAreWarnings() throws {
    let text = Self.variant(
      (
        Self.intakeNext,
        "    checks:\n      - id: impossible\n        when: age < 0\n        outcome: warn\n        reason: Never.\n      - id: certain\n        when: age >= 0\n        outcome: warn\n        reason: Always.\n      - id: fine\n        when: age > 90\n        outcome: warn\n        reason: Sometimes.\n"
          + Self.intakeNext
      ))
    let analysis = try analyse(text)
    #expect(
      analysis.findings.map(Self.summary) == [
        "never-fires \(Self.location(of: "age < 0", in: text)): warning: check 'impossible' can never fire: no answers to 'age' make `age < 0` hold",
        "always-fires \(Self.location(of: "age >= 0", in: text)): warning: check 'certain' always fires, whatever the answers to 'age': `age >= 0` always holds",
      ])
    #expect(analysis.isSafe)
  }

  @Test func checksThatCanFireOrNotGiveNoWarning() throws {
    for condition in [
      "cream_used and cream_applied", "answered(notes)", "not answered(notes)", "age >= 18 and age < 65",
    ] {
      let text = Self.variant(Self.intakeCheck("sometimes", when: condition))
      #expect(try findings(.neverFires, text) == [], "\(condition)")
      #expect(try findings(.alwaysFires, text) == [], "\(condition)")
    }
  }

  static let options = (0..<13).map { String(UnicodeScalar(UInt8(97 + $0))) }

  /// Stop checks that can fire only on answers the samples must seek out, and
  /// one not judged at all: the only stop check, so a never-fires warning
  /// would also call deferred unreachable.
  static let firingCases: [(String, String, String)] = [
    (
      "a decimal between constants closer than 0.5",
      "      - id: dose\n        ask: Dose?\n        type: decimal\n        min: 0\n        max: 10\n",
      "dose > 5 and dose < 5.2"
    ),
    ("an integer between fractional constants", "", "age > 17.5 and age < 18.5"),
    (
      "a count of multi-choice options",
      "      - id: zones\n        ask: Zones?\n        type: multi-choice\n        options: [a, b, c, d]\n",
      "count(zones) >= 2"
    ),
    (
      "a multi-choice naming more than twelve options",
      "      - id: zones\n        ask: Zones?\n        type: multi-choice\n        options: [\(options.joined(separator: ", "))]\n",
      options.map { "contains(zones, \"\($0)\")" }.joined(separator: " or ")
    ),
  ]

  @Test(arguments: 0..<4)
  func aStopCheckThatCanFireIsNotCalledNeverFiring(_ index: Int) throws {
    let (name, step, condition) = Self.firingCases[index]
    let text = Self.variant(
      ("      - id: notes\n", step + "      - id: notes\n"), ("when: age < 18\n", "when: \(condition)\n"))
    #expect(try findings(text) == [], "\(name)")
  }
}

extension AnalysisTests {
  /// A step asked on a side branch is not "later" for a stage on the other
  /// branch: the message says the path bypasses it.
  @Test func aStepOnASideBranchIsReportedAsBypassedNotLater() throws {
    let text = Self.variant(
      (
        Self.intakeNext,
        """
            next:
              - to: extra
                when: cream_used
              - to: other
          - id: extra
            steps:
              - id: extra_q
                ask: Extra?
                type: yes-no
            next: screen
          - id: other
            checks:
              - id: sib
                when: extra_q
                outcome: warn
                reason: Noted.
            next: screen
          - id: screen

        """
      ))
    let findings = try findings(.readBeforeAsked, text)
    #expect(
      findings == [
        "read-before-asked \(Self.location(of: "extra_q", after: "id: sib", in: text)): error: check 'sib' reads 'extra_q', which is not asked on every path to stage 'other': one reaches 'other' without passing stage 'extra', where it is asked"
      ])
  }
}

extension AnalysisTests {
  /// A stop outside the named screening stages still may not be bypassed on
  /// the way to the procedure.
  @Test func aStopInAStageABranchBypassesIsReported() throws {
    let text = Self.variant(
      (
        Self.screenNext,
        """
            next:
              - to: treat
                when: age > 90
              - to: prep
          - id: prep
            steps:
              - id: cleansed
                ask: Cleansed?
                type: yes-no
            checks:
              - id: not_cleansed
                when: not cleansed
                outcome: stop
                reason: Never inject skin that was not cleansed.
            next: treat
          - id: treat

        """
      ))
    #expect(
      try findings(.unscreenedProcedure, text) == [
        "unscreened-procedure \(Self.location(of: "cleansed", after: "when: not ", in: text)): error: stop check 'not_cleansed' is not decided before stage 'treat' on every path: it reads 'cleansed', which is not asked on every path to stage 'treat': one reaches 'treat' without passing stage 'prep', where it is asked"
      ])
    // Without the branch around it, the stop is decided in time.
    let linear = text.replacing(
      "    next:\n      - to: treat\n        when: age > 90\n      - to: prep\n", with: "    next: prep\n")
    #expect(try findings(.unscreenedProcedure, linear) == [])
  }

  /// A consent asked only under a condition is the author's intent; the
  /// general consent must still be taken on every path.
  @Test func aConditionalConsentBesideAGeneralOneIsSound() throws {
    let extra =
      "      - id: drug_consent\n        ask: Consent to the off-label drug?\n        type: consent\n        when: cream_used\n"
    let text = Self.variant(("      - id: consent\n", extra + "      - id: consent\n"))
    #expect(try findings(.consentMissing, text) == [])
    let onlyConditional = Self.variant(("        type: consent\n", "        type: consent\n        when: age > 30\n"))
    #expect(
      try findings(.consentMissing, onlyConditional) == [
        "consent-missing \(Self.location(of: "id: consent", in: onlyConditional)): error: stage 'treat' can begin before consent 'consent' is taken: it is asked only when `age > 30`; ask it on every path (remove its 'when')"
      ])
  }

  /// `answered(x)` is false until x is asked, and a check is decided as soon
  /// as its answers come in.
  @Test func answeredIsReadOnlyWhereItCanBeTrue() throws {
    let negative = Self.variant(Self.intakeCheck("no_notes", when: "not answered(notes)", outcome: "stop"))
    #expect(
      try findings(.readBeforeAsked, negative) == [
        "read-before-asked \(Self.location(of: "notes", after: "answered(", in: negative)): error: check 'no_notes' fires when 'notes' has no answer, but a check is decided as soon as its answers come in: it would fire before 'notes' is asked, and never see it skipped. Ask a yes-no question instead"
      ])
    let positive = Self.variant(Self.intakeCheck("long_notes", when: "answered(notes) and notes != \"\""))
    #expect(try findings(.readBeforeAsked, positive) == [])
    let early = Self.variant(("        when: cream_used\n", "        when: answered(pregnant)\n"))
    #expect(
      try findings(.readBeforeAsked, early) == [
        "read-before-asked \(Self.location(of: "pregnant", after: "answered(", in: early)): error: the condition of step 'cream_applied' reads answered(pregnant), which is false until 'pregnant' is asked, and 'pregnant' is asked only later, in stage 'screen'"
      ])
  }
}

extension AnalysisTests {
  /// A branch not taken tells the later branches its condition was false,
  /// when that condition is always decided.
  @Test func anEarlierBranchNotTakenIsAFactOnTheLaterOnes() throws {
    let text = Self.variant(
      (
        Self.intakeNext,
        """
            next:
              - to: screen
                when: not cream_used
              - to: numbing
          - id: numbing
            checks:
              - id: cream_missing
                when: not cream_applied
                outcome: warn
                reason: Apply it now.
            next: screen
          - id: screen

        """
      ))
    #expect(try findings(.readBeforeAsked, text) == [])
    // With a condition that may be undecided, nothing follows from not taking it.
    let undecided = text.replacing("        when: not cream_used\n", with: "        when: notes == \"x\"\n")
    #expect(try findings(.readBeforeAsked, undecided).count == 2)
  }

  // MARK: - pre-empted

  /// Checks added to the screening stage, after its own.
  static func screenChecks(_ checks: String) -> (String, String) {
    ("        reason: A physician must approve.\n", "        reason: A physician must approve.\n" + checks)
  }

  @Test func aCheckAStopOnTheSameAnswersAlwaysBeatsIsReported() throws {
    let text = Self.variant(
      Self.screenChecks(
        "      - id: teen\n        when: age < 16\n        outcome: refer\n        reason: A physician must see a teenager.\n"
          + "      - id: minor_again\n        when: age < 18\n        outcome: stop\n        reason: Adults only, again.\n"
          + "      - id: young\n        when: age < 25\n        outcome: warn\n        reason: Young skin.\n"))
    let minor = Self.location(of: "id: minor\n", in: text).split(separator: ":").dropFirst().joined(separator: ":")
    #expect(
      try findings(.preEmpted, text) == [
        "pre-empted \(Self.location(of: "age < 16", in: text)): warning: refer 'teen' can never change the outcome: whenever `age < 16` holds, stop 'minor' (w.yaml:\(minor)) fires on the same answers and ends the consultation as deferred first, so no physician's approval of it can ever matter, and it never ends the consultation as referred; remove it, or change one of the two conditions",
        "pre-empted \(Self.location(of: "age < 18", after: "minor_again", in: text)): warning: stop 'minor_again' can never change the outcome: whenever `age < 18` holds, stop 'minor' (w.yaml:\(minor)) fires on the same answers and ends the consultation as deferred first, so it never decides the outcome; remove it, or change one of the two conditions",
      ])
    #expect(try analyse(text).isSafe)
  }

  @Test func aCheckThatCanFireWithoutTheStopIsNotPreEmpted() throws {
    for condition in ["age < 25", "age < 16 or pregnant", "pregnant", "cream_used"] {
      let text = Self.variant(
        Self.screenChecks(
          "      - id: other\n        when: \(condition)\n        outcome: refer\n        reason: Ask.\n"))
      #expect(try findings(.preEmpted, text) == [], "\(condition)")
    }
  }

  // MARK: - ends-before-detail

  static let pregnancyDetails = (
    "        type: yes-no\n      - id: consent\n",
    "        type: yes-no\n      - id: pregnancy_details\n        ask: Which week, and who follows the pregnancy?\n        type: text\n        when: pregnant\n      - id: consent\n"
  )

  @Test func aReferralThatEndsBeforeItsDetailsAreAskedIsReported() throws {
    let text = Self.variant(Self.pregnancyDetails)
    #expect(
      try findings(.endsBeforeDetail, text) == [
        "ends-before-detail \(Self.location(of: "pregnant\n", after: "id: pregnancy\n", in: text)): warning: refer 'pregnancy' can end the consultation before step 'pregnancy_details' is asked, though its own condition makes that step apply, so the detail it asks for is never recorded; read the step in the condition (`pregnant and answered(pregnancy_details)`) so that it is asked first"
      ])
    let fixed = text.replacing(
      "        when: pregnant\n        outcome: refer",
      with: "        when: pregnant and answered(pregnancy_details)\n        outcome: refer")
    #expect(try findings(fixed) == [])
  }

  @Test func anOptionalDetailIsNotWaitedForAndCannotSwitchAReferralOff() throws {
    let optional = Self.variant(
      (
        Self.pregnancyDetails.0,
        Self.pregnancyDetails.1.replacing(
          "        when: pregnant\n", with: "        when: pregnant\n        optional: true\n")
      ))
    // Staff may skip it, so the referral does not wait for it.
    #expect(try findings(.endsBeforeDetail, optional) == [])
    // And waiting for it would let staff switch the referral off by skipping it.
    let waiting = optional.replacing(
      "        when: pregnant\n        outcome: refer",
      with: "        when: pregnant and answered(pregnancy_details)\n        outcome: refer")
    let analysis = try analyse(waiting)
    #expect(!analysis.isSafe)
    #expect(
      analysis.findings.filter { $0.rule == .skippableContraindication }.map(Self.summary) == [
        "skippable-contraindication \(Self.location(of: "pregnancy_details)", after: "pregnant and answered(", in: waiting)): error: refer 'pregnancy' fires only once 'pregnancy_details' is answered, but staff may skip 'pregnancy_details': skipping it switches the refer off; make 'pregnancy_details' required, or do not read answered(pregnancy_details) in the condition"
      ])
    // A condition that also fires without the step is not switched off by skipping it.
    let either = optional.replacing(
      "        when: pregnant\n        outcome: refer",
      with: "        when: pregnant or answered(pregnancy_details)\n        outcome: refer")
    #expect(try analyse(either).findings.filter { $0.rule == .skippableContraindication } == [])
  }

  // MARK: - limit-hidden

  static func limitedArea(_ id: String, millilitres: Double) -> String {
    """
    plugin: \(id)
    title: \(id)
    workflow: demo
    version: 1
    procedure: { duration: 10m }
    limits:
      max-volume-ml: \(formatted(millilitres))

    """
  }

  static func formatted(_ value: Double) -> String { value == value.rounded() ? "\(Int(value))" : "\(value)" }

  static func volumeGuard(_ max: Double) -> (String, String) {
    (
      "        ask: Done?\n        type: yes-no\n",
      "        ask: Done?\n        type: yes-no\n      - id: volume\n        ask: Volume?\n        type: volume\n        max: \(formatted(max))\n"
    )
  }

  @Test func anInputGuardBelowAnAreasLimitIsReported() throws {
    let text = Self.variant(Self.volumeGuard(3))
    let arm = ("arm.yaml", Self.limitedArea("arm", millilitres: 5))
    #expect(
      try findings(text, plugins: [arm], areas: ["arm"]) == [
        "limit-hidden \(Self.location(of: "id: volume", in: text)): warning: step 'volume' accepts at most 3 ml, below area 'arm''s max-volume-ml of 5 ml: that limit can never be reached, and an answer above 3 is refused as out of range instead of with the area's limit; raise or remove the step's 'max'"
      ])
    #expect(try findings(Self.variant(Self.volumeGuard(5)), plugins: [arm], areas: ["arm"]) == [])
  }

  @Test func anInputGuardBelowTheChosenAreasLimitsTogetherIsReported() throws {
    let text = Self.variant(Self.volumeGuard(6))
    let plugins = [
      ("arm.yaml", Self.limitedArea("arm", millilitres: 5)), ("leg.yaml", Self.limitedArea("leg", millilitres: 4)),
    ]
    #expect(try findings(text, plugins: plugins, areas: ["arm"]) == [])
    #expect(
      try findings(text, plugins: plugins, areas: ["arm", "leg"]) == [
        "limit-hidden \(Self.location(of: "id: volume", in: text)): warning: step 'volume' accepts at most 6 ml, less than the max-volume-ml of areas arm, leg together (9 ml): a total within every area's limit is refused as out of range; raise or remove the step's 'max'"
      ])
    #expect(try findings(Self.variant(Self.volumeGuard(9)), plugins: plugins, areas: ["arm", "leg"]) == [])
  }
}
