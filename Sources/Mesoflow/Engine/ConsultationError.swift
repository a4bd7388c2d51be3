/// Why the engine refused an input. Nothing is recorded when an input is
/// refused: the consultation is exactly as it was before.
public struct ConsultationError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The kind of refusal, for programs.
  public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
    /// The answer is of the wrong kind for the step (text for a yes/no step, say).
    case wrongType
    /// A number, date or volume outside what the step accepts.
    case outOfRange
    /// The answer is of the right kind but not acceptable (an unknown option,
    /// an empty name, an expired product).
    case invalidAnswer
    /// A volume beyond an area's limit per session.
    case limitExceeded
    /// The step, check or stage is not the one the consultation is waiting for.
    case notCurrent
    /// No step, check or area has this id in the consultation.
    case unknown
    /// The step was never answered, so there is nothing to correct.
    case notAnswered
    /// The step may not be skipped.
    case notOptional
    /// The clinician may not do this: an override by someone who is not a
    /// physician, or an override of what nobody can pass.
    case notAllowed
    /// A written reason or a name is required and was empty.
    case reasonRequired
    /// A wait has not yet run its time.
    case waitNotOver
    /// The consultation has ended.
    case ended
    /// Events given to replay are not a history this workflow could have
    /// produced: out of order, naming unknown steps, or recorded against other
    /// definitions.
    case invalidHistory
  }

  /// The kind of refusal.
  public var kind: Kind
  /// The step, check or stage concerned, if any.
  public var subject: String?
  /// What is wrong, in words fit for staff.
  public var message: String

  /// Creates an error.
  public init(_ kind: Kind, _ subject: String?, _ message: String) {
    self.kind = kind
    self.subject = subject
    self.message = message
  }

  /// `subject: message`.
  public var description: String { subject.map { "\($0): \(message)" } ?? message }
}
