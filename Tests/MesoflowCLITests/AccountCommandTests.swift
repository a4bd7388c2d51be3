import Foundation
import Testing

/// `mesoflow user` and `mesoflow audit` on the built binary, with passwords
/// on standard input (--password-stdin): who may change accounts, the
/// lockout, what the audit log and the store file keep, and damaged rows.
///
/// Each Argon2id hash costs the binary a few hundred milliseconds, so the
/// tests start from a copy of the clinic's store rather than adding accounts.
struct AccountCommandTests {
  let cli = CLITests()

  static let admin = CLITests.adminPassword
  static let nurse = CLITests.nursePassword
  static let physician = CLITests.physicianPassword
  static let wrong = "not the right password"

  /// `mesoflow user ARGUMENTS --password-stdin --store STORE`, with
  /// `passwords` one a line on standard input.
  func user(_ arguments: [String], store: String, passwords: [String]) throws -> CLITests.Result {
    try cli.run(
      ["user"] + arguments + ["--password-stdin", "--store", store], stdin: passwords.map { $0 + "\n" }.joined())
  }

  /// Signs `account` in for a face consultation with `password`: exit 3
  /// when it signs in (standard input then ends, which pauses the run at
  /// the first question), 1 when it is refused.
  func signIn(_ account: String, _ password: String, store: String) throws -> CLITests.Result {
    try cli.run(
      ["run", "--area", "face", "--staff", account, "--password-stdin", "--store", store], stdin: password + "\n")
  }

  /// `mesoflow user list`, each line as printed.
  func accounts(in store: String) throws -> [String] {
    let list = try cli.run(["user", "list", "--store", store])
    #expect(list.status == 0, "\(list.stderr)")
    return list.stdout.split(separator: "\n").map(String.init)
  }

  /// `mesoflow audit ARGUMENTS`, each entry without its time, which must
  /// lead every line.
  func audit(_ arguments: [String] = [], store: String) throws -> [String] {
    let audit = try cli.run(["audit", "--store", store] + arguments)
    #expect(audit.status == 0, "\(audit.stderr)")
    return audit.stdout.split(separator: "\n").map { line in
      let time = #/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}  /#
      #expect(line.firstMatch(of: time) != nil, "no time leads \(line)")
      return String(line.replacing(time, with: "", maxReplacements: 1))
    }
  }

  static let refusedAsNoAdmin = "error: 'kim' is not an enabled admin account: only an admin can change accounts\n"
  static let wrongPassword = "error: the account name or the password is wrong\n"

  // MARK: - Adding accounts

