public import Mesoflow

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The clinic's accounts: who may sign in, who may sign a physician's
/// decision, and the hash-chained audit log of every attempt.
///
/// It works over any ``AccountStore``. The rules:
///
/// - The first account added to an empty store is an admin; after that only
///   a signed-in admin adds accounts, changes roles and disables accounts,
///   and the last enabled admin can be neither demoted nor disabled.
/// - A password has at least ``minimumPasswordLength`` characters and is
///   kept only as an Argon2id hash. An account changes its own password, or
///   an admin changes it (which also lifts a lockout).
/// - ``lockoutThreshold`` failed sign-ins in a row lock the account for
///   ``lockoutDuration``: every sign-in and decision is refused until then.
/// - Accounts are never deleted, only disabled.
/// - Every account change, sign-in and decision, succeeded or refused, is
///   an ``AuditEvent`` in the log; ``verifyAuditLog()`` checks its chain.
///
/// Account names are compared without regard to case and kept in lower
/// case.
public struct AccountDirectory: Sendable {
  /// Failed sign-ins in a row that lock an account.
  public static let lockoutThreshold = 5
  /// How long a locked account stays locked.
  public static let lockoutDuration = TimeSpan.minutes(15)
  /// The fewest characters a password may have.
  public static let minimumPasswordLength = PasswordHash.minimumLength

  /// Where the accounts are kept.
  public let store: any AccountStore
  /// The clock for the log's times and for lockouts.
  public let clock: any ConsultationClock

  /// How much work a new password hash takes.
  let cost: PasswordHash.Cost

  /// A directory over `store`.
  public init(store: any AccountStore, clock: any ConsultationClock = SystemClock()) {
    self.init(store: store, clock: clock, cost: .standard)
  }

  /// A directory whose new hashes take `cost`: ``PasswordHash/Cost/quick``
  /// only for the package's own tests.
  package init(store: any AccountStore, clock: any ConsultationClock, cost: PasswordHash.Cost) {
    self.store = store
    self.clock = clock
    self.cost = cost
  }

  // MARK: - Reading

  /// Whether the store has any account yet. Every account is added with
  /// an entry in the log, so a log with entries answers without reading the
  /// accounts: one damaged account row does not stop the others signing in.
  public func hasAccounts() throws -> Bool {
    if try store.lastAuditEntry() != nil { return true }
    return try !store.accounts().isEmpty
  }

  /// Every account, by name.
  public func accounts() throws -> [Account] { try store.accounts().map(Account.init) }

  /// The account with this name, or `nil`.
  public func account(named name: String) throws -> Account? {
    try store.account(named: Self.key(name)).map(Account.init)
  }

  /// The audit log, oldest first: the entries since `since`, about or by
  /// `account`, when given.
  ///
  /// - Throws: ``StoreError`` of kind `corrupt` when an entry cannot be read.
  public func auditLog(since: Timestamp? = nil, account: String? = nil) throws -> [AuditEvent] {
    let key = account.map(Self.key)
    return try store.auditEntries().map(Self.decode).filter { event in
      if let since, event.time < since { return false }
      if let key, event.account != key, event.by != key { return false }
      return true
    }
  }

  /// Checks the audit log: entries numbered 1, 2, 3, ... with no gap, each
  /// readable, each linked to the one before by its hash. Returns every
  /// problem found; none when the log is intact.
  public func verifyAuditLog() throws -> [String] {
    var problems: [String] = []
    var link = Self.genesis
    for (index, entry) in try store.auditEntries().enumerated() {
      if entry.sequence != index + 1 {
        problems.append("audit entry \(entry.sequence) is out of place: entry \(index + 1) was expected there")
      }
      link = ConsultationArchive.link(link, entry.json)
      if link.description != entry.chainHash {
        problems.append(
          "audit entry \(entry.sequence) does not match the hash chain: it was edited or replaced after it was recorded"
        )
        link = SHA256Digest(hex: entry.chainHash) ?? link
      }
      do {
        let event = try Self.decode(entry)
        if event.sequence != entry.sequence {
          problems.append("audit entry \(entry.sequence) says it is entry \(event.sequence)")
        }
      } catch {
        problems.append("\(error)")
      }
    }
    return problems
  }

