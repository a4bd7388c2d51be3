public import MesoflowYAML

/// A static analysis of a merged workflow: proves, for every path a
/// consultation can take, what staff rely on before they use an edited
/// definition.
///
/// It reports as errors:
/// - a stage no path reaches, a stage with no way to an end, and an outcome
///   no path ends in;
/// - a path that reaches the procedure stage before every check of the
///   screening stages is decided, or before every consent step is asked;
/// - an expression that reads an answer not asked on every path before it
///   (definite assignment), at the exact line and column of the read.
///
/// And as warnings: checks that no answers can fire, or that every answer
/// fires; checks that never change the outcome because a stop on the same
/// answers always fires with them; a stop or referral that can end the
/// consultation before a question its own condition makes applicable is
/// asked; and a step's input guard that hides an area's limit. Each finding
/// that a path breaks carries that path.
///
/// The analysis reads no clock: `today` is the date date functions see when
/// checks are tried against sample answers.
public struct WorkflowAnalysis: Sendable {
  /// What the analysis found, in the order of the definitions.
  public let findings: [Finding]

  /// Whether nothing the analysis found is an error.
  public var isSafe: Bool { !findings.contains { $0.severity == .error } }

  /// Analyses `workflow`.
  public init(_ workflow: MergedWorkflow, today: CalendarDate) {
    var analyser = Analyser(workflow, today: today)
    analyser.run()
    findings = analyser.findings.sorted { ($0.location, $0.message) < ($1.location, $1.message) }
  }

  /// One problem, where it is and, when a path shows it, that path.
  public struct Finding: Sendable, Hashable, CustomStringConvertible {
    /// The rule a finding breaks. New rules may be added; compare with `==`,
    /// or switch with a default.
    public struct Rule: Sendable, Hashable, CustomStringConvertible {
      enum Storage: String, Sendable, Hashable, CaseIterable {
        case unreachableStage = "unreachable-stage"
        case noWayOut = "no-way-out"
        case unreachableOutcome = "unreachable-outcome"
        case unscreenedProcedure = "unscreened-procedure"
        case consentMissing = "consent-missing"
        case readBeforeAsked = "read-before-asked"
        case neverFires = "never-fires"
        case alwaysFires = "always-fires"
        case preEmpted = "pre-empted"
        case endsBeforeDetail = "ends-before-detail"
        case limitHidden = "limit-hidden"
        case skippableContraindication = "skippable-contraindication"
      }

      let storage: Storage

      /// A stage no path from the start reaches.
      public static let unreachableStage = Rule(storage: .unreachableStage)
      /// A stage from which no path reaches an end.
      public static let noWayOut = Rule(storage: .noWayOut)
      /// An outcome no path ends in.
      public static let unreachableOutcome = Rule(storage: .unreachableOutcome)
      /// The procedure can begin before a screening check is decided, or
      /// the workflow names no screening stage.
      public static let unscreenedProcedure = Rule(storage: .unscreenedProcedure)
      /// The procedure can begin before consent is taken.
      public static let consentMissing = Rule(storage: .consentMissing)
      /// An expression reads an answer not asked on every path before it.
      public static let readBeforeAsked = Rule(storage: .readBeforeAsked)
      /// A check no answers can fire.
      public static let neverFires = Rule(storage: .neverFires)
      /// A check every answer fires.
      public static let alwaysFires = Rule(storage: .alwaysFires)
      /// A check that never changes the outcome: a stop on the same answers
      /// always fires with it.
      public static let preEmpted = Rule(storage: .preEmpted)
      /// A stop or referral can end the consultation before a question its
      /// own condition makes applicable is asked.
      public static let endsBeforeDetail = Rule(storage: .endsBeforeDetail)
      /// A step's input guard keeps an area's limit from being reached.
      public static let limitHidden = Rule(storage: .limitHidden)
      /// A stop or referral that skipping an optional step switches off.
      public static let skippableContraindication = Rule(storage: .skippableContraindication)

