import ArgumentParser
import Mesoflow
import MesoflowStore

/// Reads passwords: at the terminal with echo off, or one a line from
/// standard input with --password-stdin (for scripts). A password is never
/// printed, logged or kept beyond the call that needs it.
struct PasswordReader {
  let input: any LineSource
  var output = TextSink.standardOutput
  /// Whether passwords come from standard input, one a line.
  let fromStandardInput: Bool
  /// Whether standard input is a terminal to ask at.
  var isTerminal = Platform.inputIsTerminal

  /// One password, for `whose` (`kim's password`): asked after `prompt` at
  /// the terminal, or the next line of standard input.
  func password(_ prompt: String, whose: String) throws -> String {
    if fromStandardInput {
      guard case .line(let line) = input.readLine() else {
        throw Self.failure("standard input ended before \(whose) (--password-stdin reads one password a line)")
      }
      return line
    }
    guard isTerminal else {
      throw Self.failure(
        "there is no terminal to ask for \(whose) at: give it on standard input with --password-stdin")
    }
    output.print(prompt, terminator: "")
    guard case .line(let line) = input.readSecret() else { throw Self.failure("no password was given") }
    return line
  }

  /// A new password for `account`: typed twice at the terminal (up to three
  /// tries), or the next line of standard input.
  func newPassword(for account: String) throws -> String {
    if fromStandardInput { return try password("", whose: "the new password of '\(account)'") }
    for _ in 1...3 {
      let first = try password(
        "New password for \(account) (at least \(AccountDirectory.minimumPasswordLength) characters): ",
        whose: "the new password")
      if let weakness = PasswordHash.weakness(of: first) {
        output.print("That will not do: \(weakness).")
        continue
      }
      let second = try password("The same again: ", whose: "the new password")
      if first == second { return first }
      output.print("The two were not the same.")
    }
    throw Self.failure("no new password was set")
  }

  static func failure(_ message: String) -> ExitCode {
    Platform.printError("error: \(message)")
    return ExitCode(1)
  }
}

/// `--staff NAME [--physician NAME] [--password-stdin]`: who is at the chair,
/// signed in with their account's password.
struct SignInOptions: ParsableArguments {
  @Option(help: "Your account: who is at the chair, recorded with every answer. Asks for its password.")
  var staff: String?

  @Option(
    help: ArgumentHelp(
      "With --answers: the physician's account that signs the answers file's approvals and early ends of waits.",
      discussion: "Its password is asked for, or read from standard input after the staff's (--password-stdin)."))
  var physician: String?

  @Flag(
    help: "Read passwords from standard input, one a line (the staff's, then the physician's), instead of the terminal."
  )
  var passwordStdin = false

  @Option(help: .hidden)
  var role: String?

  func validate() throws {
    if role != nil {
      throw ValidationError(
        "--role is gone: a physician approves a referral or ends a wait early with their own account and password, asked for at that moment (see docs/RUN.md)"
      )
    }
  }

  /// Signs the staff in: `name`, else `fallback` (the account that started
  /// a consultation being resumed). On a store with no accounts, at a
  /// terminal, offers to make the first one.
  func signIn(
    _ accounts: AccountDirectory, passwords: PasswordReader, purpose: String, fallback: String? = nil,
    storeArgument: String
  ) throws -> SignedInAccount {
    guard let name = staff ?? fallback else {
      throw ValidationError("say who is at the chair with --staff ACCOUNT")
    }
    do {
      if try !accounts.hasAccounts() {
        return try Self.firstAccount(name, accounts, passwords: passwords, storeArgument: storeArgument)
      }
      let password = try passwords.password("Password for \(name): ", whose: "the password of '\(name)'")
      return try accounts.signIn(name, password: password, for: purpose)
    } catch let error as AccountError {
      throw PasswordReader.failure(error.message)
    } catch let error as StoreError {
      throw fail(error)
    }
  }

  /// The physician's account and password for a scripted run, read now
  /// and checked at each decision.
  func scriptedPhysician(_ passwords: PasswordReader) throws -> ScriptedPhysician? {
    guard let physician else { return nil }
    let password = try passwords.password(
      "Password for \(physician): ", whose: "the password of '\(physician)'")
    return ScriptedPhysician(account: physician, password: password)
  }

  /// Offers, at a terminal, to make `name` the store's first account.
  private static func firstAccount(
    _ name: String, _ accounts: AccountDirectory, passwords: PasswordReader, storeArgument: String
  ) throws -> SignedInAccount {
    let store = storeArgument.isEmpty ? "" : " " + storeArgument
    guard passwords.isTerminal, !passwords.fromStandardInput else {
      throw PasswordReader.failure(
        "this store has no accounts yet: make the first one, an admin who adds the others, with: mesoflow user add \(name)\(store)"
      )
    }
    let output = passwords.output
    output.print(
      "This store has no accounts yet. Make '\(name)' its first account? It will be an admin, who adds the others"
        + " with `mesoflow user add NAME --admin \(name)`. [y/N] ", terminator: "")
    guard case .line(let answer) = passwords.input.readLine(), ["y", "yes"].contains(answer.trimmed.lowercased())
    else {
      throw PasswordReader.failure("no account was made; make one with: mesoflow user add \(name)\(store)")
    }
    let password = try passwords.newPassword(for: name)
    let account = try accounts.add(name, role: .admin, password: password, by: nil)
    output.print("Account '\(account.name)' made (admin).")
    return try accounts.signIn(account.name, password: password, for: "first account")
  }
}

/// The physician named for a scripted run, with the password given for it.
struct ScriptedPhysician {
  let account: String
  let password: String
}
