import ArgumentParser
import Mesoflow
import MesoflowStore

extension MesoflowCommand {
  /// `mesoflow user add|list|passwd|role|disable`.
  struct User: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Manage the clinic's accounts: who may sign in, and who signs a physician's decisions.",
      discussion: """
        The first account added to a store is an admin; after that an admin
        adds the others (--admin NAME, whose password is asked for). Accounts
        are never deleted, only disabled. Passwords are asked for at the
        terminal without echo, or read from standard input, one a line, with
        --password-stdin: the admin's first, then the new one. See
        docs/ACCOUNTS.md.
        """,
      subcommands: [Add.self, List.self, Passwd.self, Role.self, Disable.self]
    )
  }

  struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List the audit log: every account change, sign-in and signed decision, succeeded or refused.",
      discussion: "Times are in the system's time zone. mesoflow verify checks the log's hash chain."
    )

    @Option(
      help: "Only entries on or after this day (YYYY-MM-DD, in the system's time zone).",
      transform: CalendarDate.parseOption)
    var since: CalendarDate?

    @Option(help: "Only entries about or by this account.")
    var account: String?

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
      let accounts = try storeOptions.accounts()
      let zone = ClinicTimeZone.system
      let entries: [AuditEvent]
      do {
        let start = since.map { zone.startOfDay($0) }
        entries = try accounts.auditLog(since: start, account: account)
      } catch {
        throw fail(error)
      }
      if entries.isEmpty {
        print("No audit entries\(account.map { " for '\($0)'" } ?? "")\(since.map { " since \($0)" } ?? "").")
        return
      }
      // Every field is printed with control characters escaped, so that no
      // text in the log can pose as another line or drive the terminal.
      for entry in entries {
        var line = "\(zone.format(entry.time))  \(entry.action.name) \(entry.account.printable)"
        if let by = entry.by { line += " by \(by.printable)" }
        line += ": \(entry.outcome.rawValue)"
        if let reason = entry.reason { line += " (\(reason.printable))" }
        if let detail = entry.detail { line += " · \(detail.printable)" }
        print(line)
      }
    }
  }
}

extension MesoflowCommand.User {
  struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Add an account. On a store with none, the first is an admin and needs no --admin.")

    @Argument(help: "The name to sign in with: letters, digits, '.', '_', '-' or '@' (kim, dr.lane).")
    var name: String

    @Option(help: "staff, physician or admin.")
    var role: RoleArgument = .staff

    @Option(name: .customLong("full-name"), help: "The name that goes into records (Nurse Kim Park). Default: NAME.")
    var fullName: String?

    @OptionGroup var admin: AdminOptions

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
      let accounts = try storeOptions.accounts()
      let passwords = admin.passwords()
      try report {
        let first = try !accounts.hasAccounts()
        let signedIn = first ? nil : try admin.signIn(accounts, passwords: passwords, toChange: "add accounts")
        let password = try passwords.newPassword(for: name)
        let account = try accounts.add(name, fullName: fullName, role: role.role, password: password, by: signedIn)
        if first {
          let store = storeOptions.argument.isEmpty ? "" : " " + storeOptions.argument
          print(
            "Added '\(account.name)', the store's first account: an admin, whatever --role said. It adds the others:\n"
              + "  mesoflow user add NAME --role staff|physician --admin \(account.name)\(store)")
        } else {
          print("Added '\(account.name)' (\(account.role)).")
        }
      }
    }
  }

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List the accounts, disabled ones too.")

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
      let accounts = try storeOptions.accounts()
      try report {
        let all = try accounts.accounts()
        if all.isEmpty {
          print("No accounts yet; the first, an admin: mesoflow user add NAME")
          return
        }
        let zone = ClinicTimeZone.system
        let now = SystemClock().now()
        let width = all.map(\.name.count).max() ?? 4
        for account in all {
          var status = account.isEnabled ? "enabled" : "disabled"
          if let until = account.lockedUntil, now < until { status += ", locked until \(zone.format(until))" }
          let name = account.name.padding(to: width)
          let role = account.role.rawValue.padding(to: 9)
          print(
            "\(name)  \(role)  \(account.fullName.printable) · \(status) · since \(zone.date(of: account.createdAt))")
        }
      }
    }
  }

  struct Passwd: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Change an account's password: its own (asked for first), or any, by an admin (which also unlocks it).")

    @Argument(help: "The account.")
    var name: String

    @OptionGroup var admin: AdminOptions

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
      let accounts = try storeOptions.accounts()
      let passwords = admin.passwords()
      try report {
        let actor: SignedInAccount
        if admin.admin != nil {
          actor = try admin.signIn(accounts, passwords: passwords, toChange: "change another account's password")
        } else {
          let current = try passwords.password(
            "Current password for \(name): ", whose: "the current password of '\(name)'")
          actor = try accounts.signIn(name, password: current, for: "change password")
        }
        try accounts.changePassword(of: name, to: try passwords.newPassword(for: name), by: actor)
        print("The password of '\(name.lowercased())' is changed.")
      }
    }
  }

  struct Role: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Change an account's role (an admin does).")

    @Argument(help: "The account.")
    var name: String

    @Argument(help: "staff, physician or admin.")
    var role: RoleArgument

    @OptionGroup var admin: AdminOptions

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
      let accounts = try storeOptions.accounts()
      try report {
        let signedIn = try admin.signIn(accounts, passwords: admin.passwords(), toChange: "change roles")
        try accounts.changeRole(of: name, to: role.role, by: signedIn)
        print("'\(name.lowercased())' is a \(role) account now.")
      }
    }
  }

  struct Disable: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract:
        "Disable an account for good (an admin does): it can no longer sign in, and its name stays in every record.")

    @Argument(help: "The account.")
    var name: String

    @OptionGroup var admin: AdminOptions

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
      let accounts = try storeOptions.accounts()
      try report {
        let signedIn = try admin.signIn(accounts, passwords: admin.passwords(), toChange: "disable accounts")
        try accounts.disable(name, by: signedIn)
        print("'\(name.lowercased())' is disabled.")
      }
    }
  }
}

