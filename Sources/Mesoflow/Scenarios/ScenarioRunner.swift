public import MesoflowYAML

/// What running one scenario gave.
public struct ScenarioResult: Sendable {
  /// One expectation that did not hold: what was expected, what came out.
  public struct Mismatch: Sendable, Hashable, CustomStringConvertible {
    /// The expectation's key, such as `outcome` or `fired`.
    public var key: String
    /// What the scenario expects.
    public var expected: String
    /// What came out.
    public var actual: String
    /// Where the expectation is written.
    public var location: SourceLocation

    /// Whether the mismatch is something that did not happen (a step never
    /// asked, a check that never fired, another outcome), which follows from
    /// the consultation stopping early; rather than something that did
    /// happen and should not have (a check that fired, an answer accepted).
    var followsFromStop = false

    /// `KEY: expected EXPECTED, got ACTUAL`.
    public var description: String { "\(key): expected \(expected), got \(actual)" }
  }

  /// Why a scenario stopped short: the consultation asked a question the
  /// scenario gives no answer for, and the scenario did not expect to pause
  /// there. Everything that failed only because the consultation stopped
  /// there (steps never asked, checks that never fired, the outcome) is left
  /// out of ``ScenarioResult/mismatches``, since this one line fixes it.
  public struct Unanswered: Sendable, Hashable, CustomStringConvertible {
    /// The step the consultation paused at.
    public var step: String
    /// Its question.
    public var prompt: String
    /// An answer of the step's type, written as a scenario's answer line.
    public var example: String
    /// The patient the scenario extends, whose answers are the place for
    /// the line when every scenario that extends it needs it.
    public var patient: String?
    /// Where the line goes: the answers of the scenario's patient, or of the
    /// scenario (the scenario itself, when it has none).
    public var location: SourceLocation

    /// `paused at step 'STEP' (PROMPT), which the scenario does not answer; ...`.
    public var description: String {
      let line = "add a line such as `\(step): \(example)` to "
      return "paused at step '\(step)' (\(prompt)), which the scenario does not answer; "
        + (patient.map { line + "the answers of patient '\($0)', which it extends, or to its own" } ?? line
          + "its answers")
    }
  }

  /// The scenario.
  public var scenario: Scenario
  /// The expectations that did not hold, and problems that stopped the run
  /// (an unknown step, an answer refused that should not be).
  public var mismatches: [Mismatch]
  /// Problems in the scenario itself, such as an id the consultation lacks.
  public var diagnostics: [Diagnostic]
  /// How the consultation ended, or `nil` when it paused.
  public var outcome: Outcome?
  /// The stage it ended or paused in.
  public var stage: String?
  /// The step it paused at, when the answers ran out.
  public var pausedAt: String?
  /// The workflow the scenario ran, once known.
  public var workflow: String?
  /// The checks that fired, each once, in order (even if cleared later).
  public var fired: [String] = []
  /// The steps asked (answered, skipped, or the one paused at), each once, in order.
  public var asked: [String] = []
  /// The first cause of a failure, when the consultation paused at a step
  /// the scenario does not answer and did not mean to pause at.
  public var unanswered: Unanswered?
  /// The consultation as the scenario left it, once it started: its record
  /// and documents are those of a real consultation with these answers.
  public var consultation: Consultation?

  /// Whether every expectation held.
  public var passed: Bool { mismatches.isEmpty && diagnostics.isEmpty && unanswered == nil }
}

