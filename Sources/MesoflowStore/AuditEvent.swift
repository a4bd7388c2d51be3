public import Mesoflow

/// One entry of the audit log: an account change, a sign-in, or a decision
/// a physician signed, whether it succeeded or was refused. No password,
/// hash or other secret is ever part of it.
public struct AuditEvent: Sendable, Hashable, Codable {
  /// What was attempted. New actions may be added; compare with `==`, or
  /// switch with a default.
  public struct Action: Sendable, Hashable, Codable, CustomStringConvertible {
    enum Storage: String, Sendable, Hashable {
      case accountAdded = "account-added"
      case roleChanged = "role-changed"
      case passwordChanged = "password-changed"
      case accountDisabled = "account-disabled"
      case signIn = "sign-in"
      case decision
    }

    let storage: Storage

    /// An account was added (``AuditEvent/detail`` names its role).
    public static let accountAdded = Action(storage: .accountAdded)
    /// An account's role was changed (``AuditEvent/detail``: from and to).
    public static let roleChanged = Action(storage: .roleChanged)
    /// An account's password was changed.
    public static let passwordChanged = Action(storage: .passwordChanged)
    /// An account was disabled.
    public static let accountDisabled = Action(storage: .accountDisabled)
    /// Someone signed in (``AuditEvent/detail``: what for).
    public static let signIn = Action(storage: .signIn)
    /// A physician signed a decision (``AuditEvent/detail``: which).
    public static let decision = Action(storage: .decision)

    /// The action's name as the log spells it: `account-added`, `sign-in`, ...
    public var name: String { storage.rawValue }

    public var description: String { name }

    init(storage: Storage) { self.storage = storage }

    public init(from decoder: any Decoder) throws {
      let container = try decoder.singleValueContainer()
      let name = try container.decode(String.self)
      guard let storage = Storage(rawValue: name) else {
        throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown audit action '\(name)'")
      }
      self.storage = storage
    }

    public func encode(to encoder: any Encoder) throws {
      var container = encoder.singleValueContainer()
      try container.encode(name)
    }
  }

  /// Whether what was attempted happened.
  public enum Outcome: String, Sendable, Hashable, Codable {
    case succeeded
    case refused
  }

  /// The entry's position in the log, from 1.
  public var sequence: Int
  /// When it happened.
  public var time: Timestamp
  /// What was attempted.
  public var action: Action
  /// The account it was about, as given (for a refused sign-in, the name
  /// typed, which may name no account).
  public var account: String
  /// The account that made the change, when another did (an admin adding or
  /// disabling an account).
  public var by: String?
  /// Whether it happened.
  public var outcome: Outcome
  /// For a refusal, why: `wrong password`, `account disabled`, ...
  public var reason: String?
  /// What more there is to know: the role given, what a sign-in was for,
  /// the decision signed.
  public var detail: String?

  /// Creates an entry.
  public init(
    sequence: Int, time: Timestamp, action: Action, account: String, by: String? = nil, outcome: Outcome,
    reason: String? = nil, detail: String? = nil
  ) {
    self.sequence = sequence
    self.time = time
    self.action = action
    self.account = account
    self.by = by
    self.outcome = outcome
    self.reason = reason
    self.detail = detail
  }
}