/// `--admin NAME [--password-stdin]`: the admin who makes a change.
struct AdminOptions: ParsableArguments {
  @Option(help: "The admin who makes the change; their password is asked for.")
  var admin: String?

  @Flag(
    help: "Read passwords from standard input, one a line (the admin's or your current one first, then the new one).")
  var passwordStdin = false

  func passwords() -> PasswordReader {
    PasswordReader(input: TerminalInput(), fromStandardInput: passwordStdin)
  }

  /// Signs the admin in.
  func signIn(_ accounts: AccountDirectory, passwords: PasswordReader, toChange what: String) throws
    -> SignedInAccount
  {
    guard let admin else {
      throw ValidationError("only an admin can \(what): name yours with --admin NAME")
    }
    let password = try passwords.password("Password for \(admin): ", whose: "the password of '\(admin)'")
    return try accounts.signIn(admin, password: password, for: what)
  }
}

/// Runs `work`, printing an account's or a store's refusal and exiting 1.
private func report(_ work: () throws -> Void) throws {
  do {
    try work()
  } catch let error as AccountError {
    throw PasswordReader.failure(error.message)
  } catch let error as StoreError {
    throw fail(error)
  }
}

/// An account role as an argument.
enum RoleArgument: String, ExpressibleByArgument, CaseIterable {
  case staff, physician, admin

  var role: AccountRole {
    switch self {
    case .staff: .staff
    case .physician: .physician
    case .admin: .admin
    }
  }
}

extension CalendarDate {
  /// Reads a `YYYY-MM-DD` option.
  static func parseOption(_ text: String) throws -> CalendarDate {
    guard let date = CalendarDate(iso: text) else {
      throw ValidationError("'\(text)' is not a date: expected YYYY-MM-DD")
    }
    return date
  }
}

extension String {
  fileprivate func padding(to width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }

  /// The text with every control character (a newline, an escape) written
  /// as its code point in braces (an escape becomes u{1B} after a
  /// backslash): safe to print on one line of a terminal.
  var printable: String { escaped(keepingLineBreaks: false) }

  /// The text as ``printable`` writes it, but with its line feeds (and
  /// tabs) kept: safe to print as lines on a terminal.
  var printableLines: String { escaped(keepingLineBreaks: true) }

  private func escaped(keepingLineBreaks: Bool) -> String {
    var out = ""
    for scalar in unicodeScalars {
      if keepingLineBreaks, scalar == "\n" || scalar == "\t" {
        out.unicodeScalars.append(scalar)
      } else if scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format {
        out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
    return out
  }
}

extension ClinicTimeZone {
  /// The instant `date` begins in this zone.
  fileprivate func startOfDay(_ date: CalendarDate) -> Timestamp {
    let midnight = Timestamp(date)
    let offset = Int64(utcOffset(at: midnight))
    return Timestamp(millisecondsSinceEpoch: midnight.millisecondsSinceEpoch - offset * 1000)
  }
}