extension Scenario {
  /// Runs the scenario against `catalog`: starts a consultation for its
  /// areas, answers each question from its answers (trying the answers that
  /// must be refused first), acknowledges warnings and exclusions, ends at a
  /// stop, ends at a referral unless a physician's approval is given, waits
  /// out each wait unless `override-wait` is given, and compares what came
  /// out with what is expected. Nothing is read from a clock or a file.
  public func run(in catalog: Catalog) -> ScenarioResult {
    var result = ScenarioResult(scenario: self, mismatches: [], diagnostics: [])
    func problem(_ location: SourceLocation, _ message: String) {
      result.diagnostics.append(Diagnostic(at: location, message))
    }
    guard let workflowID = workflow ?? (catalog.workflows.count == 1 ? catalog.workflows.keys.first : nil) else {
      problem(
        location, "say which workflow the scenario runs ('workflow:'); the definitions hold \(catalog.workflows.count)")
      return result
    }
    result.workflow = workflowID
    let merged: MergedWorkflow
    do {
      merged = try catalog.merged(workflow: workflowID, areas: areas)
    } catch {
      problem(areasLocation, error.message)
      return result
    }
    checkIDs(merged, problem)
    guard result.diagnostics.isEmpty else { return result }

    let clock = ManualClock(Timestamp(date, hour: 9))
    let clinician = Clinician(name: "scenario (\(role.rawValue))", role: role)
    var consultation: Consultation
    do {
      consultation = try Consultation(id: "scenario", workflow: merged, staff: clinician, clock: clock)
    } catch {
      problem(location, error.message)
      return result
    }
    var rejectedTried = Set<Int>()
    var limitTried = Set<Int>()
    var mismatches: [ScenarioResult.Mismatch] = []
    func mismatch(
      _ key: String, _ expected: String, _ actual: String, at place: SourceLocation? = nil,
      followsFromStop: Bool = false
    ) {
      mismatches.append(
        ScenarioResult.Mismatch(
          key: key, expected: expected, actual: actual, location: place ?? expect.locations[key] ?? location,
          followsFromStop: followsFromStop))
    }
    var pausedStep: Step?

    run: while true {
      switch consultation.prompt {
      case .finished:
        break run
      case .question(let question):
        let step = question.step
        // Answers that must be refused are tried first, while the step is asked.
        for (index, entry) in expect.rejected.enumerated() where entry.key == step.id {
          rejectedTried.insert(index)
          // The trial runs on a copy, so the consultation goes on either way.
          if case .success(let accepted) = trial(entry, step, consultation, clock) {
            mismatch(
              "rejected", "'\(entry.text)' for \(step.id) refused", "accepted as \(accepted)", at: entry.location)
          }
        }
        for (index, entry) in expect.limitRefused.enumerated() where entry.key == step.id {
          limitTried.insert(index)
          switch trial(entry, step, consultation, clock) {
          case .success(let answer):
            mismatch(
              "limit-refused", "'\(entry.text)' for \(step.id) refused by a limit", "accepted as \(answer)",
              at: entry.location)
          case .failure(let error) where error.kind != .limitExceeded:
            mismatch(
              "limit-refused", "'\(entry.text)' for \(step.id) refused by a limit", "refused: \(error.message)",
              at: entry.location)
          case .failure:
            break
          }
        }
        guard let entry = answer(step.id) else {
          if step.isOptional, (try? consultation.skip(step.id, by: clinician)) != nil { continue }
          result.pausedAt = step.id
          pausedStep = step
          break run
        }
        clock.advance(by: TimeSpan(seconds: 30))
        do throws(ConsultationError) {
          let parsed = try step.parseAnswer(entry.text, now: clock.now())
          try consultation.answer(step.id, parsed, by: clinician)
        } catch {
          mismatch(
            "answers", "'\(entry.text)' accepted for \(step.id)", "refused: \(error.message)", at: entry.location)
          break run
        }
      case .resolve(let alert):
        let check = alert.check
        let resolution = answer(check.id).flatMap { CheckResolution($0.text) }
        do throws(ConsultationError) {
          switch (check.outcome, resolution) {
          case (.warn, _), (.exclude, _):
            try consultation.acknowledge(check.id, by: clinician)
          case (.refer, .approve(let reason)?):
            try consultation.override(check.id, reason: reason, by: clinician)
          case (.stop, _), (.refer, _):
            try consultation.end(because: check.id, note: resolution?.note, by: clinician)
          }
        } catch {
          mismatch(
            "answers", "check '\(check.id)' resolved", "refused: \(error.message)", at: answer(check.id)?.location)
          break run
        }
      case .wait(let notice):
        if let entry = answer("override-wait") {
          do throws(ConsultationError) {
            try consultation.overrideWait(reason: entry.text, by: clinician)
          } catch {
            mismatch(
              "answers", "the wait before '\(notice.stage)' ended early", "refused: \(error.message)",
              at: entry.location)
            break run
          }
        } else {
          clock.set(notice.until)
          do throws(ConsultationError) {
            _ = try consultation.proceed(by: clinician)
          } catch {
            mismatch("answers", "the wait before '\(notice.stage)' over", "refused: \(error.message)")
            break run
          }
        }
      }
    }

    for (index, entry) in expect.rejected.enumerated() where !rejectedTried.contains(index) {
      mismatch(
        "rejected", "'\(entry.text)' tried at step \(entry.key)", "step \(entry.key) was never asked",
        at: entry.location,
        followsFromStop: true)
    }
    for (index, entry) in expect.limitRefused.enumerated() where !limitTried.contains(index) {
      mismatch(
        "limit-refused", "'\(entry.text)' tried at step \(entry.key)", "step \(entry.key) was never asked",
        at: entry.location, followsFromStop: true)
    }

    // Answers the consultation never used test nothing: say so, unless the
    // run was already cut short by a refusal reported above.
    if !mismatches.contains(where: { $0.key == "answers" }) {
      var used = Set<String>()
      var waited = false
      for event in consultation.events {
        switch event.kind {
        case .answered(let step, _), .skipped(let step): used.insert(step)
        case .checkFired(let check, _): used.insert(check)
        case .waitStarted: waited = true
        default: break
        }
      }
      // A patient's answers serve many scenarios: only the scenario's own are held to this.
      for entry in answers
      where entry.patient == nil && !used.contains(entry.key) && (entry.key != "override-wait" || !waited) {
        let isCheck = merged.stages.contains { $0.checks.contains { $0.check.id == entry.key } }
        let what =
          entry.key == "override-wait"
          ? "no wait began" : isCheck ? "the check never fired" : "the step was never asked"
        mismatch(
          "answers", "'\(entry.key)' used", "\(what), so this answer tests nothing", at: entry.keyLocation,
          followsFromStop: true)
      }
      for entry in removed where !used.contains(entry.key) && result.pausedAt != entry.key {
        mismatch(
          "answers", "'\(entry.key)' asked and left unanswered",
          "the step was never asked, so taking its answer away tests nothing",
          at: entry.keyLocation, followsFromStop: true)
      }
    }

    let state = consultation.state
    result.outcome = state.outcome
    result.stage = state.stage
    (result.fired, result.asked) = Self.firedAndAsked(consultation, pausedAt: result.pausedAt)
    compare(consultation, result.pausedAt, fired: result.fired, asked: result.asked) {
      mismatch($0, $1, $2, followsFromStop: $3)
    }
    if let step = pausedStep, let cause = firstCause(pausedAt: step, mismatches) {
      result.unanswered = cause
      mismatches.removeAll(where: \.followsFromStop)
    }
    result.mismatches = mismatches
    result.consultation = consultation
    return result
  }