  /// The physician's decisions in `consultation` (a referral approved or a
  /// wait ended early, under an account) that no succeeded `decision` entry
  /// of the log signed: each a problem, naming the event. A consultation
  /// whose events were edited to credit a physician who never signed fails
  /// here, though its own chain was recomputed.
  public func unsignedDecisions(in consultation: Consultation) throws -> [String] {
    let id = consultation.state.start.id
    var signatures: [String: Int] = [:]
    for event in try auditLog() where event.action == .decision && event.outcome == .succeeded {
      if event.detail?.hasPrefix("in consultation \(id), ") == true { signatures[event.account, default: 0] += 1 }
    }
    var problems: [String] = []
    for event in consultation.events {
      let what: String
      switch event.kind {
      case .overridden(let check, _): what = "the approval of '\(check)'"
      case .waitOverridden(let stage, _): what = "the early end of the wait before '\(stage)'"
      default: continue
      }
      guard let account = event.actor?.account else { continue }
      if let count = signatures[account], count > 0 {
        signatures[account] = count - 1
      } else {
        problems.append(
          "event \(event.sequence): \(what) names the account '\(account)', but the audit log has no decision it signed for it"
        )
      }
    }
    return problems
  }

  // MARK: - Signing in

  /// Signs `name` in with `password`, for `purpose` (`run`, `resume`,
  /// `web`): the proof that other calls ask for. The attempt is in the
  /// audit log, succeeded or refused.
  ///
  /// - Throws: ``AccountError`` of code `invalidCredentials` (no such
  ///   account, or the wrong password: the message does not say which),
  ///   `locked` or `disabled`; ``StoreError`` when the store fails.
  public func signIn(_ name: String, password: String, for purpose: String) throws -> SignedInAccount {
    let account = try authenticate(name, password: password, action: .signIn, detail: purpose) { _ in nil }
    return SignedInAccount(account: account, signedInAt: clock.now())
  }

  /// Signs a physician's decision (`approve referral 'anticoagulants' in
  /// consultation 20261201-K7QF2M`): checks the physician's password at
  /// this moment, whoever else is signed in, and returns the clinician to
  /// record the decision under. The attempt is in the audit log.
  ///
  /// - Throws: ``AccountError`` as ``signIn(_:password:for:)`` does, or of
  ///   code `notPermitted` for an account that is not a physician's.
  public func signDecision(_ decision: String, physician name: String, password: String) throws -> Clinician {
    let account = try authenticate(name, password: password, action: .decision, detail: decision) { stored in
      guard stored.role != .physician else { return nil }
      return (
        "not a physician",
        AccountError(
          .notPermitted,
          "'\(stored.name)' is a \(stored.role) account: only a physician's account can sign this; nothing was recorded"
        )
      )
    }
    return account.clinician
  }

  /// Logs a decision refused because no physician was named to sign it (a
  /// scripted run's approval with no physician's account given).
  package func refuseUnsigned(_ decision: String) throws {
    try transact { (now) -> Change<Void> in
      .refused(
        Refusal(
          event: AuditEvent(
            sequence: 0, time: now, action: .decision, account: "(none)", outcome: .refused,
            reason: "no physician named", detail: decision),
          account: nil, error: AccountError(.notPermitted, "no physician was named to sign \(decision)")))
    }
  }

  // MARK: - Changing accounts

