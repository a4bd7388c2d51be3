/// Why the engine refused an input. Nothing is recorded when an input is
/// refused: the consultation is exactly as it was before.
public struct ConsultationError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The kind of refusal, for programs. New kinds may be added; compare with
  /// `==`, or switch with a default.
  public struct Kind: Sendable, Hashable, Codable, CustomStringConvertible {
    enum Storage: String, Sendable, Hashable {
      case wrongType, outOfRange, invalidAnswer, limitExceeded, notCurrent, unknown, notAnswered, notOptional
      case notAllowed, reasonRequired, waitNotOver, ended, invalidHistory
    }

    let storage: Storage

    /// The answer is of the wrong kind for the step (text for a yes/no step, say).
    public static let wrongType = Kind(storage: .wrongType)
    /// A number, date or volume outside what the step accepts.
    public static let outOfRange = Kind(storage: .outOfRange)
    /// The answer is of the right kind but not acceptable (an unknown option,
    /// an empty name, an expired product).
    public static let invalidAnswer = Kind(storage: .invalidAnswer)
    /// A volume beyond an area's limit per session.
    public static let limitExceeded = Kind(storage: .limitExceeded)
    /// The step, check or stage is not the one the consultation is waiting for.
    public static let notCurrent = Kind(storage: .notCurrent)
    /// No step, check or area has this id in the consultation.
    public static let unknown = Kind(storage: .unknown)
    /// The step was never answered, so there is nothing to correct.
    public static let notAnswered = Kind(storage: .notAnswered)
    /// The step may not be skipped.
    public static let notOptional = Kind(storage: .notOptional)
    /// The clinician may not do this: an override by someone who is not a
    /// physician, or an override of what nobody can pass.
    public static let notAllowed = Kind(storage: .notAllowed)
    /// A written reason or a name is required and was empty.
    public static let reasonRequired = Kind(storage: .reasonRequired)
    /// A wait has not yet run its time.
    public static let waitNotOver = Kind(storage: .waitNotOver)
    /// The consultation has ended.
    public static let ended = Kind(storage: .ended)
    /// Events given to replay are not a history this workflow could have
    /// produced: out of order, naming unknown steps, or recorded against other
    /// definitions.
    public static let invalidHistory = Kind(storage: .invalidHistory)

    /// The kind's stable name, as its static member is spelt: `wrongType`,
    /// `limitExceeded`, ... It is what the kind encodes as.
    public var name: String { storage.rawValue }

    /// The kind with this ``name``; `nil` for a name this version does not know.
    public init?(name: String) {
      guard let storage = Storage(rawValue: name) else { return nil }
      self.storage = storage
    }

    init(storage: Storage) { self.storage = storage }

    /// Decodes the kind from its ``name``.
    public init(from decoder: any Decoder) throws {
      let container = try decoder.singleValueContainer()
      let name = try container.decode(String.self)
      guard let kind = Kind(name: name) else {
        throw DecodingError.dataCorruptedError(
          in: container, debugDescription: "'\(name)' is not a kind of consultation error")
      }
      self = kind
    }

    /// Encodes the kind as its ``name``.
    public func encode(to encoder: any Encoder) throws {
      var container = encoder.singleValueContainer()
      try container.encode(name)
    }

    public var description: String { name }
  }

  /// The kind of refusal.
  public var kind: Kind
  /// The step, check or stage concerned, if any.
  public var subject: String?
  /// What is wrong, in words fit for staff.
  public var message: String

  /// Creates an error.
  package init(_ kind: Kind, _ subject: String?, _ message: String) {
    self.kind = kind
    self.subject = subject
    self.message = message
  }

  /// `subject: message`.
  public var description: String { subject.map { "\($0): \(message)" } ?? message }
}
