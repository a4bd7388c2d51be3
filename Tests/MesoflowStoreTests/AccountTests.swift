import Foundation
import Mesoflow
import MesoflowSQLite
import Testing

@testable import MesoflowStore

/// The accounts directory on both stores: who may sign in and sign, what
/// is refused and why, the lockout, and the audit log of every attempt.
struct AccountTests {
  typealias Kind = ArchiveTests.Kind

  static let adminPassword = "admin correct horse"
  static let nursePassword = "nurse battery staple"
  static let doctorPassword = "doctor tulip morning"

  static func accountStore(_ kind: Kind) throws -> any AccountStore {
    switch kind {
    case .memory: return MemoryStore()
    case .sqlite: return try SQLiteStore(path: ArchiveTests.temporaryPath())
    }
  }

  /// A directory with an admin, a nurse and a physician; the admin signed in.
  static func clinic(_ kind: Kind) throws -> (AccountDirectory, ManualClock, SignedInAccount) {
    let clock = ManualClock(ArchiveTests.morning)
    let directory = AccountDirectory(store: try accountStore(kind), clock: clock, cost: .quick)
    try directory.add("ada", fullName: "Ada Admin", role: .admin, password: adminPassword, by: nil)
    let admin = try directory.signIn("ada", password: adminPassword, for: "test")
    try directory.add("kim", fullName: "Nurse Kim", role: .staff, password: nursePassword, by: admin)
    try directory.add("dr.lane", fullName: "Dr Ada Lane", role: .physician, password: doctorPassword, by: admin)
    return (directory, clock, admin)
  }

  func code(_ work: () throws -> Void) -> AccountError.Code? {
    do {
      try work()
      return nil
    } catch let error as AccountError {
      return error.code
    } catch {
      Issue.record("not an account error: \(error)")
      return nil
    }
  }