  /// The unanswered step as the first cause of the failure, when the scenario
  /// did not mean to pause at it: it expects another outcome (or none), or it
  /// expects a pause but somewhere else (another stage, a step asked later,
  /// an answer or a refusal of its own the consultation never reached).
  func firstCause(pausedAt step: Step, _ mismatches: [ScenarioResult.Mismatch]) -> ScenarioResult.Unanswered? {
    // A step whose answer the scenario takes away is where it means to stop.
    guard !mismatches.isEmpty, !removed.contains(where: { $0.key == step.id }) else { return nil }
    if expect.outcome == .paused {
      let elsewhere: Set<String> = ["stage", "asked", "answers", "rejected", "limit-refused"]
      guard mismatches.contains(where: { $0.followsFromStop && elsewhere.contains($0.key) }) else { return nil }
    }
    return ScenarioResult.Unanswered(
      step: step.id, prompt: step.prompt, example: step.exampleAnswer(on: date), patient: patient,
      location: patientAnswersLocation ?? answersLocation ?? location)
  }

  /// Tries `entry` at `step` on a copy of the consultation, so that the
  /// consultation goes on as if it had been refused either way.
  func trial(_ entry: Entry, _ step: Step, _ consultation: Consultation, _ clock: ManualClock) -> Result<
    Answer, ConsultationError
  > {
    var copy = consultation
    do throws(ConsultationError) {
      let parsed = try step.parseAnswer(entry.text, now: clock.now())
      try copy.answer(step.id, parsed)
      return .success(parsed)
    } catch {
      return .failure(error)
    }
  }

