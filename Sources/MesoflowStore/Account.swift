public import Mesoflow

/// An account as others see it: no password hash.
public struct Account: Sendable, Hashable {
  /// The name to sign in with.
  public let name: String
  /// The name that goes into records.
  public let fullName: String
  /// What the account may do.
  public let role: AccountRole
  /// Whether it may sign in.
  public let isEnabled: Bool
  /// When it was added.
  public let createdAt: Timestamp
  /// Until when it is locked after failed sign-ins, if it is.
  public let lockedUntil: Timestamp?

  init(_ stored: StoredAccount) {
    name = stored.name
    fullName = stored.fullName
    role = stored.role
    isEnabled = stored.isEnabled
    createdAt = stored.createdAt
    lockedUntil = stored.lockedUntil
  }

  /// The account as the clinician a consultation records.
  public var clinician: Clinician { Clinician(name: fullName, role: role.clinicianRole, account: name) }
}

/// The proof that an account signed in with its password: only
/// ``AccountDirectory/signIn(_:password:for:)`` makes one. Changes to
/// accounts ask for it, and check again that the account may still make them.
public struct SignedInAccount: Sendable, Hashable {
  /// The account as it was at sign-in.
  public let account: Account
  /// When it signed in.
  public let signedInAt: Timestamp
}

/// Why the directory refused.
public struct AccountError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The kind of refusal. New codes may be added; compare with `==`, or
  /// switch with a default.
  public struct Code: Sendable, Hashable, CustomStringConvertible {
    enum Storage: String, Sendable, Hashable {
      case invalidCredentials, locked, disabled, notPermitted, weakPassword, invalidName, alreadyExists, notFound
      case lastAdmin, unchanged
    }

    let storage: Storage

    /// No account has the name, or the password is wrong.
    public static let invalidCredentials = Code(storage: .invalidCredentials)
    /// Too many failed sign-ins in a row: refused until the lock ends.
    public static let locked = Code(storage: .locked)
    /// The account is disabled.
    public static let disabled = Code(storage: .disabled)
    /// The account may not do this (a staff account signing a physician's
    /// decision, someone not an admin changing accounts).
    public static let notPermitted = Code(storage: .notPermitted)
    /// The new password is too short, too long or blank.
    public static let weakPassword = Code(storage: .weakPassword)
    /// The name cannot name an account.
    public static let invalidName = Code(storage: .invalidName)
    /// An account has the name already.
    public static let alreadyExists = Code(storage: .alreadyExists)
    /// No account has the name.
    public static let notFound = Code(storage: .notFound)
    /// The change would leave no enabled admin.
    public static let lastAdmin = Code(storage: .lastAdmin)
    /// The account is that way already.
    public static let unchanged = Code(storage: .unchanged)

    public var description: String { storage.rawValue }

    /// The refusal's reason as the audit log words it.
    var reason: String {
      switch storage {
      case .invalidCredentials: "wrong name or password"
      case .locked: "locked"
      case .disabled: "account disabled"
      case .notPermitted: "not permitted"
      case .weakPassword: "password refused"
      case .invalidName: "invalid name"
      case .alreadyExists: "exists already"
      case .notFound: "no such account"
      case .lastAdmin: "last admin"
      case .unchanged: "unchanged"
      }
    }
  }

  /// The kind of refusal.
  public var code: Code
  /// What was refused and why, for people.
  public var message: String

  package init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }

  public var description: String { message }
}
