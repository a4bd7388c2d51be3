/// One consultation: a pure, event-sourced state machine over a
/// ``MergedWorkflow``.
///
/// Every input (an answer, a correction, a decision on a check) is checked
/// first and either refused with a ``ConsultationError``, leaving the
/// consultation untouched, or recorded as events. What the engine decides in
/// consequence (a check firing, a stage beginning, a wait, the end) is recorded
/// as events too, so ``state`` is always the fold of ``events``, and
/// ``init(replaying:workflow:clock:timeZone:)`` rebuilds it exactly.
///
/// The engine does no I/O and reads no clock of its own: it asks the
/// ``ConsultationClock`` it is given once per input.
///
/// ```swift
/// var consultation = try Consultation(
///   id: "c-1", workflow: merged, staff: nurse, clock: SystemClock())
/// while case .question(let question) = consultation.prompt {
///   try consultation.answer(question.step.id, answerFromStaff(question))
/// }
/// ```
public struct Consultation: Sendable {
  /// The workflow and areas the consultation runs.
  public let workflow: MergedWorkflow
  /// Where the time comes from.
  public let clock: any ConsultationClock
  /// The clinic's time zone: how instants are shown as local dates and
  /// times, and how days are counted.
  public let timeZone: ClinicTimeZone
  /// Everything that happened, in order.
  public private(set) var events: [ConsultationEvent] = []
  /// Where the consultation stands: the fold of ``events``.
  public private(set) var state: ConsultationState

  var blueprint: Blueprint { workflow.blueprint }

  /// Starts a consultation: records who started it, enters the first stage
  /// and fires any check that reads no answer.
  ///
  /// - Parameters:
  ///   - id: The consultation's id, chosen by the caller (the engine makes
  ///     no random numbers).
  ///   - workflow: The workflow merged with the chosen areas.
  ///   - staff: Who starts it; inputs without a clinician are theirs.
  ///   - clock: Where the time comes from.
  ///   - timeZone: The clinic's time zone; its name is recorded, so that
  ///     dates and times follow its daylight-saving rules.
  ///   - patient: The clinic's identifier for the patient, if any.
  /// - Throws: ``ConsultationError`` when the workflow's first stage is missing.
  public init(
    id: String, workflow: MergedWorkflow, staff: Clinician, clock: any ConsultationClock,
    timeZone: ClinicTimeZone = .utc, patient: String? = nil
  ) throws(ConsultationError) {
    guard workflow.blueprint.stageIndex[workflow.workflow.start] != nil else {
      throw ConsultationError(.unknown, workflow.workflow.start, "the workflow's first stage is not defined")
    }
    let now = clock.now()
    let start = ConsultationStart(
      id: id, workflow: workflow.workflow.id, workflowVersion: workflow.workflow.version,
      definitionHash: workflow.definitionHash, areas: workflow.areas.map(\.id), staff: staff,
      utcOffset: timeZone.utcOffset(at: now), timeZone: timeZone.name, patient: patient)
    self.workflow = workflow
    self.clock = clock
    self.timeZone = timeZone
    state = ConsultationState(start: start, at: now)
    record(.started(start), at: now, by: staff)
    record(.stageEntered(stage: workflow.workflow.start), at: now, by: nil)
    evaluateChecks(blueprint.constantChecks, at: now)
    settle(at: now)
  }

  /// Starts a consultation at one fixed offset from UTC, in seconds: for
  /// callers that know no time zone by name.
  public init(
    id: String, workflow: MergedWorkflow, staff: Clinician, clock: any ConsultationClock, utcOffset: Int,
    patient: String? = nil
  ) throws(ConsultationError) {
    try self.init(
      id: id, workflow: workflow, staff: staff, clock: clock, timeZone: .fixed(utcOffset: utcOffset), patient: patient)
  }

