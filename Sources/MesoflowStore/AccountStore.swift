public import Mesoflow

/// Where a clinic's accounts and their audit log are kept.
///
/// Like ``ConsultationStore``, a store keeps what it is given and hands it
/// back unchanged: the password hashing, the rules of who may do what, the
/// lockout and the audit log's hash chain live in ``AccountDirectory``, which
/// works over any store. An account is never deleted, only disabled, so that
/// every name in a record still resolves.
///
/// Every method that writes must have made its change durable when it returns.
public protocol AccountStore: Sendable {
  /// Every account, ordered by name.
  ///
  /// - Throws: ``StoreError`` of kind `corrupt`, naming the account and the
  ///   column, when one cannot be read back.
  func accounts() throws -> [StoredAccount]

  /// The account with this name, or `nil`.
  func account(named name: String) throws -> StoredAccount?

  /// The audit log's last entry, or `nil` while it is empty.
  func lastAuditEntry() throws -> StoredEvent?

  /// The audit log, in sequence order.
  func auditEntries() throws -> [StoredEvent]

  /// Appends `entries` to the audit log and writes `accounts` (each
  /// inserted, or replacing the account of the same name), all or nothing.
  ///
  /// The log's sequence is the lock that keeps two writers apart: the
  /// entries must continue it exactly.
  ///
  /// - Throws: ``StoreError`` of kind `conflict` when an entry's sequence
  ///   is already taken (another writer came first: read again and retry).
  func commit(_ entries: [StoredEvent], accounts: [StoredAccount]) throws
}

/// What an account may do.
public enum AccountRole: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
  /// Nurses and other staff at the chair.
  case staff
  /// A physician: may also approve a referral or end a wait early, each
  /// time with the physician's own password.
  case physician
  /// Runs consultations as staff does, and also adds accounts, changes
  /// their roles and passwords, and disables them.
  case admin

  /// The role in a consultation: a physician's, or staff's for the others.
  public var clinicianRole: Clinician.Role { self == .physician ? .physician : .staff }

  public var description: String { rawValue }
}

/// One account as stored.
public struct StoredAccount: Sendable, Hashable {
  /// The name to sign in with, unique and never reused: `kim`, `dr.lane`.
  public var name: String
  /// The name that goes into records (`Nurse Kim Park`); the account name
  /// when none was given.
  public var fullName: String
  /// What the account may do.
  public var role: AccountRole
  /// Whether the account may sign in.
  public var isEnabled: Bool
  /// The password's Argon2id hash in PHC string form: never the password.
  public var passwordHash: String
  /// When the account was added.
  public var createdAt: Timestamp
  /// Failed sign-ins since the last one that succeeded.
  public var failedAttempts: Int
  /// Until when sign-ins are refused after too many failures, if they are.
  public var lockedUntil: Timestamp?

  /// Creates a stored account.
  public init(
    name: String, fullName: String, role: AccountRole, isEnabled: Bool, passwordHash: String,
    createdAt: Timestamp, failedAttempts: Int = 0, lockedUntil: Timestamp? = nil
  ) {
    self.name = name
    self.fullName = fullName
    self.role = role
    self.isEnabled = isEnabled
    self.passwordHash = passwordHash
    self.createdAt = createdAt
    self.failedAttempts = failedAttempts
    self.lockedUntil = lockedUntil
  }
}