  /// Adds an account. On a store with no accounts the first is an admin,
  /// whatever `role` says, and needs no `admin`; after that `admin` must be
  /// a signed-in admin.
  ///
  /// - Throws: ``AccountError`` of code `weakPassword`, `invalidName`,
  ///   `alreadyExists` or `notPermitted`.
  @discardableResult
  public func add(
    _ name: String, fullName: String? = nil, role: AccountRole, password: String, by admin: SignedInAccount?
  ) throws -> Account {
    let named = Result { try Self.validName(name) }
    let key = (try? named.get()) ?? Self.invalidName
    let fullName = fullName?.trimmed.nonEmpty ?? key
    let weakness = PasswordHash.weakness(of: password)
    // Hashed only when it will be used: it is the slow part.
    let hash = weakness == nil && key != Self.invalidName ? try PasswordHash.make(password, cost: cost) : ""
    let attempt = Attempt(action: .accountAdded, account: key, by: admin?.account.name)
    return try transact(attempt) { now in
      _ = try named.get()
      if let control = fullName.forbiddenControlCharacter(multiline: false) {
        throw AccountError(
          .invalidName,
          "the full name holds the control character U+\(String(control.value, radix: 16, uppercase: true)), which records cannot keep"
        )
      }
      if let weakness { throw AccountError(.weakPassword, weakness) }
      let existing = try store.accounts()
      var role = role
      var by: String?
      if existing.isEmpty {
        role = .admin
      } else {
        guard let admin else {
          throw AccountError(.notPermitted, "only an admin can add an account: sign in as one (--admin NAME)")
        }
        if let refusal = try refusal(of: admin, .accountAdded, toChange: key, in: existing) { return .refused(refusal) }
        by = admin.account.name
      }
      if existing.contains(where: { $0.name == key }) {
        throw AccountError(
          .alreadyExists, "an account named '\(key)' exists already (accounts are never deleted, only disabled)")
      }
      let account = StoredAccount(
        name: key, fullName: fullName, role: role, isEnabled: true, passwordHash: hash, createdAt: now)
      return .done(
        Account(account),
        [
          AuditEvent(
            sequence: 0, time: now, action: .accountAdded, account: key, by: by, outcome: .succeeded,
            detail: role.rawValue)
        ],
        [account])
    }
  }

  /// Changes an account's password: by the account itself, or by an admin
  /// (which also lifts a lockout).
  public func changePassword(of name: String, to password: String, by actor: SignedInAccount) throws {
    let key = Self.key(name)
    let isSelf = actor.account.name == key
    let weakness = PasswordHash.weakness(of: password)
    let hash = weakness == nil ? try PasswordHash.make(password, cost: cost) : ""
    let attempt = Attempt(action: .passwordChanged, account: key, by: isSelf ? nil : actor.account.name)
    try transact(attempt) { (now) -> Change<Void> in
      if let weakness { throw AccountError(.weakPassword, weakness) }
      var stored = try existing(key)
      if !isSelf, let refusal = try refusal(of: actor, .passwordChanged, toChange: key, in: store.accounts()) {
        return .refused(refusal)
      }
      stored.passwordHash = hash
      if !isSelf {
        stored.failedAttempts = 0
        stored.lockedUntil = nil
      }
      let event = AuditEvent(
        sequence: 0, time: now, action: .passwordChanged, account: key, by: isSelf ? nil : actor.account.name,
        outcome: .succeeded)
      return .done((), [event], [stored])
    }
  }

  /// Changes an account's role; `admin` must be a signed-in admin, and the
  /// last enabled admin keeps the role.
  public func changeRole(of name: String, to role: AccountRole, by admin: SignedInAccount) throws {
    let key = Self.key(name)
    try transact(Attempt(action: .roleChanged, account: key, by: admin.account.name)) { (now) -> Change<Void> in
      var stored = try existing(key)
      let all = try store.accounts()
      if let refusal = try refusal(of: admin, .roleChanged, toChange: key, in: all) { return .refused(refusal) }
      guard stored.role != role else {
        throw AccountError(.unchanged, "'\(key)' is a \(role) account already")
      }
      if stored.role == .admin, stored.isEnabled, Self.enabledAdmins(all) == 1 {
        throw AccountError(.lastAdmin, "'\(key)' is the only enabled admin: make another admin first")
      }
      let event = AuditEvent(
        sequence: 0, time: now, action: .roleChanged, account: key, by: admin.account.name, outcome: .succeeded,
        detail: "\(stored.role) -> \(role)")
      stored.role = role
      return .done((), [event], [stored])
    }
  }

  /// Disables an account for good: it can no longer sign in, and its name
  /// still resolves in every record. `admin` must be a signed-in admin, and
  /// the last enabled admin stays enabled.
  public func disable(_ name: String, by admin: SignedInAccount) throws {
    let key = Self.key(name)
    try transact(Attempt(action: .accountDisabled, account: key, by: admin.account.name)) { (now) -> Change<Void> in
      var stored = try existing(key)
      let all = try store.accounts()
      if let refusal = try refusal(of: admin, .accountDisabled, toChange: key, in: all) { return .refused(refusal) }
      guard stored.isEnabled else { throw AccountError(.unchanged, "'\(key)' is disabled already") }
      if stored.role == .admin, Self.enabledAdmins(all) == 1 {
        throw AccountError(.lastAdmin, "'\(key)' is the only enabled admin: make another admin first")
      }
      stored.isEnabled = false
      let event = AuditEvent(
        sequence: 0, time: now, action: .accountDisabled, account: key, by: admin.account.name, outcome: .succeeded)
      return .done((), [event], [stored])
    }
  }

