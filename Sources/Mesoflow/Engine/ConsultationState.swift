/// Where a consultation stands: the fold of its events, and nothing else.
///
/// Two consultations with equal events have equal states; replaying a saved
/// consultation's events gives a state equal to the one that was saved.
public struct ConsultationState: Sendable, Hashable {
  /// What the consultation started with.
  public internal(set) var start: ConsultationStart
  /// When it started.
  public internal(set) var startedAt: Timestamp
  /// The stage in progress or, during a wait, the stage before it.
  public internal(set) var stage: String?
  /// The stages entered, in order.
  public internal(set) var stagePath: [String] = []
  /// The answers that count, by step id: the latest of each, without those
  /// set aside.
  public internal(set) var answers: [String: RecordedAnswer] = [:]
  /// The optional steps skipped.
  public internal(set) var skipped: Set<String> = []
  /// Every check that has fired, by id, with where it stands.
  public internal(set) var checks: [String: FiredCheck] = [:]
  /// The fired checks still waiting to be resolved, in the order they fired.
  public internal(set) var pending: [String] = []
  /// The ingredients removed by exclude checks, with the check that removed each.
  public internal(set) var excludedIngredients: [String: String] = [:]
  /// A wait in progress.
  public internal(set) var wait: ActiveWait?
  /// When each stage was completed.
  public internal(set) var completedStages: [String: Timestamp] = [:]
  /// How the consultation ended, once it has.
  public internal(set) var outcome: Outcome?
  /// When it ended.
  public internal(set) var endedAt: Timestamp?
  /// The stop or referral that ended it, if one did.
  public internal(set) var endedBy: String?
  /// The note written when the consultation was ended, if one was.
  public internal(set) var endNote: ConsultationNote?
  /// The notes clinicians wrote, in order.
  public internal(set) var notes: [ConsultationNote] = []
  /// Answers a correction set aside (their step's condition stopped holding),
  /// kept until the step is answered or skipped again: what it was, should
  /// it be asked again.
  public internal(set) var setAside: [String: RecordedAnswer] = [:]
  /// Whether a clinician paused the consultation and nobody has resumed it.
  public internal(set) var isPaused = false
  /// The number of events folded.
  public internal(set) var eventCount = 0
  /// The time of the latest event.
  public internal(set) var lastEventAt: Timestamp

  /// Whether the consultation has ended.
  public var hasEnded: Bool { outcome != nil }

  init(start: ConsultationStart, at time: Timestamp) {
    self.start = start
    startedAt = time
    lastEventAt = time
  }
}

/// A free-text note a clinician attached to a consultation.
public struct ConsultationNote: Sendable, Hashable {
  /// The step it is about, if any.
  public var step: String?
  /// What was written.
  public var text: String
  /// When.
  public var at: Timestamp
  /// Who wrote it.
  public var by: Clinician?
}

/// An answer as it was recorded.
public struct RecordedAnswer: Sendable, Hashable {
  /// The answer.
  public var answer: Answer
  /// The answer as expressions see it.
  public var value: Value
  /// When it was given (or last corrected).
  public var at: Timestamp
  /// Who gave it.
  public var by: Clinician?
  /// How many times it was corrected.
  public var corrections: Int
}

/// A check that fired, and where it stands.
public struct FiredCheck: Sendable, Hashable {
  /// Where a fired check stands.
  public enum Status: Sendable, Hashable {
    /// Waiting: a stop to confirm, a referral for a physician, a warning to acknowledge.
    case pending
    /// An exclude check: its ingredients are removed.
    case applied
    /// A warning acknowledged.
    case acknowledged(by: Clinician?, at: Timestamp)
    /// A referral approved by a physician.
    case overridden(by: Clinician?, reason: String, at: Timestamp)
    /// It ended the consultation.
    case endedConsultation(at: Timestamp)
    /// A correction made its condition false.
    case cleared(at: Timestamp)
  }

