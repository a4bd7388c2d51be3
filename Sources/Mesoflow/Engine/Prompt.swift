/// What a consultation is waiting for next.
///
/// Prompts are `Equatable`, so that a test can compare the whole prompt with
/// the one it expects; ``Question`` and ``CheckAlert`` say what equality
/// means for the step or check they carry.
public enum Prompt: Sendable, Equatable, CustomStringConvertible {
  /// A question: answer it with ``Consultation/answer(_:_:by:)`` (or skip it
  /// if it is optional).
  case question(Question)
  /// A check fired and must be resolved before anything else: confirm a stop,
  /// override or decline a referral, acknowledge a warning.
  case resolve(CheckAlert)
  /// The next stage may not begin before `until`: call
  /// ``Consultation/proceed(by:)`` once it has passed, or have a physician
  /// override it.
  case wait(WaitNotice)
  /// The consultation has ended.
  case finished(Outcome)

  /// The step asked, when the prompt is a question.
  public var stepID: String? {
    if case .question(let question) = self { return question.step.id }
    return nil
  }

  /// The check to resolve, when the prompt is one.
  public var checkID: String? {
    if case .resolve(let alert) = self { return alert.check.id }
    return nil
  }

  /// `question pregnant`, `resolve pregnancy (stop)`, `wait until ...`, `finished completed`.
  public var description: String {
    switch self {
    case .question(let question): return "question \(question.step.id)"
    case .resolve(let alert): return "resolve \(alert.check.id) (\(alert.check.outcome.rawValue))"
    case .wait(let wait): return "wait for \(wait.stage) until \(wait.until)"
    case .finished(let outcome): return "finished \(outcome.rawValue)"
    }
  }
}

/// A question to ask.
///
/// Two questions are equal when they ask the same thing in the same place:
/// the same stage, origin and previous answer, and a step with the same id,
/// prompt, help, answer type, optionality and injection-point count, and a
/// condition of the same text. Where the step is written
/// (``Step/location``) is not compared, so an expected question built in
/// Swift equals the one read from a definition.
public struct Question: Sendable, Equatable {
  /// The step.
  public var step: Step
  /// The id of its stage.
  public var stage: String
  /// Where the step comes from.
  public var origin: MergedWorkflow.Origin
  /// The answer the step had before a correction set it aside (its
  /// condition stopped holding), when it is asked again because the
  /// condition holds once more; `nil` otherwise.
  public var previous: Answer?

  /// Creates a question, as the engine asks it; for comparing with the one
  /// a consultation asks.
  public init(step: Step, stage: String, origin: MergedWorkflow.Origin, previous: Answer? = nil) {
    self.step = step
    self.stage = stage
    self.origin = origin
    self.previous = previous
  }

  public static func == (lhs: Question, rhs: Question) -> Bool {
    lhs.stage == rhs.stage && lhs.origin == rhs.origin && lhs.previous == rhs.previous
      && lhs.step.id == rhs.step.id && lhs.step.prompt == rhs.step.prompt && lhs.step.help == rhs.step.help
      && lhs.step.answer == rhs.step.answer && lhs.step.isOptional == rhs.step.isOptional
      && lhs.step.countsInjectionPoints == rhs.step.countsInjectionPoints
      && lhs.step.condition?.text == rhs.step.condition?.text
  }
}

/// A fired check that needs a decision.
///
/// Two alerts are equal when they fired at the same time for a check of the
/// same origin, id, outcome, reason and excluded ingredients, whose
/// condition has the same text and reads the same steps. A condition
/// computed in Swift is compared by its summary and inputs, as its closure
/// cannot be; where the check is written (``Check/location``) is not
/// compared.
public struct CheckAlert: Sendable, Equatable {
  /// The check.
  public var check: Check
  /// Where the check comes from.
  public var origin: MergedWorkflow.Origin
  /// When it fired.
  public var firedAt: Timestamp

  /// Creates an alert, as the engine raises it; for comparing with the one a
  /// consultation raises.
  public init(check: Check, origin: MergedWorkflow.Origin, firedAt: Timestamp) {
    self.check = check
    self.origin = origin
    self.firedAt = firedAt
  }

  public static func == (lhs: CheckAlert, rhs: CheckAlert) -> Bool {
    lhs.origin == rhs.origin && lhs.firedAt == rhs.firedAt
      && lhs.check.id == rhs.check.id && lhs.check.outcome == rhs.check.outcome
      && lhs.check.reason == rhs.check.reason && lhs.check.excludes == rhs.check.excludes
      && lhs.check.condition.text == rhs.check.condition.text
      && lhs.check.condition.inputs == rhs.check.condition.inputs
  }

  /// What can be done about it, in words for staff.
  public var options: String {
    switch check.outcome {
    case .stop:
      return
        "Nobody can override a stop: correct the answer that caused it if it was wrong, or end the consultation as deferred."
    case .refer: return "A physician may override with a written reason; otherwise end the consultation as referred."
    case .warn: return "Acknowledge the warning to go on."
    case .exclude: return "Nothing to do: the ingredients are removed."
    }
  }
}

/// A wait before a stage.
public struct WaitNotice: Sendable, Hashable {
  /// The stage that begins when the wait is over.
  public var stage: String
  /// When the wait is over.
  public var until: Timestamp
  /// Why, for staff: the reason of the longest wait that applies.
  public var reason: String?

  /// Creates a notice, as the engine gives it; for comparing with the one a
  /// consultation gives.
  public init(stage: String, until: Timestamp, reason: String? = nil) {
    self.stage = stage
    self.until = until
    self.reason = reason
  }
}