  @Test(arguments: Kind.allCases) func theFirstAccountIsAnAdminAndOnlyAnAdminAddsMore(_ kind: Kind) throws {
    let clock = ManualClock(ArchiveTests.morning)
    let directory = AccountDirectory(store: try Self.accountStore(kind), clock: clock, cost: .quick)
    #expect(try !directory.hasAccounts())
    let first = try directory.add("Kim", role: .staff, password: Self.nursePassword, by: nil)
    #expect(first.role == .admin)
    #expect(first.name == "kim")
    #expect(code { try directory.add("lee", role: .staff, password: Self.nursePassword, by: nil) } == .notPermitted)
    let kim = try directory.signIn("KIM", password: Self.nursePassword, for: "test")
    let lee = try directory.add("lee", role: .staff, password: Self.nursePassword, by: kim)
    #expect(lee.role == .staff)
    let signedLee = try directory.signIn("lee", password: Self.nursePassword, for: "test")
    #expect(
      code { try directory.add("max", role: .staff, password: Self.nursePassword, by: signedLee) } == .notPermitted)
    #expect(code { try directory.add("lee", role: .staff, password: Self.nursePassword, by: kim) } == .alreadyExists)
    #expect(code { try directory.add("no name", role: .staff, password: Self.nursePassword, by: kim) } == .invalidName)
    #expect(try directory.accounts().map(\.name) == ["kim", "lee"])
  }

  @Test func passwordsAreCheckedForLengthAndReadWhole() throws {
    let directory = AccountDirectory(store: MemoryStore(), clock: ManualClock(ArchiveTests.morning), cost: .quick)
    #expect(code { try directory.add("kim", role: .staff, password: "short pass", by: nil) } == .weakPassword)
    #expect(
      code { try directory.add("kim", role: .staff, password: String(repeating: " ", count: 14), by: nil) }
        == .weakPassword)
    // Longer than bcrypt's 72 bytes: a difference after byte 72 still counts.
    let long = String(repeating: "a", count: 100) + "1"
    try directory.add("kim", role: .staff, password: long, by: nil)
    #expect(
      code { _ = try directory.signIn("kim", password: String(repeating: "a", count: 100) + "2", for: "t") }
        == .invalidCredentials)
    #expect(try directory.signIn("kim", password: long, for: "test").account.name == "kim")
  }

  @Test func theStoredHashIsArgon2idSaltedAndNeverThePassword() throws {
    let store = MemoryStore()
    let directory = AccountDirectory(store: store, clock: ManualClock(ArchiveTests.morning))
    try directory.add("kim", role: .staff, password: Self.nursePassword, by: nil)
    let admin = try directory.signIn("kim", password: Self.nursePassword, for: "test")
    try directory.add("lee", role: .staff, password: Self.nursePassword, by: admin)
    let kim = try #require(try store.account(named: "kim"))
    let lee = try #require(try store.account(named: "lee"))
    #expect(kim.passwordHash.hasPrefix("$argon2id$v=19$m=65536,t=3,p=1$"))
    #expect(!kim.passwordHash.contains(Self.nursePassword))
    #expect(kim.passwordHash != lee.passwordHash, "one password, two salts, two hashes")
    for entry in try store.auditEntries() {
      #expect(!entry.json.contains(Self.nursePassword))
      #expect(!entry.json.contains("argon2"))
    }
  }

  @Test(arguments: Kind.allCases) func aWrongPasswordAndAnUnknownNameGiveOneMessage(_ kind: Kind) throws {
    let (directory, _, _) = try Self.clinic(kind)
    var messages: [String] = []
    for (name, password) in [("kim", "not the password"), ("nobody", Self.nursePassword)] {
      do {
        _ = try directory.signIn(name, password: password, for: "run")
        Issue.record("signed in with a wrong name or password")
      } catch let error as AccountError {
        #expect(error.code == .invalidCredentials)
        messages.append(error.message)
      }
    }
    #expect(Set(messages).count == 1)
    let refusals = try directory.auditLog().filter { $0.outcome == .refused }
    #expect(refusals.map(\.reason) == ["wrong password", "no such account"])
    #expect(refusals.map(\.account) == ["kim", "(unknown)"], "a name no account has is not logged as typed")
  }

  @Test(arguments: Kind.allCases) func aDisabledAccountCannotSignInAndItsNameStays(_ kind: Kind) throws {
    let (directory, _, admin) = try Self.clinic(kind)
    try directory.disable("kim", by: admin)
    #expect(code { _ = try directory.signIn("kim", password: Self.nursePassword, for: "run") } == .disabled)
    #expect(try directory.account(named: "kim")?.isEnabled == false)
    #expect(code { try directory.disable("kim", by: admin) } == .unchanged)
  }

  @Test(arguments: Kind.allCases) func fiveFailuresInARowLockTheAccountForAQuarterOfAnHour(_ kind: Kind) throws {
    let (directory, clock, admin) = try Self.clinic(kind)
    for attempt in 1...4 {
      #expect(
        code { _ = try directory.signDecision("approve", physician: "dr.lane", password: "guess \(attempt)") }
          == .invalidCredentials)
    }
    #expect(code { _ = try directory.signDecision("approve", physician: "dr.lane", password: "guess 5") } == .locked)
    // Locked: even the right password is refused, without being tried.
    #expect(
      code { _ = try directory.signDecision("approve", physician: "dr.lane", password: Self.doctorPassword) } == .locked
    )
    clock.advance(by: .minutes(14))
    #expect(code { _ = try directory.signIn("dr.lane", password: Self.doctorPassword, for: "run") } == .locked)
    clock.advance(by: .minutes(1))
    #expect(
      try directory.signDecision("approve", physician: "dr.lane", password: Self.doctorPassword).account == "dr.lane")
    // A success resets the count: four more failures do not lock.
    for attempt in 1...4 {
      _ = code { _ = try directory.signIn("dr.lane", password: "guess \(attempt)", for: "run") }
    }
    #expect(try directory.signIn("dr.lane", password: Self.doctorPassword, for: "run").account.name == "dr.lane")
    // An admin's new password lifts a lock.
    for attempt in 1...5 { _ = code { _ = try directory.signIn("kim", password: "guess \(attempt)", for: "run") } }
    #expect(try directory.account(named: "kim")?.lockedUntil != nil)
    try directory.changePassword(of: "kim", to: "a brand new password", by: admin)
    #expect(try directory.signIn("kim", password: "a brand new password", for: "run").account.name == "kim")
  }

  @Test(arguments: Kind.allCases) func onlyAPhysicianSignsADecision(_ kind: Kind) throws {
    let (directory, _, _) = try Self.clinic(kind)
    #expect(
      code { _ = try directory.signDecision("approve referral", physician: "kim", password: Self.nursePassword) }
        == .notPermitted)
    #expect(
      code { _ = try directory.signDecision("approve referral", physician: "ada", password: Self.adminPassword) }
        == .notPermitted)
    let physician = try directory.signDecision("approve referral", physician: "Dr.Lane", password: Self.doctorPassword)
    #expect(physician == Clinician(name: "Dr Ada Lane", role: .physician, account: "dr.lane"))
    let decisions = try directory.auditLog().filter { $0.action == .decision }
    #expect(decisions.map(\.outcome) == [.refused, .refused, .succeeded])
    #expect(decisions.map(\.reason) == ["not a physician", "not a physician", nil])
    #expect(decisions.allSatisfy { $0.detail == "approve referral" })
  }

  @Test(arguments: Kind.allCases) func theLastAdminStaysAnEnabledAdmin(_ kind: Kind) throws {
    let (directory, _, admin) = try Self.clinic(kind)
    #expect(code { try directory.disable("ada", by: admin) } == .lastAdmin)
    #expect(code { try directory.changeRole(of: "ada", to: .staff, by: admin) } == .lastAdmin)
    try directory.changeRole(of: "kim", to: .admin, by: admin)
    try directory.changeRole(of: "ada", to: .staff, by: admin)
    // Ada is no admin any more: what she signed in as no longer counts.
    #expect(code { try directory.disable("kim", by: admin) } == .notPermitted)
  }

  @Test(arguments: Kind.allCases) func aChangeRefusedToANonAdminIsLoggedAsTheChangeTried(_ kind: Kind) throws {
    let (directory, _, _) = try Self.clinic(kind)
    let kim = try directory.signIn("kim", password: Self.nursePassword, for: "test")
    #expect(code { try directory.add("lee", role: .staff, password: Self.nursePassword, by: kim) } == .notPermitted)
    #expect(code { try directory.changeRole(of: "dr.lane", to: .staff, by: kim) } == .notPermitted)
    #expect(code { try directory.disable("dr.lane", by: kim) } == .notPermitted)
    #expect(code { try directory.changePassword(of: "dr.lane", to: Self.nursePassword, by: kim) } == .notPermitted)
    let refusals = try directory.auditLog().filter { $0.outcome == .refused }
    #expect(
      refusals.map { "\($0.action) \($0.account) by \($0.by ?? "-"): \($0.reason ?? "-")" } == [
        "account-added lee by kim: not an admin", "role-changed dr.lane by kim: not an admin",
        "account-disabled dr.lane by kim: not an admin", "password-changed dr.lane by kim: not an admin",
      ])
  }

  @Test(arguments: Kind.allCases) func everyChangeAndAttemptIsInAnIntactChain(_ kind: Kind) throws {
    let (directory, _, admin) = try Self.clinic(kind)
    _ = code { _ = try directory.signIn("kim", password: "wrong password!", for: "run") }
    try directory.changeRole(of: "kim", to: .physician, by: admin)
    try directory.disable("kim", by: admin)
    let log = try directory.auditLog()
    #expect(log.map(\.sequence) == Array(1...log.count))
    #expect(
      log.map { "\($0.action) \($0.account) \($0.outcome.rawValue)" } == [
        "account-added ada succeeded", "sign-in ada succeeded", "account-added kim succeeded",
        "account-added dr.lane succeeded", "sign-in kim refused", "role-changed kim succeeded",
        "account-disabled kim succeeded",
      ])
    #expect(log[5].detail == "staff -> physician")
    #expect(log[5].by == "ada")
    #expect(try directory.auditLog(account: "kim").count == 4)
    #expect(try directory.verifyAuditLog() == [])
  }

  @Test(arguments: Kind.allCases) func refusedChangesAreLoggedAsWhatWasAttempted(_ kind: Kind) throws {
    let (directory, _, admin) = try Self.clinic(kind)
    let kim = try directory.signIn("kim", password: Self.nursePassword, for: "test")
    #expect(code { try directory.changeRole(of: "dr.lane", to: .staff, by: kim) } == .notPermitted)
    #expect(code { try directory.changePassword(of: "dr.lane", to: "a long new password", by: kim) } == .notPermitted)
    #expect(code { try directory.disable("ada", by: admin) } == .lastAdmin)
    #expect(code { try directory.add("kim", role: .staff, password: Self.nursePassword, by: admin) } == .alreadyExists)
    #expect(code { try directory.add("x\ny", role: .staff, password: Self.nursePassword, by: admin) } == .invalidName)
    #expect(code { try directory.add("lee", role: .staff, password: "short", by: admin) } == .weakPassword)
    let refused = try directory.auditLog().filter { $0.outcome == .refused }.map {
      "\($0.action) \($0.account) by \($0.by ?? "-"): \($0.reason ?? "")"
    }
    #expect(
      refused == [
        "role-changed dr.lane by kim: not an admin", "password-changed dr.lane by kim: not an admin",
        "account-disabled ada by ada: last admin", "account-added kim by ada: exists already",
        "account-added (invalid name) by ada: invalid name", "account-added lee by ada: password refused",
      ])
  }

  @Test func aNameThatCannotNameAnAccountIsNotLoggedAsTyped() throws {
    let (directory, _, _) = try Self.clinic(.memory)
    let forged = "kim\n2026-12-01 10:00  decision dr.lane: succeeded"
    #expect(code { _ = try directory.signIn(forged, password: Self.nursePassword, for: "run") } == .invalidCredentials)
    #expect(try directory.auditLog().last?.account == "(unknown)")
  }

  @Test func aStoredHashThatAsksForTooMuchWorkIsRefusedNotComputed() throws {
    let store = MemoryStore()
    let clock = ManualClock(ArchiveTests.morning)
    let directory = AccountDirectory(store: store, clock: clock, cost: .quick)
    try directory.add("ada", role: .admin, password: Self.adminPassword, by: nil)
    var ada = try #require(try store.account(named: "ada"))
    ada.passwordHash = ada.passwordHash.replacingOccurrences(of: "m=64,", with: "m=4194304,")
    ada.failedAttempts = Int.max
    try store.commit([], accounts: [ada])
    let started = ContinuousClock.now
    // Refused without the gigabytes being spent; the damaged failure count
    // saturates instead of overflowing, which locks the account.
    #expect(code { _ = try directory.signIn("ada", password: Self.adminPassword, for: "run") } == .locked)
    #expect(ContinuousClock.now - started < .seconds(2))
    #expect(try store.account(named: "ada")?.lockedUntil != nil)
  }

  @Test func anEditedEntryBreaksTheChain() throws {
    let store = MemoryStore()
    let directory = AccountDirectory(store: store, clock: ManualClock(ArchiveTests.morning), cost: .quick)
    try directory.add("ada", role: .admin, password: Self.adminPassword, by: nil)
    _ = try directory.signIn("ada", password: Self.adminPassword, for: "run")
    let entry = try #require(try store.auditEntries().last)
    store.tamperAudit(sequence: entry.sequence, json: entry.json.replacingOccurrences(of: "succeeded", with: "refused"))
    #expect(
      try directory.verifyAuditLog() == [
        "audit entry 2 does not match the hash chain: it was edited or replaced after it was recorded"
      ])
  }

  @Test func twoWritersAtOnceBothLandInOneChain() async throws {
    let path = ArchiveTests.temporaryPath()
    let clock = ManualClock(ArchiveTests.morning)
    let first = AccountDirectory(store: try SQLiteStore(path: path), clock: clock, cost: .quick)
    try first.add("ada", role: .admin, password: Self.adminPassword, by: nil)
    let admin = try first.signIn("ada", password: Self.adminPassword, for: "test")
    let second = AccountDirectory(store: try SQLiteStore(path: path), clock: clock, cost: .quick)
    async let one: Void = Task { try first.add("kim", role: .staff, password: Self.nursePassword, by: admin) }.value
    async let two: Void = Task { try second.add("lee", role: .staff, password: Self.nursePassword, by: admin) }.value
    _ = try await (one, two)
    #expect(try first.accounts().map(\.name) == ["ada", "kim", "lee"])
    #expect(try first.verifyAuditLog() == [])
    #expect(try first.auditLog().map(\.sequence) == [1, 2, 3, 4])
  }
}