      /// Every rule this version of the analysis applies.
      public static var allCases: [Rule] { Storage.allCases.map(Rule.init(storage:)) }

      /// The rule's name as `mesoflow check` prints it: `never-fires`,
      /// `consent-missing`, ...
      public var rawValue: String { storage.rawValue }

      /// The rule with this name; `nil` for a name this version does not know.
      public init?(rawValue: String) {
        guard let storage = Storage(rawValue: rawValue) else { return nil }
        self.storage = storage
      }

      init(storage: Storage) { self.storage = storage }

      public var description: String { rawValue }
    }

    /// The rule broken.
    public var rule: Rule
    /// An error makes the workflow unsafe; a warning does not.
    public var severity: Diagnostic.Severity
    /// Where the problem is written.
    public var location: SourceLocation
    /// What is wrong, in words for a clinic lead.
    public var message: String
    /// A path that breaks the rule, from the start; empty when no path shows it.
    public var path: [PathStage]

    /// Creates a finding.
    init(
      _ rule: Rule, _ severity: Diagnostic.Severity, at location: SourceLocation, _ message: String,
      path: [PathStage] = []
    ) {
      self.rule = rule
      self.severity = severity
      self.location = location
      self.message = message
      self.path = path
    }

    /// The path as one line: `consultation (age, goals) -> screening (...) -> injection`.
    public var pathDescription: String? {
      path.isEmpty ? nil : path.map(\.description).joined(separator: " -> ")
    }

    /// The finding as a diagnostic, with the path as a note; `source`, when
    /// given, supplies the offending line.
    public func diagnostic(source: SourceText? = nil) -> Diagnostic {
      let notes = pathDescription.map { ["path: " + $0] } ?? []
      if let source { return source.diagnostic(severity, at: location, message, notes: notes) }
      return Diagnostic(severity, at: location, message, notes: notes)
    }

    /// `FILE:LINE:COL: error: MESSAGE`.
    public var description: String { diagnostic().description }
  }

  /// One stage of a path, with the steps asked in it along that path.
  public struct PathStage: Sendable, Hashable, CustomStringConvertible {
    /// The stage's id.
    public var stage: String
    /// The steps of the stage asked on the path, in order.
    public var steps: [PathStep]

    /// Creates a path stage.
    init(stage: String, steps: [PathStep]) {
      self.stage = stage
      self.steps = steps
    }

    /// `stage (step, step)`: every step when there are few; otherwise the
    /// steps that matter to the finding and those not always asked, and how
    /// many more there are.
    public var description: String {
      guard !steps.isEmpty else { return stage }
      let shown = steps.count <= 4 ? steps : steps.filter { $0.isRelevant || $0.condition != nil || $0.isOptional }
      var parts = shown.map(\.description)
      if shown.count < steps.count {
        let more = steps.count - shown.count
        parts.append(shown.isEmpty ? "\(more) steps" : "\(more) more")
      }
      return "\(stage) (\(parts.joined(separator: ", ")))"
    }
  }

  /// One step of a path.
  public struct PathStep: Sendable, Hashable, CustomStringConvertible {
    /// The step's id.
    public var id: String
    /// The condition under which it is asked, if any.
    public var condition: String?
    /// Whether staff may skip it.
    public var isOptional: Bool
    /// Whether the finding is about it.
    public var isRelevant: Bool

    /// Creates a path step.
    init(id: String, condition: String? = nil, isOptional: Bool = false, isRelevant: Bool = false) {
      self.id = id
      self.condition = condition
      self.isOptional = isOptional
      self.isRelevant = isRelevant
    }

    /// `id`, `id (only when CONDITION)` or `id (optional)`.
    public var description: String {
      if let condition { return "\(id) (only when \(condition))" }
      return isOptional ? "\(id) (optional)" : id
    }
  }
}

/// The working state of one analysis.
struct Analyser {
  struct StepInfo {
    var step: Step
    var stage: Int
    var position: Int
  }