  // MARK: - Inside

  /// What a change computes: its result with the log entries and accounts
  /// to write, or a refusal to log and throw.
  private enum Change<Result> {
    case done(Result, [AuditEvent], [StoredAccount])
    case refused(Refusal)
  }

  /// A refusal: the entry that records it, the account to write (a failure
  /// counted), and the error to throw once both are stored.
  private struct Refusal {
    var event: AuditEvent
    var account: StoredAccount?
    var error: AccountError
  }

  /// An account change being attempted: what the log records when it is
  /// refused.
  private struct Attempt {
    var action: AuditEvent.Action
    var account: String
    var by: String?
  }

  /// Runs `compute` on the current state and commits what it returns as the
  /// next entries of the log; when another writer came first, reads again
  /// and runs it again. An ``AccountError`` that `compute` throws for an
  /// `attempt` is logged as its refusal before it is thrown.
  @discardableResult
  private func transact<Result>(_ attempt: Attempt? = nil, _ compute: (Timestamp) throws -> Change<Result>) throws
    -> Result
  {
    var tries = 0
    while true {
      tries += 1
      let last = try store.lastAuditEntry()
      let now = clock.now()
      let change: Change<Result>
      do {
        change = try compute(now)
      } catch let error as AccountError {
        guard let attempt else { throw error }
        change = .refused(
          Refusal(
            event: AuditEvent(
              sequence: 0, time: now, action: attempt.action, account: attempt.account, by: attempt.by,
              outcome: .refused, reason: error.code.reason),
            account: nil, error: error))
      }
      let (events, accounts): ([AuditEvent], [StoredAccount])
      switch change {
      case .done(_, let e, let a): (events, accounts) = (e, a)
      case .refused(let refusal): (events, accounts) = ([refusal.event], refusal.account.map { [$0] } ?? [])
      }
      var link = last.flatMap { SHA256Digest(hex: $0.chainHash) } ?? Self.genesis
      var sequence = last?.sequence ?? 0
      var entries: [StoredEvent] = []
      for var event in events {
        sequence += 1
        event.sequence = sequence
        let json = try Self.encode(event)
        link = ConsultationArchive.link(link, json)
        entries.append(StoredEvent(sequence: sequence, json: json, chainHash: link.description))
      }
      do {
        try store.commit(entries, accounts: accounts)
      } catch let error as StoreError where error.kind == .conflict && tries < 20 {
        continue
      }
      switch change {
      case .done(let result, _, _): return result
      case .refused(let refusal): throw refusal.error
      }
    }
  }