  /// Rebuilds a consultation from its events.
  ///
  /// - Parameters:
  ///   - events: Every event of the consultation, in order, beginning with
  ///     its start.
  ///   - workflow: The merged definitions it started with.
  ///   - clock: Where the time of later inputs comes from; the events carry
  ///     their own times, so the replay itself does not read it.
  ///   - timeZone: The rule of the zone the start names
  ///     (``ConsultationStart/timeZone``); without one, or for a record that
  ///     names none, dates and times keep to the offset recorded at the start.
  /// - Throws: ``ConsultationError`` of kind `invalidHistory` when the events
  ///   are out of order, do not begin with a start, name steps or checks the
  ///   workflow lacks, or were recorded against other definitions: the hash
  ///   they record must be the workflow's ``MergedWorkflow/definitionHash``
  ///   or, for consultations started before version 2 of the hash, its
  ///   ``MergedWorkflow/legacyDefinitionHash`` (``MergedWorkflow/matches(definitionHash:)``).
  public init(
    replaying events: [ConsultationEvent], workflow: MergedWorkflow, clock: any ConsultationClock,
    timeZone: ClinicTimeZone? = nil
  ) throws(ConsultationError) {
    guard let first = events.first, case .started(let start) = first.kind else {
      throw ConsultationError(.invalidHistory, nil, "the history does not begin with the consultation's start")
    }
    guard workflow.matches(definitionHash: start.definitionHash) else {
      throw ConsultationError(
        .invalidHistory, start.id,
        "the consultation was recorded with other definitions (hash \(start.definitionHash), now \(workflow.definitionHash)); resume it with the definitions it started with"
      )
    }
    self.workflow = workflow
    self.clock = clock
    let zone = timeZone ?? .fixed(utcOffset: start.utcOffset)
    self.timeZone = zone
    state = ConsultationState(start: start, at: first.time)
    let blueprint = workflow.blueprint
    for (index, event) in events.enumerated() {
      guard event.sequence == index + 1 else {
        throw ConsultationError(
          .invalidHistory, nil,
          "event \(index + 1) has sequence number \(event.sequence); events are missing or out of order")
      }
      if index > 0 { try Self.validate(event, blueprint) }
      state.apply(event, blueprint, zone)
    }
    self.events = events
  }

  static func validate(_ event: ConsultationEvent, _ blueprint: Blueprint) throws(ConsultationError) {
    func step(_ id: String) throws(ConsultationError) {
      if blueprint.steps[id] == nil {
        throw ConsultationError(.invalidHistory, id, "event \(event.sequence) names an unknown step")
      }
    }
    func check(_ id: String) throws(ConsultationError) {
      if blueprint.checks[id] == nil {
        throw ConsultationError(.invalidHistory, id, "event \(event.sequence) names an unknown check")
      }
    }
    func stage(_ id: String) throws(ConsultationError) {
      if blueprint.stageIndex[id] == nil {
        throw ConsultationError(.invalidHistory, id, "event \(event.sequence) names an unknown stage")
      }
    }
    switch event.kind {
    case .started:
      throw ConsultationError(.invalidHistory, nil, "event \(event.sequence) starts the consultation a second time")
    case .answered(let id, _), .corrected(let id, _), .skipped(let id), .setAside(let id): try step(id)
    case .checkFired(let id, _), .checkCleared(let id), .acknowledged(let id), .overridden(let id, _): try check(id)
    case .stageEntered(let id), .waitStarted(let id, _), .waitOverridden(let id, _), .stageCompleted(let id):
      try stage(id)
    case .ended(_, let id, _): if let id { try check(id) }
    case .noted(let id, _): if let id { try step(id) }
    case .paused, .resumed: break
    }
  }

  // MARK: - What comes next

  /// What the consultation is waiting for.
  public var prompt: Prompt {
    if let outcome = state.outcome { return .finished(outcome) }
    // A pending stop comes first: it decides the outcome whatever else fired.
    let first = state.pending.first { state.checks[$0]?.outcome == .stop } ?? state.pending.first
    if let id = first, let info = blueprint.checks[id] {
      return .resolve(
        CheckAlert(check: info.check, origin: info.origin, firedAt: state.checks[id]?.firedAt ?? state.lastEventAt))
    }
    if let wait = state.wait {
      return .wait(WaitNotice(stage: wait.stage, until: wait.until, reason: waitReason(wait.stage, at: wait.until)))
    }
    if let id = nextStep(), let info = blueprint.steps[id] {
      return .question(
        Question(
          step: info.step, stage: stages[info.stage].id, origin: info.origin, previous: state.setAside[id]?.answer))
    }
    // Only reached when a stage leads nowhere; definitions are checked against that.
    return .finished(state.outcome ?? .deferred)
  }

  var stages: [MergedWorkflow.MergedStage] { blueprint.stages }