  /// A point of a consultation at which an expression is evaluated.
  enum Point {
    /// Before stage `stage` begins (its waits).
    case entry(Int)
    /// Before the step at `position` of `stage` is asked (its condition).
    case before(Int, position: Int)
    /// When stage `stage` ends (its checks and transitions).
    case end(Int)

    var stage: Int {
      switch self {
      case .entry(let stage), .before(let stage, _), .end(let stage): return stage
      }
    }
  }

  let merged: MergedWorkflow
  let today: CalendarDate
  let stages: [MergedWorkflow.MergedStage]
  var stageIndex: [String: Int] = [:]
  var steps: [String: StepInfo] = [:]
  /// For each stage, the stages its transitions lead to, with the condition.
  var successors: [[(target: Int, condition: Expression?)]] = []
  var reachable: Set<Int> = []
  /// For each reachable stage, the stages every path from the start to it passes (itself included).
  var dominators: [Int: Set<Int>] = [:]
  /// For each reachable stage, the facts that hold on every path into it.
  var entryFacts: [Int: Facts] = [:]
  /// Checks proven never to fire.
  var neverFiring: Set<String> = []
  var findings: [WorkflowAnalysis.Finding] = []

  init(_ merged: MergedWorkflow, today: CalendarDate) {
    self.merged = merged
    self.today = today
    stages = merged.stages
    for (index, stage) in stages.enumerated() {
      stageIndex[stage.id] = index
      for (position, step) in stage.steps.lazy.map(\.step).enumerated() where steps[step.id] == nil {
        steps[step.id] = StepInfo(step: step, stage: index, position: position)
      }
    }
    successors = stages.map { stage in
      stage.stage.transition.branchesWithConditions.compactMap { branch in
        stageIndex[branch.target].map { ($0, branch.condition) }
      }
    }
  }

  func guardOf(_ step: String) -> Expression? { steps[step]?.step.condition }

  mutating func run() {
    guard let start = stageIndex[merged.workflow.start] else { return }
    findReachable(from: start)
    findDominators(from: start)
    findEntryFacts(from: start)
    checkReachability()
    checkWaysOut()
    checkReads()
    checkFiring()
    checkPreEmption()
    checkDetailsBeforeEnding()
    checkSkippableContraindications()
    checkLimitGuards()
    checkOutcomes()
    checkScreening()
    checkConsent()
  }

  // MARK: - The stage graph

  mutating func findReachable(from start: Int) {
    var work = [start]
    reachable = [start]
    while let stage = work.popLast() {
      for (target, _) in successors[stage] where reachable.insert(target).inserted { work.append(target) }
    }
  }

  /// Iterates `dom(n) = {n} ∪ ⋂ dom(p)` over the predecessors `p` of `n` to
  /// a fixed point; the graphs are small.
  mutating func findDominators(from start: Int) {
    let all = reachable
    var predecessors: [Int: [Int]] = [:]
    for stage in reachable { for (target, _) in successors[stage] { predecessors[target, default: []].append(stage) } }
    for stage in reachable { dominators[stage] = stage == start ? [start] : all }
    var changed = true
    while changed {
      changed = false
      for stage in reachable.sorted() where stage != start {
        var common = all
        for predecessor in predecessors[stage] ?? [] { common.formIntersection(dominators[predecessor] ?? all) }
        common.insert(stage)
        if common != dominators[stage] {
          dominators[stage] = common
          changed = true
        }
      }
    }
  }