  /// The check's id.
  public var id: String
  /// Its outcome.
  public var outcome: CheckOutcome
  /// When it (last) fired.
  public var firedAt: Timestamp
  /// Where it stands.
  public var status: Status

  /// Whether the check's condition still holds (it has not been cleared).
  public var isActive: Bool {
    if case .cleared = status { return false }
    return true
  }
}

/// A wait before a stage.
public struct ActiveWait: Sendable, Hashable {
  /// The stage that begins when the wait is over.
  public var stage: String
  /// When the wait began.
  public var since: Timestamp
  /// When it is over.
  public var until: Timestamp
}

// MARK: - Folding events

extension ConsultationState {
  /// Folds one event into the state. Events are trusted to be well formed
  /// (``Consultation/init(replaying:workflow:clock:)`` checks them first).
  mutating func apply(_ event: ConsultationEvent, _ blueprint: Blueprint, _ timeZone: ClinicTimeZone) {
    eventCount += 1
    lastEventAt = event.time
    if isPaused, event.kind != .paused { isPaused = false }
    switch event.kind {
    case .started, .resumed:
      break
    case .paused:
      isPaused = true
    case .noted(let step, let text):
      notes.append(ConsultationNote(step: step, text: text, at: event.time, by: event.actor))
    case .stageEntered(let id):
      stage = id
      stagePath.append(id)
      wait = nil
    case .answered(let step, let answer):
      setAside[step] = nil
      answers[step] = RecordedAnswer(
        answer: answer, value: answer.value(in: timeZone), at: event.time, by: event.actor,
        corrections: 0)
      skipped.remove(step)
    case .corrected(let step, let answer):
      setAside[step] = nil
      let corrections = (answers[step]?.corrections ?? 0) + 1
      answers[step] = RecordedAnswer(
        answer: answer, value: answer.value(in: timeZone), at: event.time, by: event.actor,
        corrections: corrections)
      skipped.remove(step)
    case .skipped(let step):
      setAside[step] = nil
      skipped.insert(step)
    case .setAside(let step):
      setAside[step] = answers[step]
      answers[step] = nil
    case .checkFired(let id, let outcome):
      let status: FiredCheck.Status = outcome == .exclude ? .applied : .pending
      checks[id] = FiredCheck(id: id, outcome: outcome, firedAt: event.time, status: status)
      if outcome == .exclude {
        for ingredient in blueprint.checks[id]?.check.excludes ?? [] where excludedIngredients[ingredient] == nil {
          excludedIngredients[ingredient] = id
        }
      } else {
        pending.append(id)
      }
    case .checkCleared(let id):
      checks[id]?.status = .cleared(at: event.time)
      pending.removeAll { $0 == id }
      for (ingredient, check) in excludedIngredients where check == id {
        excludedIngredients[ingredient] = nil
        // Another active exclude check may still remove it.
        for other in blueprint.checkOrder where other != id {
          if let fired = checks[other], fired.isActive, fired.outcome == .exclude,
            blueprint.checks[other]?.check.excludes.contains(ingredient) == true
          {
            excludedIngredients[ingredient] = other
            break
          }
        }
      }
    case .acknowledged(let id):
      checks[id]?.status = .acknowledged(by: event.actor, at: event.time)
      pending.removeAll { $0 == id }
    case .overridden(let id, let reason):
      checks[id]?.status = .overridden(by: event.actor, reason: reason, at: event.time)
      pending.removeAll { $0 == id }
    case .waitStarted(let id, let until):
      wait = ActiveWait(stage: id, since: wait?.since ?? event.time, until: until)
    case .waitOverridden:
      break
    case .stageCompleted(let id):
      completedStages[id] = event.time
    case .ended(let outcome, let check, let note):
      self.outcome = outcome
      endedAt = event.time
      endedBy = check
      endNote = note.map { ConsultationNote(step: nil, text: $0, at: event.time, by: event.actor) }
      wait = nil
      if let check {
        checks[check]?.status = .endedConsultation(at: event.time)
        pending.removeAll { $0 == check }
      }
    }
  }
}
