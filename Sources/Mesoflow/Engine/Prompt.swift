/// What a consultation is waiting for next.
public enum Prompt: Sendable, CustomStringConvertible {
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
public struct Question: Sendable {
  /// The step.
  public var step: Step
  /// The id of its stage.
  public var stage: String
  /// Where the step comes from.
  public var origin: MergedWorkflow.Origin
  /// The current answer, when the step is asked again after a correction set it aside.
  public var previous: Answer?
}

/// A fired check that needs a decision.
public struct CheckAlert: Sendable {
  /// The check.
  public var check: Check
  /// Where the check comes from.
  public var origin: MergedWorkflow.Origin
  /// When it fired.
  public var firedAt: Timestamp

  /// What can be done about it, in words for staff.
  public var options: String {
    switch check.outcome {
    case .stop: return "Nobody can override a stop: correct the answer that caused it if it was wrong, or end the consultation as deferred."
    case .refer: return "A physician may override with a written reason; otherwise end the consultation as referred."
    case .warn: return "Acknowledge the warning to go on."
    case .exclude: return "Nothing to do: the ingredients are removed."
    }
  }
}

/// A wait before a stage.
public struct WaitNotice: Sendable {
  /// The stage that begins when the wait is over.
  public var stage: String
  /// When the wait is over.
  public var until: Timestamp
  /// Why, for staff: the reason of the longest wait that applies.
  public var reason: String?
}