  /// The conditions of the transitions taken hold when a stage begins; what
  /// holds on every way into a stage holds in it.
  mutating func findEntryFacts(from start: Int) {
    entryFacts = [start: Facts()]
    var changed = true
    while changed {
      changed = false
      for stage in reachable.sorted() {
        guard let facts = entryFacts[stage] else { continue }
        var untaken = Facts()
        for (target, condition) in successors[stage] {
          defer {
            // A branch not taken had a condition that did not hold; when that
            // condition is always decided, it was false on the later branches.
            if let condition, isDecided(condition, at: .end(stage), facts) {
              for part in condition.root.disjuncts { untaken.add(part.negated, guards: guardOf) }
            }
          }
          guard target != start else { continue }
          var along = facts
          for (_, fact) in untaken.conditions { along.add(fact, guards: guardOf) }
          if let condition { along.add(condition.root, guards: guardOf) }
          let merged = entryFacts[target].map { $0.intersection(along) } ?? along
          if entryFacts[target].map({
            $0.conditions.keys.sorted() != merged.conditions.keys.sorted() || $0.answered != merged.answered
          }) ?? true {
            entryFacts[target] = merged
            changed = true
          }
        }
      }
    }
  }

  /// Whether `expression`, evaluated at `point`, always has a value: every
  /// step it reads is answered there, or something known decides it first.
  func isDecided(_ expression: Expression, at point: Point, _ facts: Facts) -> Bool {
    var decided = true
    expression.root.forEachRead(facts, guards: guardOf) { step, _, known in
      if decided, readProblem(step, at: point, known) != nil { decided = false }
    }
    expression.root.forEachAnsweredCall { _, _, _ in decided = false }
    return decided
  }

  /// Whether step `info` is asked before `point` on every path to it, when asked at all.
  func isOrdered(_ info: StepInfo, before point: Point) -> Bool {
    guard let dominating = dominators[point.stage] else { return false }
    switch point {
    case .entry(let stage): return info.stage != stage && dominating.contains(info.stage)
    case .before(let stage, let position):
      return info.stage == stage ? info.position < position : dominating.contains(info.stage)
    case .end: return dominating.contains(info.stage)
    }
  }

  /// A shortest path of stages from the start to `target`, avoiding `avoid`
  /// (unless it is the target); `nil` when there is none.
  func path(to target: Int, avoiding avoid: Int? = nil) -> [Int]? {
    guard let start = stageIndex[merged.workflow.start], start != avoid || start == target else { return nil }
    var previous: [Int: Int] = [start: start]
    var queue = [start]
    var head = 0
    while head < queue.count {
      let stage = queue[head]
      head += 1
      if stage == target {
        var path = [stage]
        while let before = previous[path[0]], before != path[0] { path.insert(before, at: 0) }
        return path
      }
      for (next, _) in successors[stage] where previous[next] == nil && (next != avoid || next == target) {
        previous[next] = stage
        queue.append(next)
      }
    }
    return nil
  }

  /// `stages` as path stages; the last lists only the steps asked before
  /// `point`. The steps in `relevant` are always shown.
  func describe(_ path: [Int], upTo point: Point, relevant: Set<String> = []) -> [WorkflowAnalysis.PathStage] {
    path.enumerated().map { position, index in
      var asked = stages[index].steps.map(\.step)
      if position == path.count - 1 {
        switch point {
        case .entry: asked = []
        case .before(_, let before): asked = Array(asked.prefix(before))
        case .end: break
        }
      }
      return WorkflowAnalysis.PathStage(
        stage: stages[index].id,
        steps: asked.map { step in
          WorkflowAnalysis.PathStep(
            id: step.id, condition: step.condition?.text, isOptional: step.isOptional,
            isRelevant: relevant.contains(step.id))
        })
    }
  }

  mutating func report(
    _ rule: WorkflowAnalysis.Finding.Rule, _ severity: Diagnostic.Severity = .error, at location: SourceLocation,
    _ message: String, path: [WorkflowAnalysis.PathStage] = []
  ) {
    let finding = WorkflowAnalysis.Finding(rule, severity, at: location, message, path: path)
    if !findings.contains(finding) { findings.append(finding) }
  }

  // MARK: - Reachability and ways out

  mutating func checkReachability() {
    for (index, stage) in stages.enumerated() where !reachable.contains(index) {
      report(
        .unreachableStage, at: stage.stage.location,
        "stage '\(stage.id)' is never reached: no transition from the start or a reachable stage leads to it")
    }
  }