  /// Checks a name and password, counting a failure towards the lockout,
  /// and `extra` once the password is right; logs the attempt as `action`.
  private func authenticate(
    _ name: String, password: String, action: AuditEvent.Action, detail: String,
    extra: (StoredAccount) -> (reason: String, error: AccountError)?
  ) throws -> Account {
    let key = Self.key(name)
    // The hash is checked once, outside any retry: it is the slow part.
    var verified: [String: Bool] = [:]
    func matches(_ hash: String) -> Bool {
      if let known = verified[hash] { return known }
      let result = PasswordHash.verify(password, against: hash)
      verified[hash] = result
      return result
    }
    return try transact { now in
      func refuse(_ reason: String, _ error: AccountError, writing account: StoredAccount? = nil) -> Change<Account> {
        .refused(
          Refusal(
            event: AuditEvent(
              sequence: 0, time: now, action: action, account: key, outcome: .refused, reason: reason, detail: detail),
            account: account, error: error))
      }
      let wrong = AccountError(.invalidCredentials, "the account name or the password is wrong")
      // A name no account has is not logged as typed: it may be a password
      // typed in the wrong field, or text made to look like other entries.
      guard (try? Self.validName(name)) != nil, var stored = try store.account(named: key) else {
        _ = matches(PasswordHash.decoy(for: cost))
        return .refused(
          Refusal(
            event: AuditEvent(
              sequence: 0, time: now, action: action, account: Self.unknownName, outcome: .refused,
              reason: "no such account", detail: detail),
            account: nil, error: wrong))
      }
      if let until = stored.lockedUntil {
        if now < until {
          return refuse(
            "locked",
            AccountError(
              .locked,
              "'\(key)' is locked after \(Self.lockoutThreshold) failed sign-ins in a row, until \(until) (UTC); try again then, or an admin can set a new password"
            ))
        }
        stored.lockedUntil = nil
        stored.failedAttempts = 0
      }
      guard matches(stored.passwordHash) else {
        stored.failedAttempts = min(max(stored.failedAttempts, 0), Self.lockoutThreshold) + 1
        if stored.failedAttempts >= Self.lockoutThreshold {
          stored.failedAttempts = 0
          stored.lockedUntil = now + Self.lockoutDuration
          return refuse(
            "wrong password; locked",
            AccountError(
              .locked,
              "the password is wrong, \(Self.lockoutThreshold) times in a row: '\(key)' is locked for \(Self.lockoutDuration)"
            ), writing: stored)
        }
        return refuse("wrong password", wrong, writing: stored)
      }
      guard stored.isEnabled else {
        return refuse("account disabled", AccountError(.disabled, "the account '\(key)' is disabled"))
      }
      if let (reason, error) = extra(stored) { return refuse(reason, error) }
      let reset = stored.failedAttempts != 0
      stored.failedAttempts = 0
      let event = AuditEvent(
        sequence: 0, time: now, action: action, account: key, outcome: .succeeded, detail: detail)
      return .done(Account(stored), [event], reset ? [stored] : [])
    }
  }

  /// A refusal when `actor` is not, now, an enabled admin (the account may
  /// have changed since it signed in); `nil` when it is.
  private func refusal(
    of actor: SignedInAccount, _ action: AuditEvent.Action, toChange key: String, in all: [StoredAccount]
  ) throws -> Refusal? {
    let current = all.first { $0.name == actor.account.name }
    guard let current, current.isEnabled, current.role == .admin else {
      return Refusal(
        event: AuditEvent(
          sequence: 0, time: clock.now(), action: action, account: key, by: actor.account.name,
          outcome: .refused, reason: "not an admin"),
        account: nil,
        error: AccountError(
          .notPermitted, "'\(actor.account.name)' is not an enabled admin account: only an admin can change accounts"))
    }
    return nil
  }

  private func existing(_ key: String) throws -> StoredAccount {
    guard let stored = try store.account(named: key) else {
      throw AccountError(.notFound, "no account is named '\(key)' (mesoflow user list lists them)")
    }
    return stored
  }

  private static func enabledAdmins(_ all: [StoredAccount]) -> Int {
    all.count { $0.isEnabled && $0.role == .admin }
  }

  /// What the log says for a name no account has.
  static let unknownName = "(unknown)"
  /// What the log says for a name that cannot name an account.
  static let invalidName = "(invalid name)"

  /// A name as accounts are kept: trimmed, in lower case.
  static func key(_ name: String) -> String { name.trimmed.lowercased() }

  /// `name` as a new account's name, or an error saying what is wrong.
  static func validName(_ name: String) throws -> String {
    let key = key(name)
    let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789._-@")
    guard !key.isEmpty, key.count <= 64, key.allSatisfy(allowed.contains), key.first?.isLetter == true else {
      throw AccountError(
        .invalidName,
        "'\(name)' cannot name an account: use 1 to 64 letters, digits, '.', '_', '-' or '@', starting with a letter (kim, dr.lane)"
      )
    }
    return key
  }

  static let genesis = SHA256.hash("mesoflow audit chain v1")

  static func encode(_ event: AuditEvent) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(event), as: UTF8.self)
  }

  static func decode(_ entry: StoredEvent) throws -> AuditEvent {
    do {
      return try JSONDecoder().decode(AuditEvent.self, from: Data(entry.json.utf8))
    } catch {
      throw StoreError(.corrupt, "audit entry \(entry.sequence) cannot be read: it is not an audit event")
    }
  }
}

extension String {
  fileprivate var nonEmpty: String? { isEmpty ? nil : self }
}