  /// The first applicable, unanswered step of the stages entered so far
  /// (the current one among them), each stage searched once.
  func nextStep() -> String? {
    let context = context(at: state.lastEventAt)
    let path = state.stagePath
    for (position, id) in path.enumerated() where !path[..<position].contains(id) {
      guard let index = blueprint.stageIndex[id] else { continue }
      for step in stages[index].steps.lazy.map(\.step)
      where state.answers[step.id] == nil && !state.skipped.contains(step.id) && isApplicable(step, in: context) {
        return step.id
      }
    }
    return nil
  }

  /// Whether a step is asked: it has no condition, or its condition holds.
  func isApplicable(_ step: Step, in context: EvaluationContext) -> Bool {
    guard let condition = step.condition else { return true }
    return condition.evaluate(in: context) == .bool(true)
  }

  func context(at time: Timestamp) -> EvaluationContext {
    let answers = state.answers
    return EvaluationContext(today: timeZone.date(of: time)) { answers[$0]?.value }
  }

  // MARK: - Inputs

  /// Answers the step the consultation is asking.
  ///
  /// - Parameters:
  ///   - step: The id of the step; it must be the one ``prompt`` asks.
  ///   - answer: The answer, of the step's type and within its bounds.
  ///   - clinician: Who answers; the clinician who started the consultation
  ///     when `nil`.
  /// - Returns: What comes next.
  /// - Throws: ``ConsultationError`` when the step is not the current one or
  ///   the answer is not acceptable; nothing is recorded then.
  @discardableResult
  public mutating func answer(_ step: String, _ answer: Answer, by clinician: Clinician? = nil)
    throws(ConsultationError) -> Prompt
  {
    try requireQuestion(step)
    let now = clock.now()
    guard let info = blueprint.steps[step] else { throw unknownStep(step) }
    let accepted = try validate(answer, for: info.step, at: now)
    record(.answered(step: step, answer: accepted), at: now, by: clinician ?? state.start.staff)
    evaluateChecks(blueprint.checksReading[step] ?? [], at: now)
    settle(at: now)
    return prompt
  }

  /// Skips the optional step the consultation is asking.
  @discardableResult
  public mutating func skip(_ step: String, by clinician: Clinician? = nil) throws(ConsultationError) -> Prompt {
    try requireQuestion(step)
    guard let info = blueprint.steps[step] else { throw unknownStep(step) }
    guard info.step.isOptional else {
      throw ConsultationError(.notOptional, step, "this question must be answered; it cannot be skipped")
    }
    let now = clock.now()
    record(.skipped(step: step), at: now, by: clinician ?? state.start.staff)
    settle(at: now)
    return prompt
  }

  /// Replaces an earlier answer. The earlier answer stays in the history;
  /// the checks that read the step are evaluated again (a check may fire or
  /// be cleared), and steps whose condition no longer holds are set aside.
  ///
  /// A correction is refused only if the step is unknown or unanswered; it is
  /// allowed during a wait and while a check waits to be resolved, so that a
  /// wrong answer behind a stop can be put right. The stages already entered
  /// stay entered: a correction that would change a past transition does not
  /// re-route the consultation, though a step of an earlier stage that becomes
  /// applicable is asked next.
  @discardableResult
  public mutating func correct(_ step: String, _ answer: Answer, by clinician: Clinician? = nil)
    throws(ConsultationError) -> Prompt
  {
    try requireOpen()
    guard let info = blueprint.steps[step] else { throw unknownStep(step) }
    guard state.answers[step] != nil || state.skipped.contains(step) else {
      throw ConsultationError(
        .notAnswered, step, "this question has not been answered yet, so there is nothing to correct")
    }
    let now = clock.now()
    let accepted = try validate(answer, for: info.step, at: now, replacing: step)
    record(.corrected(step: step, answer: accepted), at: now, by: clinician ?? state.start.staff)
    var affected = [step]
    // Steps whose condition no longer holds lose their answers, in order, so
    // that a chain of conditions is followed to its end.
    var changed = true
    while changed {
      changed = false
      for (id, _) in state.answers.sorted(by: { order(of: $0.key) < order(of: $1.key) }) {
        guard let other = blueprint.steps[id], !isApplicable(other.step, in: context(at: now)) else { continue }
        record(.setAside(step: id), at: now, by: nil)
        affected.append(id)
        changed = true
        break
      }
    }
    var checks: [String] = []
    for id in affected { checks += blueprint.checksReading[id] ?? [] }
    evaluateChecks(checks, at: now)
    if let wait = state.wait { recomputeWait(wait, at: now) }
    settle(at: now)
    return prompt
  }