  mutating func checkWaysOut() {
    var leadsToEnd = Set(
      reachable.filter { if case .end = stages[$0].stage.transition { return true } else { return false } })
    var changed = true
    while changed {
      changed = false
      for stage in reachable
      where !leadsToEnd.contains(stage) && successors[stage].contains(where: { leadsToEnd.contains($0.target) }) {
        leadsToEnd.insert(stage)
        changed = true
      }
    }
    for stage in reachable.sorted() where !leadsToEnd.contains(stage) {
      // A loop that never ends: follow the first transitions until a stage repeats.
      var loop = [stage]
      while let next = successors[loop[loop.count - 1]].first?.target, !loop.contains(next) { loop.append(next) }
      if let next = successors[loop[loop.count - 1]].first?.target { loop.append(next) }
      let location = stages[stage].stage.transition.location ?? stages[stage].stage.location
      report(
        .noWayOut, at: location,
        "stage '\(stages[stage].id)' has no way out: no path from it reaches a stage that ends the consultation",
        path: loop.map { WorkflowAnalysis.PathStage(stage: stages[$0].id, steps: []) })
    }
    for stage in reachable.sorted() {
      guard case .branches(let branches) = stages[stage].stage.transition, let last = branches.last,
        let condition = last.condition
      else { continue }
      report(
        .noWayOut, at: last.location,
        "stage '\(stages[stage].id)' may have no way out: when no branch's condition holds (the last is `\(condition.text)`), the consultation ends as deferred with no contraindication behind it; end the list with a branch that has no 'when'"
      )
    }
  }

  // MARK: - Definite assignment

  /// Every expression, at the point where the engine evaluates it.
  mutating func checkReads() {
    for index in reachable.sorted() {
      let stage = stages[index]
      let facts = entryFacts[index] ?? Facts()
      for (position, step) in stage.steps.lazy.map(\.step).enumerated() {
        guard let condition = step.condition else { continue }
        checkReads(
          condition, at: .before(index, position: position), facts, "the condition of step '\(step.id)'", step.location)
      }
      for check in stage.checks.lazy.map(\.check) {
        if let expression = check.condition.expression {
          checkReads(expression, at: .end(index), facts, "check '\(check.id)'", check.location, isCheck: true)
        } else {
          for input in check.condition.inputs {
            checkRead(input, at: .end(index), facts, "check '\(check.id)'", check.location)
          }
        }
      }
      for wait in stage.waits.lazy.map(\.wait) {
        if let condition = wait.condition {
          checkReads(condition, at: .entry(index), facts, "the wait before stage '\(stage.id)'", wait.location)
        }
        let waitFacts = wait.condition.map { facts.adding($0.root, guards: guardOf) } ?? facts
        checkRead(
          wait.since, at: .entry(index), waitFacts, "the wait before stage '\(stage.id)'", wait.sinceLocation,
          as: .since)
      }
      if case .branches(let branches) = stage.stage.transition {
        for branch in branches {
          guard let condition = branch.condition else { continue }
          checkReads(
            condition, at: .end(index), facts, "the transition from '\(stage.id)' to '\(branch.target)'",
            branch.location)
        }
      }
    }
  }

  mutating func checkReads(
    _ expression: Expression, at point: Point, _ facts: Facts, _ subject: String, _ fallback: SourceLocation,
    isCheck: Bool = false
  ) {
    checkAnsweredCalls(expression, at: point, subject, fallback, isCheck: isCheck)
    var reads: [(String, Int, Facts)] = []
    expression.root.forEachRead(facts, guards: guardOf) { reads.append(($0, $1, $2)) }
    // Like a compiler with a variable, only the first read of a step that can find no answer is reported.
    var reported = Set<String>()
    for (step, offset, known) in reads where !reported.contains(step) {
      if readProblem(step, at: point, known) != nil { reported.insert(step) }
      checkRead(step, at: point, known, subject, expression.location(ofByteOffset: offset) ?? fallback)
    }
  }