  /// Reports ids the consultation does not have.
  func checkIDs(_ merged: MergedWorkflow, _ problem: (SourceLocation, String) -> Void) {
    let stepIDs = merged.stages.flatMap { $0.steps.map(\.step.id) }
    let checkIDs = merged.stages.flatMap { $0.checks.map(\.check.id) }
    let stageIDs = merged.stages.map(\.id)
    let ingredientIDs = merged.ingredients.map(\.ingredient.id)
    let aftercareIDs = merged.aftercare.map(\.item.id)
    func require(_ id: String, in known: [String], _ kind: String, at place: SourceLocation) {
      if !known.contains(id) {
        problem(place, "no \(kind) '\(id)' in this consultation\(Suggestion.didYouMean(id, in: known))")
      }
    }
    let checks = Dictionary(
      merged.stages.flatMap { $0.checks.map { ($0.check.id, $0.check) } }, uniquingKeysWith: { a, _ in a })
    for entry in removed {
      if let message = merged.unknownAnswerKey(entry.key) { problem(entry.keyLocation, message) }
    }
    for entry in answers where entry.key != "override-wait" {
      // A patient's answer is checked where the patient gives it, saying which scenario extends it.
      let whose = entry.patient.map { "; patient '\($0)' gives it, and scenario '\(name)' extends that patient" } ?? ""
      if let message = merged.unknownAnswerKey(entry.key) { problem(entry.keyLocation, message + whose) }
      guard let check = checks[entry.key] else { continue }
      switch (check.outcome, CheckResolution(entry.text)) {
      case (.stop, _):
        problem(
          entry.keyLocation,
          "'\(check.id)' is a stop, which nobody can pass; remove this entry (the scenario ends the consultation when it fires)"
            + whose)
      case (.refer, .approve?), (.refer, .end?), (.warn, .acknowledged?), (.exclude, .acknowledged?):
        break
      case (.refer, _):
        problem(
          entry.location,
          "resolve referral '\(check.id)' with { approve: REASON } (a physician) or { end: NOTE }" + whose)
      case (.warn, _), (.exclude, _):
        problem(
          entry.location,
          "a scenario acknowledges '\(check.id)' by itself; write 'acknowledged' or remove this entry" + whose)
      }
    }
    for entry in expect.rejected + expect.limitRefused {
      require(entry.key, in: stepIDs, "step", at: entry.keyLocation)
    }
    func each(_ ids: [String]?, _ key: String, _ known: [String], _ kind: String) {
      for id in ids ?? [] {
        require(id, in: known, kind, at: expect.idLocations[key]?[id] ?? expect.locations[key] ?? location)
      }
    }
    each(expect.stage.map { [$0] }, "stage", stageIDs, "stage")
    each(expect.fired, "fired", checkIDs, "check")
    each(expect.notFired, "not-fired", checkIDs, "check")
    each(expect.asked, "asked", stepIDs, "step")
    each(expect.notAsked, "not-asked", stepIDs, "step")
    each(expect.excluded, "excluded", ingredientIDs, "ingredient")
    each(expect.aftercare, "aftercare", aftercareIDs, "aftercare item")
  }