  /// Acknowledges a warning.
  @discardableResult
  public mutating func acknowledge(_ check: String, by clinician: Clinician? = nil) throws(ConsultationError) -> Prompt
  {
    let fired = try pendingCheck(check)
    guard fired.outcome == .warn else {
      throw ConsultationError(
        .notAllowed, check,
        fired.outcome == .stop
          ? "a stop cannot be acknowledged and passed; end the consultation as deferred or correct the answer"
          : "a referral needs a physician's override with a written reason, not an acknowledgement")
    }
    let now = clock.now()
    record(.acknowledged(check: check), at: now, by: clinician ?? state.start.staff)
    settle(at: now)
    return prompt
  }

  /// A physician approves what a referral asks for, with a written reason.
  ///
  /// - Throws: ``ConsultationError`` of kind `notAllowed` when the clinician
  ///   is not a physician or the check is not a referral (a stop cannot be
  ///   overridden by anyone), `reasonRequired` when the reason is blank.
  @discardableResult
  public mutating func override(_ check: String, reason: String, by physician: Clinician) throws(ConsultationError)
    -> Prompt
  {
    let fired = try pendingCheck(check)
    guard fired.outcome == .refer else {
      throw ConsultationError(
        .notAllowed, check,
        fired.outcome == .stop
          ? "a stop is an absolute contraindication: nobody can override it"
          : "only a referral is overridden; acknowledge a warning instead")
    }
    try requirePhysician(physician, check)
    let reason = try requireReason(reason, check)
    let now = clock.now()
    record(.overridden(check: check, reason: reason), at: now, by: physician)
    settle(at: now)
    return prompt
  }

  /// Ends the consultation because of a pending stop (as deferred) or a
  /// referral no physician approves (as referred). While a stop is pending,
  /// a referral cannot end it: the stop wins, and the outcome is deferred.
  @discardableResult
  public mutating func end(because check: String, note: String? = nil, by clinician: Clinician? = nil)
    throws(ConsultationError) -> Prompt
  {
    let fired = try pendingCheck(check)
    let outcome: Outcome
    switch fired.outcome {
    case .stop: outcome = .deferred
    case .refer:
      // An absolute contraindication found at the same time wins: the
      // consultation is deferred, not sent to a physician.
      if let stop = state.pending.first(where: { state.checks[$0]?.outcome == .stop }) {
        throw ConsultationError(
          .notAllowed, check,
          "stop '\(stop)' is also waiting: an absolute contraindication ends the consultation as deferred; end it because of '\(stop)', or correct the answer behind it"
        )
      }
      outcome = .referred
    case .warn, .exclude:
      throw ConsultationError(.notAllowed, check, "a warning does not end a consultation; acknowledge it to go on")
    }
    let now = clock.now()
    let note = note.flatMap { $0.trimmed.isEmpty ? nil : $0.trimmed }
    if let note { try Self.refuseControl(note, "the note", check) }
    record(.ended(outcome: outcome, check: check, note: note), at: now, by: clinician ?? state.start.staff)
    return prompt
  }

  /// Attaches a free-text note, about `step` when one is given.
  ///
  /// Notes may be written at any time, also after the consultation ended.
  ///
  /// - Throws: ``ConsultationError`` of kind `invalidAnswer` for an empty
  ///   note, `unknown` for a step the consultation lacks.
  public mutating func note(_ text: String, about step: String? = nil, by clinician: Clinician? = nil)
    throws(ConsultationError)
  {
    let text = text.trimmed
    guard !text.isEmpty else { throw ConsultationError(.invalidAnswer, step, "a note cannot be empty") }
    try Self.refuseControl(text, "the note", step)
    if let step, blueprint.steps[step] == nil { throw unknownStep(step) }
    record(.noted(step: step, text: text), at: clock.now(), by: clinician ?? state.start.staff)
  }

  /// Records that a clinician left the consultation to resume it later.
  /// Nothing else changes: a consultation that is not ended can always be
  /// taken up again, paused or not.
  public mutating func pause(by clinician: Clinician? = nil) throws(ConsultationError) {
    try requireOpen()
    guard !state.isPaused else { return }
    record(.paused, at: clock.now(), by: clinician ?? state.start.staff)
  }

  /// Records that a clinician took the consultation up again, and returns
  /// what it waits for.
  @discardableResult
  public mutating func resume(by clinician: Clinician? = nil) throws(ConsultationError) -> Prompt {
    try requireOpen()
    let now = clock.now()
    record(.resumed, at: now, by: clinician ?? state.start.staff)
    settle(at: now)
    return prompt
  }