  /// `answered(step)` is false until the step is asked, and stays false if it
  /// is skipped. A check is decided as soon as one of its answers comes in
  /// and again at each change, never at the end of a stage: so a check must
  /// not fire on a missing answer, which it would do before the step is
  /// asked. Anywhere else, the step must be asked before the point where the
  /// condition is evaluated.
  mutating func checkAnsweredCalls(
    _ expression: Expression, at point: Point, _ subject: String, _ fallback: SourceLocation, isCheck: Bool
  ) {
    var calls: [(String, Int, Bool)] = []
    expression.root.forEachAnsweredCall { calls.append(($0, $1, $2)) }
    for (step, offset, positive) in calls {
      let location = expression.location(ofByteOffset: offset) ?? fallback
      if isCheck {
        guard !positive else { continue }
        report(
          .readBeforeAsked, at: location,
          "\(subject) fires when '\(step)' has no answer, but a check is decided as soon as its answers come in: it would fire before '\(step)' is asked, and never see it skipped. Ask a yes-no question instead"
        )
      } else if let info = steps[step], !isOrdered(info, before: point),
        let problem = readProblem(step, at: point, Facts())
      {
        report(
          .readBeforeAsked, at: location,
          "\(subject) reads answered(\(step)), which is false until '\(step)' is asked, and '\(step)' \(problem.reason(for: .expression))",
          path: problem.path)
      }
    }
  }

  /// Reports a read of `step` at `point` that can find it unasked.
  mutating func checkRead(
    _ step: String, at point: Point, _ facts: Facts, _ subject: String, _ location: SourceLocation,
    as use: ReadProblem.Use = .expression
  ) {
    if let problem = readProblem(step, at: point, facts) {
      report(
        .readBeforeAsked, at: location, "\(subject) reads '\(step)', which \(problem.reason(for: use))",
        path: problem.path)
    }
  }

  /// Why a read can find no answer.
  struct ReadProblem {
    enum Kind {
      /// Asked after the read, in the same stage.
      case laterInStage(String)
      /// Asked only in a stage that comes after the read's.
      case laterStage(String)
      /// Asked in a stage that some path bypasses.
      case bypassed(String, reaching: String)
      /// Asked only when its condition holds.
      case conditional(String)
      /// Staff may skip it.
      case optional
    }

    /// How the step is read, which decides the advice.
    enum Use {
      case expression, since, consent
    }

    var step: String
    var kind: Kind
    var path: [WorkflowAnalysis.PathStage]

    /// The reason, as a predicate of the step: "is asked only later, ...".
    func reason(for use: Use) -> String {
      switch kind {
      case .laterInStage(let stage):
        return use == .expression
          ? "is asked only after it, in stage '\(stage)'" : "is asked only once stage '\(stage)' has begun"
      case .laterStage(let stage): return "is asked only later, in stage '\(stage)'"
      case .bypassed(let stage, let reaching):
        return
          "is not asked on every path to stage '\(reaching)': one reaches '\(reaching)' without passing stage '\(stage)', where it is asked"
      case .conditional(let condition):
        switch use {
        case .expression:
          return
            "is asked only when `\(condition)`; where that does not hold there is no answer to read. Say what happens then: `\(condition) and ...`"
        case .since:
          return
            "is asked only when `\(condition)`; where that does not hold the wait is silently dropped. Give the wait `when: \(condition)` (with any condition of its own after an `and`)"
        case .consent:
          return "is asked only when `\(condition)`; ask it on every path (remove its 'when')"
        }
      case .optional:
        switch use {
        case .expression: return "may be skipped by staff; read it as `answered(\(step)) and ...`"
        case .since:
          return
            "may be skipped by staff, and then the wait is silently dropped; make it required or give the wait `when: answered(\(step))`"
        case .consent: return "may be skipped by staff; make it required (remove `optional: true`)"
        }
      }
    }
  }