  /// The checks that fired (even if cleared later) and the steps asked
  /// (answered, skipped, or the one paused at), each once, in order.
  static func firedAndAsked(_ consultation: Consultation, pausedAt: String?) -> (fired: [String], asked: [String]) {
    var fired: [String] = []
    var asked: [String] = []
    for event in consultation.events {
      switch event.kind {
      case .checkFired(let check, _) where !fired.contains(check): fired.append(check)
      case .answered(let step, _) where !asked.contains(step), .skipped(let step) where !asked.contains(step):
        asked.append(step)
      default: break
      }
    }
    if let pausedAt, !asked.contains(pausedAt) { asked.append(pausedAt) }
    return (fired, asked)
  }

  func compare(
    _ consultation: Consultation, _ pausedAt: String?, fired: [String], asked: [String],
    _ mismatch: (String, String, String, Bool) -> Void
  ) {
    let state = consultation.state
    func list(_ ids: [String]) -> String { ids.isEmpty ? "none" : ids.joined(separator: ", ") }
    func outcomeName(_ outcome: Outcome?) -> String {
      outcome.map(\.rawValue) ?? "paused" + (pausedAt.map { " at step \($0)" } ?? "")
    }

    if let expected = expect.outcome, expected != state.outcome.map(Ending.ended) ?? .paused {
      mismatch("outcome", expected.description, outcomeName(state.outcome), true)
    }
    if let expected = expect.stage, expected != state.stage {
      mismatch("stage", expected, state.stage ?? "none", true)
    }
    // Something missing may follow from stopping early; something present
    // that should not be happened before the stop.
    func contains(_ key: String, _ expected: [String]?, _ actual: [String], present: Bool) {
      guard let expected else { return }
      let wrong = expected.filter { actual.contains($0) != present }
      if !wrong.isEmpty {
        mismatch(
          key, list(expected),
          (present ? "missing " : "present ") + list(wrong)
            + " (\(key.hasSuffix("fired") ? "fired" : key.hasSuffix("asked") ? "asked" : "got"): \(list(actual)))",
          present)
      }
    }
    contains("fired", expect.fired, fired, present: true)
    contains("not-fired", expect.notFired, fired, present: false)
    contains("asked", expect.asked, asked, present: true)
    contains("not-asked", expect.notAsked, asked, present: false)
    contains("excluded", expect.excluded, state.excludedIngredients.keys.sorted(), present: true)
    let record = consultation.record
    contains("aftercare", expect.aftercare, record.aftercare.map(\.id), present: true)
    if let expected = expect.followUpSessions {
      let sessions = record.followUp.filter { if case .session = $0.kind { return true } else { return false } }
      if sessions.count != expected {
        mismatch(
          "follow-up-sessions", "\(expected)",
          "\(sessions.count)" + (record.treatedAt == nil ? " (no treatment was given)" : ""), true)
      }
    }
  }
}

extension Step {
  /// An answer of this step's type, as a scenario's answer line writes it:
  /// `no`, the lowest number allowed, the first option, the scenario's day.
  func exampleAnswer(on date: CalendarDate) -> String {
    func lowest(_ bounds: NumberBounds, whole: Bool) -> String {
      var value = bounds.min ?? Swift.min(0, bounds.max ?? 0)
      if whole { value = value.rounded(.up) }
      return formatNumber(value)
    }
    switch answer {
    case .yesNo: return "no"
    case .integer(let bounds): return lowest(bounds, whole: true)
    case .decimal(let bounds): return lowest(bounds, whole: false)
    case .text: return "none"
    case .choice(let options): return options.first?.id ?? "none"
    case .multipleChoice(let options): return "[\(options.first?.id ?? "")]"
    case .date(let bounds):
      // The scenario's day, moved into the step's bounds.
      var day = date
      if let earliest = bounds.earliest?.resolved(today: date), day < earliest { day = earliest }
      if let latest = bounds.latest?.resolved(today: date), day > latest { day = latest }
      return day.description
    case .consent: return "Jane Doe"
    case .product: return "{ name: PRODUCT, lot: LOT, expiry: \(date.year + 1)-12-31 }"
    case .volume(let max): return formatNumber(Swift.min(1, max ?? 1))
    }
  }
}