  /// Begins the next stage once its wait has run.
  ///
  /// - Throws: ``ConsultationError`` of kind `waitNotOver` with the time
  ///   left, or `notCurrent` when there is no wait.
  @discardableResult
  public mutating func proceed(by clinician: Clinician? = nil) throws(ConsultationError) -> Prompt {
    try requireOpen()
    guard let wait = state.wait else {
      throw ConsultationError(.notCurrent, nil, "there is no wait to end")
    }
    let now = clock.now()
    guard now >= wait.until else {
      let left = TimeSpan(seconds: max(1, wait.until.seconds(since: now)))
      throw ConsultationError(
        .waitNotOver, wait.stage,
        "the wait is not over: \(left) left, until \(timeZone.format(wait.until)); a physician may override it with a reason"
      )
    }
    record(.stageEntered(stage: wait.stage), at: now, by: clinician ?? state.start.staff)
    settle(at: now)
    return prompt
  }

  /// A physician lets the next stage begin before its wait has run, with a
  /// written reason. The actual times are recorded.
  @discardableResult
  public mutating func overrideWait(reason: String, by physician: Clinician) throws(ConsultationError) -> Prompt {
    try requireOpen()
    guard let wait = state.wait else {
      throw ConsultationError(.notCurrent, nil, "there is no wait to override")
    }
    try requirePhysician(physician, wait.stage)
    let reason = try requireReason(reason, wait.stage)
    let now = clock.now()
    record(.waitOverridden(stage: wait.stage, reason: reason), at: now, by: physician)
    record(.stageEntered(stage: wait.stage), at: now, by: nil)
    settle(at: now)
    return prompt
  }

  // MARK: - Guards

  private func requireOpen() throws(ConsultationError) {
    if let outcome = state.outcome {
      throw ConsultationError(
        .ended, nil, "the consultation has ended (\(outcome.rawValue)); nothing more can be recorded")
    }
  }

  private func requireQuestion(_ step: String) throws(ConsultationError) {
    try requireOpen()
    switch prompt {
    case .question(let question) where question.step.id == step:
      return
    case .question(let question):
      if blueprint.steps[step] == nil { throw unknownStep(step) }
      throw ConsultationError(
        .notCurrent, step, "this is not the current question; the current question is '\(question.step.id)'")
    case .resolve(let alert):
      throw ConsultationError(
        .notCurrent, step,
        "check '\(alert.check.id)' (\(alert.check.outcome.rawValue)) must be resolved first: \(alert.check.reason)")
    case .wait(let wait):
      throw ConsultationError(
        .notCurrent, step,
        "the consultation is waiting until \(timeZone.format(wait.until)) before stage '\(wait.stage)'")
    case .finished(let outcome):
      throw ConsultationError(.ended, step, "the consultation has ended (\(outcome.rawValue))")
    }
  }

  private func pendingCheck(_ id: String) throws(ConsultationError) -> FiredCheck {
    try requireOpen()
    guard blueprint.checks[id] != nil else {
      throw ConsultationError(.unknown, id, "no check has this id in this consultation")
    }
    guard let fired = state.checks[id], state.pending.contains(id) else {
      throw ConsultationError(.notCurrent, id, "this check is not waiting to be resolved")
    }
    return fired
  }

  private func requirePhysician(_ clinician: Clinician, _ subject: String) throws(ConsultationError) {
    guard clinician.role == .physician else {
      throw ConsultationError(
        .notAllowed, subject, "only a physician may override; \(clinician.name) is \(clinician.role.rawValue)")
    }
    guard !clinician.name.trimmed.isEmpty else {
      throw ConsultationError(.reasonRequired, subject, "an override needs the physician's name")
    }
  }

  private func requireReason(_ reason: String, _ subject: String) throws(ConsultationError) -> String {
    let reason = reason.trimmed
    guard !reason.isEmpty else {
      throw ConsultationError(.reasonRequired, subject, "an override needs a written reason")
    }
    try Self.refuseControl(reason, "the reason", subject)
    return reason
  }

  /// Refuses a note or reason holding a control character a record may
  /// not keep; tab and line breaks are kept.
  private static func refuseControl(_ text: String, _ what: String, _ subject: String?) throws(ConsultationError) {
    try Consultation.refuseControl(text, what, multiline: true) { kind, message in
      ConsultationError(kind, subject, message)
    }
  }