  /// Why a read of `step` at `point` can find no answer, with a path that
  /// shows it; `nil` when it always finds one.
  func readProblem(_ step: String, at point: Point, _ facts: Facts) -> ReadProblem? {
    guard let info = steps[step] else { return nil }
    let here = point.stage
    let askedIn = stages[info.stage].id
    let relevant = Set([step] + (info.step.condition?.references ?? []))
    if !isOrdered(info, before: point) {
      if info.stage == here {
        let witness = path(to: here).map { describe($0, upTo: point, relevant: relevant) } ?? []
        return ReadProblem(step: step, kind: .laterInStage(askedIn), path: witness)
      }
      let witness = path(to: here, avoiding: info.stage) ?? []
      // "Later" only when the stage comes after this one and never before it.
      let isLater = canReach(info.stage, from: here) && !canReach(here, from: info.stage)
      let kind: ReadProblem.Kind = isLater ? .laterStage(askedIn) : .bypassed(askedIn, reaching: stages[here].id)
      return ReadProblem(
        step: step, kind: kind,
        path: describe(witness.isEmpty ? (path(to: here) ?? []) : witness, upTo: point, relevant: relevant))
    }
    if facts.answered.contains(step) { return nil }
    let witness = path(to: here).map { describe($0, upTo: point, relevant: relevant) } ?? []
    if let condition = info.step.condition, !condition.root.conjuncts.allSatisfy(facts.holds) {
      return ReadProblem(step: step, kind: .conditional(condition.text), path: witness)
    }
    if info.step.isOptional {
      return ReadProblem(step: step, kind: .optional, path: witness)
    }
    return nil
  }

  /// Whether some path leads from stage `source` to stage `target` (through at least one transition).
  func canReach(_ target: Int, from source: Int) -> Bool {
    var seen: Set<Int> = []
    var work = successors[source].map(\.target)
    while let stage = work.popLast() {
      if stage == target { return true }
      if seen.insert(stage).inserted { work += successors[stage].map(\.target) }
    }
    return false
  }

  // MARK: - Outcomes, screening and consent

  /// A consultation must be able to complete. Deferred and referred are
  /// required only where something leads to them: a workflow with no stop
  /// or referral need not be able to end so (a stop or referral that can
  /// never fire is reported as such).
  mutating func checkOutcomes() {
    let completes = reachable.contains { index in
      if case .end(.completed, _) = stages[index].stage.transition { return true }
      return false
    }
    if !completes {
      report(
        .unreachableOutcome, at: merged.workflow.outcomes[.completed]?.location ?? merged.workflow.location,
        "outcome 'completed' can never be reached: no reachable stage ends with 'end: completed'")
    }
  }