  @Test func onlyASignedInAdminAddsAnAccountAndOnlyWithALongEnoughPassword() throws {
    let store = CLITests.clinicStore()
    let leePassword = "twelve chars"
    #expect(leePassword.count == 12)

    let noAdmin = try user(["add", "lee"], store: store, passwords: [leePassword])
    #expect(noAdmin.status == 64)
    #expect(
      noAdmin.stderr.contains("only an admin can add accounts: name yours with --admin NAME"), "\(noAdmin.stderr)")
    let nurse = try user(["add", "lee", "--admin", "kim"], store: store, passwords: [Self.nurse, leePassword])
    #expect(nurse.status == 1)
    #expect(nurse.stderr == Self.refusedAsNoAdmin)
    let wrongAdmin = try user(["add", "lee", "--admin", "ada"], store: store, passwords: [Self.wrong, leePassword])
    #expect(wrongAdmin.status == 1)
    #expect(wrongAdmin.stderr == Self.wrongPassword)
    let short = try user(["add", "lee", "--admin", "ada"], store: store, passwords: [Self.admin, "eleven char"])
    #expect(short.status == 1)
    #expect(
      short.stderr
        == "error: a password needs at least 12 characters (this one has 11); a few words together are easy to remember and hard to guess\n"
    )
    let badName = try user(["add", "Nurse Lee", "--admin", "ada"], store: store, passwords: [Self.admin, leePassword])
    #expect(badName.status == 1)
    #expect(badName.stderr.hasPrefix("error: 'Nurse Lee' cannot name an account: use 1 to 64 letters"))
    #expect(try accounts(in: store).count == 3, "nothing was added")

    let added = try user(
      ["add", "lee", "--role", "physician", "--full-name", "Dr Lee Park", "--admin", "ada"], store: store,
      passwords: [Self.admin, leePassword])
    #expect(added.status == 0, "\(added.stderr)")
    #expect(added.stdout == "Added 'lee' (physician).\n")
    let again = try user(["add", "LEE", "--admin", "ada"], store: store, passwords: [Self.admin, leePassword])
    #expect(again.status == 1)
    #expect(
      again.stderr == "error: an account named 'lee' exists already (accounts are never deleted, only disabled)\n")
    let lee = try signIn("lee", leePassword, store: store)
    #expect(lee.status == 3, "\(lee.stderr)")
    #expect(lee.stdout.contains(", Dr Lee Park (physician). Saved in \(store)."), "\(lee.stdout)")
  }

  @Test func userListShowsEveryAccountWithItsRoleAndWhetherItMaySignIn() throws {
    let store = CLITests.clinicStore()
    let lines = try accounts(in: store)
    let since = #/ · since \d{4}-\d{2}-\d{2}$/#
    #expect(lines.allSatisfy { $0.firstMatch(of: since) != nil }, "\(lines)")
    #expect(
      lines.map { $0.replacing(since, with: "") } == [
        "ada      admin      ada · enabled",
        "dr.lane  physician  Dr Lane · enabled",
        "kim      staff      Nurse Kim · enabled",
      ])

    let empty = FileManager.default.temporaryDirectory.appendingPathComponent("mesoflow-empty-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: empty) }
    let none = try cli.run(["user", "list", "--store", empty.appendingPathComponent("c.sqlite").path])
    #expect(none.status == 0)
    #expect(none.stdout == "No accounts yet; the first, an admin: mesoflow user add NAME\n")
  }

  // MARK: - Roles, disabling, passwords

  @Test func anAdminChangesRolesAndDisablesAccountsButNeverTheLastAdmin() throws {
    let store = CLITests.clinicStore()
    let role = try user(["role", "kim", "physician", "--admin", "ada"], store: store, passwords: [Self.admin])
    #expect(role.status == 0, "\(role.stderr)")
    #expect(role.stdout == "'kim' is a physician account now.\n")
    let same = try user(["role", "kim", "physician", "--admin", "ada"], store: store, passwords: [Self.admin])
    #expect(same.status == 1)
    #expect(same.stderr == "error: 'kim' is a physician account already\n")

    let disable = try user(["disable", "kim", "--admin", "ada"], store: store, passwords: [Self.admin])
    #expect(disable.status == 0, "\(disable.stderr)")
    #expect(disable.stdout == "'kim' is disabled.\n")
    #expect(try accounts(in: store).contains { $0.hasPrefix("kim      physician  Nurse Kim · disabled · since ") })
    // A disabled account cannot sign in, even with the right password.
    let run = try signIn("kim", Self.nurse, store: store)
    #expect(run.status == 1)
    #expect(run.stderr == "error: the account 'kim' is disabled\n")
    #expect(run.stdout == "", "no consultation was begun")

    // The last enabled admin can be neither disabled nor demoted.
    let lastAdmin = "error: 'ada' is the only enabled admin: make another admin first\n"
    let disableAda = try user(["disable", "ada", "--admin", "ada"], store: store, passwords: [Self.admin])
    #expect(disableAda.status == 1)
    #expect(disableAda.stderr == lastAdmin)
    let demoteAda = try user(["role", "ada", "staff", "--admin", "ada"], store: store, passwords: [Self.admin])
    #expect(demoteAda.status == 1)
    #expect(demoteAda.stderr == lastAdmin)
    // With a second admin she can step down, and then changes nothing more.
    #expect(
      try user(["role", "dr.lane", "admin", "--admin", "ada"], store: store, passwords: [Self.admin]).status == 0)
    #expect(try user(["role", "ada", "staff", "--admin", "ada"], store: store, passwords: [Self.admin]).status == 0)
    let former = try user(["disable", "dr.lane", "--admin", "ada"], store: store, passwords: [Self.admin])
    #expect(former.status == 1)
    #expect(former.stderr == "error: 'ada' is not an enabled admin account: only an admin can change accounts\n")
    let sinceDropped = try accounts(in: store).map { $0.replacing(#/ · since .*$/#, with: "") }
    #expect(
      sinceDropped == [
        "ada      staff      ada · enabled",
        "dr.lane  admin      Dr Lane · enabled",
        "kim      physician  Nurse Kim · disabled",
      ])
  }

  @Test func anAccountChangesItsOwnPasswordWithTheCurrentOneAndAnAdminChangesAny() throws {
    let store = CLITests.clinicStore()
    let second = "kim's second password"
    let own = try user(["passwd", "kim"], store: store, passwords: [Self.nurse, second])
    #expect(own.status == 0, "\(own.stderr)")
    #expect(own.stdout == "The password of 'kim' is changed.\n")
    #expect(try signIn("kim", Self.nurse, store: store).stderr == Self.wrongPassword, "the old one is gone")
    #expect(try signIn("kim", second, store: store).status == 3)

    let wrongCurrent = try user(["passwd", "kim"], store: store, passwords: [Self.nurse, "kim's third password"])
    #expect(wrongCurrent.status == 1)
    #expect(wrongCurrent.stderr == Self.wrongPassword)
    let short = try user(["passwd", "kim"], store: store, passwords: [second, "short"])
    #expect(short.status == 1)
    #expect(short.stderr.hasPrefix("error: a password needs at least 12 characters (this one has 5)"))
    let ended = try user(["passwd", "kim"], store: store, passwords: [second])
    #expect(ended.status == 1)
    #expect(
      ended.stderr
        == "error: standard input ended before the new password of 'kim' (--password-stdin reads one password a line)\n"
    )
    #expect(try signIn("kim", second, store: store).status == 3, "none of those changed it")

    // An admin sets anyone's password: the admin's first, then the new one.
    let third = "kim's third password"
    let byAdmin = try user(["passwd", "kim", "--admin", "ada"], store: store, passwords: [Self.admin, third])
    #expect(byAdmin.status == 0, "\(byAdmin.stderr)")
    #expect(byAdmin.stdout == "The password of 'kim' is changed.\n")
    #expect(try signIn("kim", third, store: store).status == 3)
    // A nurse does not, not even signed in as herself.
    let byNurse = try user(
      ["passwd", "dr.lane", "--admin", "kim"], store: store, passwords: [third, "lane's new password"])
    #expect(byNurse.status == 1)
    #expect(byNurse.stderr == Self.refusedAsNoAdmin)
    #expect(try signIn("dr.lane", Self.physician, store: store).status == 3)
  }

  // MARK: - The lockout

  @Test func fiveWrongPasswordsInARowLockTheAccountUntilAnAdminSetsANewOne() throws {
    let store = CLITests.clinicStore()
    // Four wrong, then the right one: the count starts again.
    for _ in 1...4 { #expect(try signIn("kim", Self.wrong, store: store).stderr == Self.wrongPassword) }
    #expect(try signIn("kim", Self.nurse, store: store).status == 3)
    for attempt in 1...5 {
      let refused = try signIn("kim", Self.wrong, store: store)
      #expect(refused.status == 1)
      #expect(
        refused.stderr
          == (attempt < 5
            ? Self.wrongPassword : "error: the password is wrong, 5 times in a row: 'kim' is locked for 15m\n"),
        "attempt \(attempt)")
    }
    // The sixth, with the right password, is refused too.
    let locked = try signIn("kim", Self.nurse, store: store)
    #expect(locked.status == 1)
    #expect(locked.stderr.hasPrefix("error: 'kim' is locked after 5 failed sign-ins in a row, until "))
    #expect(locked.stderr.hasSuffix(" (UTC); try again then, or an admin can set a new password\n"))
    #expect(locked.stdout == "")
    #expect(try accounts(in: store).contains { $0.hasPrefix("kim      staff      Nurse Kim · enabled, locked until ") })
    #expect(try signIn("dr.lane", Self.physician, store: store).status == 3, "other accounts are not locked")
    #expect(
      try audit(["--account", "kim"], store: store).suffix(7)
        == ["sign-in kim: succeeded · run"] + Array(repeating: "sign-in kim: refused (wrong password) · run", count: 4)
        + ["sign-in kim: refused (wrong password; locked) · run", "sign-in kim: refused (locked) · run"])

    // An admin sets a new password, which lifts the lock.
    let fresh = "kim's fresh password"
    let reset = try user(["passwd", "kim", "--admin", "ada"], store: store, passwords: [Self.admin, fresh])
    #expect(reset.status == 0, "\(reset.stderr)")
    #expect(try signIn("kim", fresh, store: store).status == 3)
    #expect(try accounts(in: store).contains { $0.hasPrefix("kim      staff      Nurse Kim · enabled · since ") })
  }

  // MARK: - The audit log

  @Test func theAuditLogListsEveryAttemptWithItsOutcomeAndNoPassword() throws {
    let store = CLITests.clinicStore()
    #expect(try signIn("kim", Self.wrong, store: store).status == 1)
    #expect(try signIn("nobody", Self.nurse, store: store).status == 1)
    #expect(try signIn("kim", Self.nurse, store: store).status == 3)
    // A nurse signed in as herself may change no other account, and each refusal names what was tried.
    let newPassword = "lane's new password"
    for (arguments, passwords) in [
      (["disable", "dr.lane", "--admin", "kim"], [Self.nurse]),
      (["role", "dr.lane", "staff", "--admin", "kim"], [Self.nurse]),
      (["passwd", "dr.lane", "--admin", "kim"], [Self.nurse, newPassword]),
    ] {
      let refused = try user(arguments, store: store, passwords: passwords)
      #expect(refused.status == 1, "\(arguments)")
      #expect(refused.stderr == Self.refusedAsNoAdmin, "\(arguments)")
    }

    let all = try audit(store: store)
    #expect(
      all == [
        // The clinic's three accounts, as CLITests.clinicTemplate made them.
        "account-added ada: succeeded · admin",
        "sign-in ada: succeeded · add accounts",
        "account-added kim by ada: succeeded · staff",
        "sign-in ada: succeeded · add accounts",
        "account-added dr.lane by ada: succeeded · physician",
        // What this test tried.
        "sign-in kim: refused (wrong password) · run",
        "sign-in (unknown): refused (no such account) · run",
        "sign-in kim: succeeded · run",
        "sign-in kim: succeeded · disable accounts",
        "account-disabled dr.lane by kim: refused (not an admin)",
        "sign-in kim: succeeded · change roles",
        "role-changed dr.lane by kim: refused (not an admin)",
        "sign-in kim: succeeded · change another account's password",
        "password-changed dr.lane by kim: refused (not an admin)",
      ])
    // --account: the entries about the account or made by it, whatever the case of the name.
    let kim = try audit(["--account", "KIM"], store: store)
    #expect(kim == all.filter { $0.contains("kim") })
    #expect(kim.count == 9)
    // A name no account has is not kept as typed (it may be a password typed in the wrong field).
    let nobody = try cli.run(["audit", "--account", "nobody", "--store", store])
    #expect(nobody.stdout == "No audit entries for 'nobody'.\n")
    let none = try cli.run(["audit", "--account", "zed", "--store", store])
    #expect(none.stdout == "No audit entries for 'zed'.\n")
    // --since: a day, in the system's time zone.
    #expect(try audit(["--since", "2000-01-01"], store: store) == all)
    let future = try cli.run(["audit", "--since", "2999-01-01", "--store", store])
    #expect(future.status == 0)
    #expect(future.stdout == "No audit entries since 2999-01-01.\n")
    let badDate = try cli.run(["audit", "--since", "yesterday", "--store", store])
    #expect(badDate.status == 64)
    #expect(badDate.stderr.contains("'yesterday' is not a date: expected YYYY-MM-DD"))

    let text = try cli.run(["audit", "--store", store]).stdout
    for secret in [Self.admin, Self.nurse, Self.physician, Self.wrong, newPassword] {
      #expect(!text.contains(secret), "the audit log shows \(secret)")
    }
  }

  @Test func passwordsAreKeptOnlyAsSaltedArgon2idHashes() throws {
    let store = CLITests.clinicStore()
    let shared = "one password for two"
    for name in ["lee", "max"] {
      let added = try user(["add", name, "--admin", "ada"], store: store, passwords: [Self.admin, shared])
      #expect(added.status == 0, "\(added.stderr)")
    }
    #expect(try signIn("lee", Self.wrong, store: store).status == 1)
    #expect(try signIn("max", shared, store: store).status == 3)

    let rows = try CLITests.shell(
      "sqlite3 -separator ' ' '\(store)' 'SELECT name, password_hash FROM account ORDER BY name'"
    )
    .split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
    #expect(rows.map(\.first) == ["ada", "dr.lane", "kim", "lee", "max"])
    let hashes = Dictionary(uniqueKeysWithValues: rows.compactMap { row in row.count == 2 ? (row[0], row[1]) : nil })
    #expect(hashes.count == 5, "\(rows)")
    // RFC 9106's parameters, a fresh salt each: one password, two hashes.
    #expect(hashes.values.allSatisfy { $0.hasPrefix("$argon2id$v=19$m=65536,t=3,p=1$") }, "\(hashes)")
    #expect(hashes["lee"] != hashes["max"])
    #expect(Set(hashes.values).count == 5)

    // No password is in the file's bytes, nor in its write-ahead log.
    var files = 0
    for suffix in ["", "-wal", "-shm"] {
      guard let bytes = FileManager.default.contents(atPath: store + suffix) else { continue }
      files += 1
      for secret in [Self.admin, Self.nurse, Self.physician, Self.wrong, shared] {
        #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) is in \(store + suffix)")
      }
    }
    #expect(files >= 1)
  }

  @Test(arguments: [
    (
      "UPDATE audit SET json = replace(json, 'refused', 'succeeded') WHERE sequence = 6",
      ["audit entry 6 does not match the hash chain: it was edited or replaced after it was recorded"]
    ),
    (
      "DELETE FROM audit WHERE sequence = 6",
      [
        "audit entry 7 is out of place: entry 6 was expected there",
        "audit entry 7 does not match the hash chain: it was edited or replaced after it was recorded",
      ]
    ),
  ])
  func anAuditEntryEditedWithTheSqlite3ToolFailsVerifyAndConsultationsStillVerify(
    _ edit: String, _ problems: [String]
  ) throws {
    let store = CLITests.clinicStore()
    #expect(try signIn("kim", Self.wrong, store: store).status == 1)
    let run = try cli.run(
      [
        "run", "--area", "face", "--staff", "kim", "--password-stdin", "--store", store, "--answers",
        RunCommandTests.answers.path,
      ], stdin: RunCommandTests.passwords("kim"))
    #expect(run.status == 0, "\(run.stderr)")
    let id = try RunCommandTests.id(in: run.stdout)
    let intact = try cli.run(["verify", "--store", store])
    #expect(intact.status == 0, "\(intact.stdout)")
    #expect(intact.stdout.contains("1 of 1 consultation intact\nok   audit log: 7 entries, chain intact, head "))
    let refused = try CLITests.shell("sqlite3 '\(store)' \"SELECT sequence FROM audit WHERE json LIKE '%refused%'\"")
    #expect(refused == "6\n", "the wrong password is entry 6")

    _ = try CLITests.shell("sqlite3 '\(store)' \"\(edit)\"")
    let verify = try cli.run(["verify", "--store", store])
    #expect(verify.status == 1)
    #expect(verify.stdout.hasPrefix("ok   \(id): "), "\(verify.stdout)")
    #expect(
      verify.stdout.hasSuffix(
        "1 of 1 consultation intact\nFAIL audit log:\n" + problems.map { "       \($0)\n" }.joined()),
      "\(verify.stdout)")
    // One consultation's check reads no log, and the record is still there to read.
    #expect(try cli.run(["verify", id, "--store", store]).status == 0)
    #expect(try cli.run(["show", id, "--store", store]).status == 0)
  }

  // MARK: - Damaged rows and empty stores

  @Test(arguments: [
    ("role = 'wizard'", "column role holds 'wizard', which is no role"),
    ("enabled = 'x'", "column enabled of its row holds text where an integer belongs"),
    ("locked_until = 'soon'", "column locked_until of its row holds text where an integer or NULL belongs"),
  ])
  func aDamagedAccountRowIsNamedAndNeverACrash(_ change: String, _ problem: String) throws {
    let store = CLITests.clinicStore()
    _ = try CLITests.shell("sqlite3 '\(store)' \"UPDATE account SET \(change) WHERE name = 'kim'\"")
    let error = "error: account 'kim' is damaged: \(problem)\n"
    let list = try cli.run(["user", "list", "--store", store])
    #expect(list.status == 1)
    #expect(list.stderr == error)
    #expect(list.stdout == "")
    let run = try signIn("kim", Self.nurse, store: store)
    #expect(run.status == 1)
    #expect(run.stderr == error)
    let passwd = try user(["passwd", "kim"], store: store, passwords: [Self.nurse, "kim's second password"])
    #expect(passwd.status == 1)
    #expect(passwd.stderr == error)
    // The audit log is kept apart from the rows, and still reads.
    #expect(try audit(store: store).count == 5)
    // The other accounts still sign in: kim's row is kim's problem alone.
    let physician = try signIn("dr.lane", Self.physician, store: store)
    #expect(physician.status == 3, "\(physician.stderr)")
    #expect(physician.stdout.contains("Dr Lane (physician)"))
  }

  @Test func runOnAStoreWithNoAccountsAndNoTerminalSaysHowToMakeTheFirst() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mesoflow-first-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let store = folder.appendingPathComponent("c.sqlite").path
    let howTo =
      "error: this store has no accounts yet: make the first one, an admin who adds the others, with: mesoflow user add nora --store \(store)\n"
    let noTerminal = try cli.run(["run", "--area", "face", "--staff", "nora", "--store", store])
    #expect(noTerminal.status == 1)
    #expect(noTerminal.stderr == howTo)
    #expect(noTerminal.stdout == "")
    // Nor is one made from a password on standard input: the first account is made on purpose.
    let password = "nora's first password"
    #expect(try signIn("nora", password, store: store).stderr == howTo)
    let list = try cli.run(["user", "list", "--store", store])
    #expect(list.stdout == "No accounts yet; the first, an admin: mesoflow user add NAME\n")
    let audit = try cli.run(["audit", "--store", store])
    #expect(audit.stdout == "No audit entries.\n")

    // The command it names: the first account is an admin, whatever --role says, and needs no --admin.
    let add = try user(["add", "nora", "--role", "staff"], store: store, passwords: [password])
    #expect(add.status == 0, "\(add.stderr)")
    #expect(
      add.stdout
        == "Added 'nora', the store's first account: an admin, whatever --role said. It adds the others:\n"
        + "  mesoflow user add NAME --role staff|physician --admin nora --store \(store)\n")
    #expect(try accounts(in: store).first?.hasPrefix("nora  admin      nora · enabled · since ") == true)
    let run = try signIn("nora", password, store: store)
    #expect(run.status == 3, "\(run.stderr)")
    #expect(run.stdout.contains(", nora (staff). Saved in \(store)."), "\(run.stdout)")
  }
}