  private func unknownStep(_ step: String) -> ConsultationError {
    ConsultationError(
      .unknown, step,
      "no question has this id in this consultation\(Suggestion.didYouMean(step, in: blueprint.steps.keys.sorted()))")
  }

  func order(of step: String) -> Int { blueprint.steps[step]?.order ?? Int.max }

  // MARK: - Recording and deciding

  mutating func record(_ kind: ConsultationEvent.Kind, at time: Timestamp, by actor: Clinician?) {
    let event = ConsultationEvent(sequence: events.count + 1, time: time, actor: actor, kind: kind)
    events.append(event)
    state.apply(event, blueprint, timeZone)
  }

  /// Fires the checks among `ids` whose condition now holds, and clears
  /// those that fired before and no longer hold.
  mutating func evaluateChecks(_ ids: [String], at time: Timestamp) {
    guard !ids.isEmpty else { return }
    let ordered =
      ids.count == 1
      ? ids : Array(Set(ids)).sorted { (blueprint.checks[$0]?.order ?? 0) < (blueprint.checks[$1]?.order ?? 0) }
    let context = context(at: time)
    for id in ordered {
      guard let info = blueprint.checks[id] else { continue }
      let holds = info.check.condition.evaluate(in: context) == true
      let active = state.checks[id]?.isActive ?? false
      if holds && !active {
        record(.checkFired(check: id, outcome: info.check.outcome), at: time, by: nil)
      } else if !holds && active {
        record(.checkCleared(check: id), at: time, by: nil)
      }
    }
  }

  /// Moves on as far as the consultation can without an input: completes
  /// stages whose steps are all answered, follows transitions, starts waits,
  /// ends the consultation.
  mutating func settle(at time: Timestamp) {
    while state.outcome == nil, state.pending.isEmpty, state.wait == nil, nextStep() == nil {
      guard let current = state.stage, let index = blueprint.stageIndex[current] else { return }
      record(.stageCompleted(stage: current), at: time, by: nil)
      switch stages[index].stage.transition {
      case .end(let outcome, _):
        record(.ended(outcome: outcome, check: nil, note: nil), at: time, by: nil)
      case .branches(let branches):
        let context = context(at: time)
        guard
          let branch = branches.first(where: { $0.condition.map { $0.evaluate(in: context) == .bool(true) } ?? true }),
          blueprint.stageIndex[branch.target] != nil
        else {
          // No branch holds: the definition is at fault, and the safe end is deferred.
          record(
            .ended(outcome: .deferred, check: nil, note: "no transition out of stage '\(current)' applies"), at: time,
            by: nil)
          return
        }
        if let until = waitUntil(before: branch.target, at: time), until > time {
          record(.waitStarted(stage: branch.target, until: until), at: time, by: nil)
        } else {
          record(.stageEntered(stage: branch.target), at: time, by: nil)
        }
      }
    }
  }

  /// When the waits before `stage` that apply now are over: each runs from
  /// the time its `since` step was answered.
  func waitUntil(before stage: String, at time: Timestamp) -> Timestamp? {
    guard let index = blueprint.stageIndex[stage] else { return nil }
    let context = context(at: time)
    var until: Timestamp?
    for wait in stages[index].waits.lazy.map(\.wait) {
      if let condition = wait.condition, condition.evaluate(in: context) != .bool(true) { continue }
      guard let since = state.answers[wait.since]?.at else { continue }
      let end = since + wait.atLeast
      if until.map({ end > $0 }) ?? true { until = end }
    }
    return until
  }

  private func waitReason(_ stage: String, at until: Timestamp) -> String? {
    guard let index = blueprint.stageIndex[stage] else { return nil }
    let context = context(at: state.lastEventAt)
    for wait in stages[index].waits.lazy.map(\.wait) {
      if let condition = wait.condition, condition.evaluate(in: context) != .bool(true) { continue }
      if let since = state.answers[wait.since]?.at, since + wait.atLeast == until { return wait.reason }
    }
    return nil
  }

  /// After a correction during a wait: the wait may now end sooner, later or not at all.
  private mutating func recomputeWait(_ wait: ActiveWait, at time: Timestamp) {
    let until = waitUntil(before: wait.stage, at: time)
    if let until, until > time {
      if until != wait.until { record(.waitStarted(stage: wait.stage, until: until), at: time, by: nil) }
    } else if state.pending.isEmpty {
      record(.stageEntered(stage: wait.stage), at: time, by: nil)
    }
  }
}