  /// Every check of the screening stages is decided before the procedure
  /// stage begins, on every path to it.
  mutating func checkScreening() {
    let workflow = merged.workflow
    guard let procedure = stageIndex[workflow.procedureStage], reachable.contains(procedure) else { return }
    if workflow.screeningStages.isEmpty {
      report(
        .unscreenedProcedure, at: workflow.location,
        "the workflow names no screening stage, so nothing proves that screening comes before stage '\(workflow.procedureStage)'; add 'screening: STAGE'"
      )
      return
    }
    let point = Point.entry(procedure)
    let facts = entryFacts[procedure] ?? Facts()
    // The checks of the screening stages, and every stop and referral of a
    // stage that comes before the procedure on some path: none may be
    // bypassed on the way to it.
    var guarded: [(check: Check, stage: Int, label: String)] = []
    var named = Set<Int>()
    for name in workflow.screeningStages {
      guard let screening = stageIndex[name] else {
        report(
          .unscreenedProcedure, at: workflow.location, "the screening stage '\(name)' is not a stage of the workflow")
        continue
      }
      named.insert(screening)
      guarded += stages[screening].checks.map { ($0.check, screening, "screening check") }
    }
    for index in stages.indices where !named.contains(index) && index != procedure && canReach(procedure, from: index) {
      for check in stages[index].checks.lazy.map(\.check) where check.outcome == .stop || check.outcome == .refer {
        guarded.append((check, index, check.outcome == .stop ? "stop check" : "referral check"))
      }
    }
    for (check, stage, label) in guarded {
      var reads: [(String, SourceLocation, Facts)] = []
      if let expression = check.condition.expression {
        expression.root.forEachRead(facts, guards: guardOf) { step, offset, known in
          reads.append((step, expression.location(ofByteOffset: offset) ?? check.location, known))
        }
      } else {
        reads = check.condition.inputs.map { ($0, check.location, facts) }
      }
      // A read already reported where the check itself is decided is not reported again.
      let ownFacts = entryFacts[stage] ?? Facts()
      var reported = Set<String>()
      if reachable.contains(stage), let expression = check.condition.expression {
        expression.root.forEachRead(ownFacts, guards: guardOf) { step, _, known in
          if readProblem(step, at: .end(stage), known) != nil { reported.insert(step) }
        }
      }
      for (step, location, known) in reads where !reported.contains(step) {
        guard let problem = readProblem(step, at: point, known) else { continue }
        reported.insert(step)
        report(
          .unscreenedProcedure, at: location,
          "\(label) '\(check.id)' is not decided before stage '\(workflow.procedureStage)' on every path: it reads '\(step)', which \(problem.reason(for: .expression))",
          path: problem.path)
      }
    }
  }

  /// Every consent step is asked, unconditionally, before the procedure
  /// stage begins, on every path to it.
  mutating func checkConsent() {
    guard let procedure = stageIndex[merged.workflow.procedureStage], reachable.contains(procedure) else { return }
    let consents = stages.flatMap(\.steps).map(\.step).filter {
      if case .consent = $0.answer { return true } else { return false }
    }
    if consents.isEmpty {
      report(
        .consentMissing, at: stages[procedure].stage.location,
        "no step takes the patient's consent before stage '\(stages[procedure].id)'; add a step of type consent before it",
        path: path(to: procedure).map { describe($0, upTo: .entry(procedure)) } ?? [])
      return
    }
    // A consent asked only under a condition (an off-label drug's, say) is
    // the author's intent, and one asked after the procedure (photos for the
    // record) is not about it; every other consent before the procedure must
    // be taken on every path, and at least one must be.
    let before = consents.filter { consent in
      guard let stage = steps[consent.id]?.stage else { return false }
      return stage == procedure || canReach(procedure, from: stage)
    }
    let required = before.filter { $0.condition == nil && !$0.isOptional }
    for consent in required.isEmpty ? Array(before.prefix(1)) : required {
      guard let problem = readProblem(consent.id, at: .entry(procedure), Facts()) else { continue }
      report(
        .consentMissing, at: consent.location,
        "stage '\(stages[procedure].id)' can begin before consent '\(consent.id)' is taken: it \(problem.reason(for: .consent))",
        path: problem.path)
    }
    if before.isEmpty, let first = consents.first {
      report(
        .consentMissing, at: first.location,
        "stage '\(stages[procedure].id)' can begin before any consent is taken: consent '\(first.id)' is asked only after it, in stage '\(stages[steps[first.id]?.stage ?? procedure].id)'; take consent before the procedure",
        path: path(to: procedure).map { describe($0, upTo: .entry(procedure)) } ?? [])
    }
  }
}

extension Transition {
  /// The branches with their conditions; none for an end.
  var branchesWithConditions: [(target: String, condition: Expression?)] {
    if case .branches(let branches) = self { return branches.map { ($0.target, $0.condition) } }
    return []
  }

  /// Where the transition is written.
  var location: SourceLocation? {
    switch self {
    case .branches(let branches): return branches.first?.location
    case .end(_, let location): return location
    }
  }
}
