import Foundation
import Testing

/// `mesoflow run` and `mesoflow resume` at a real terminal: the test types
/// into a tmux pane and reads the screen back, as staff at the chair would.
struct InteractiveRunTests {
  static let tmuxPath: String? = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/opt/homebrew/bin/tmux"]
    .first { FileManager.default.isExecutableFile(atPath: $0) }

  @Test(
    .enabled(
      if: InteractiveRunTests.tmuxPath != nil,
      "tmux is not installed (looked for /usr/bin/tmux, /usr/local/bin/tmux, /opt/homebrew/bin/tmux)"))
  func aFaceConsultationIsCorrectedPausedAndResumedAtATerminal() throws {
    let tmux = try #require(Self.tmuxPath)
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mesoflow-tty-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let store = folder.appendingPathComponent("c.sqlite").path
    try FileManager.default.copyItem(atPath: CLITests.clinicTemplate, toPath: store)
    let mesoflow = CLITests.binary("mesoflow").path

    // A tmux server of its own (-L), so the test neither sees nor disturbs the
    // user's sessions; killed at the end whatever happens.
    let terminal = TmuxTerminal(tmux: tmux)
    defer { terminal.killServer() }

    // MARK: Start, answer three questions, correct one with `back`, pause.
    let first = try terminal.start(
      "NO_COLOR=1 \(shellQuoted(mesoflow)) run --area face --staff kim --store \(shellQuoted(store))")
    try first.type(CLITests.nursePassword, after: "Password for kim: ")
    let header = try first.expect(
      #/Consultation (\d{8}-[A-Z0-9]{6}): Mesotherapy consultation, areas face, Nurse Kim \(staff\)\. Saved in (\S+)\./#,
      describedAs: "the first line, \"Consultation <ID>: ...\"")
    let id = String(header.output.1)
    #expect(String(header.output.2) == store)

    try first.answer("How old is the patient?", with: "34")
    try first.answer("What does the patient want to achieve?", with: "Fresher skin")
    try first.expect("What is the patient's skin type (Fitzpatrick)?")
    try first.expect("3. Type III: sometimes burns, tans gradually [iii]")
    try first.answer("(the number or id of one option; ? for help)", with: "iii")
    try first.answer("List the patient's current medicines and supplements.", with: "back")

    // `back` offers the previous answer for correction, showing its value.
    try first.expect("Correcting: What is the patient's skin type (Fitzpatrick)?")
    try first.answer(
      "now: iii; type the new answer (the number or id of one option), or press Enter to keep it", with: "iv")
    try first.expect("Corrected.")
    // The question that was interrupted comes back; `back` again now shows the
    // corrected value, and an empty line keeps it.
    try first.answer("List the patient's current medicines and supplements.", with: "back")
    try first.expect("Correcting: What is the patient's skin type (Fitzpatrick)?")
    try first.answer(
      "now: iv; type the new answer (the number or id of one option), or press Enter to keep it", with: "")
    try first.answer("List the patient's current medicines and supplements.", with: "none")
    try first.answer("Were standardised before-treatment photos taken and stored?", with: "pause")
    try first.expect("Paused. Everything answered so far is saved. Resume with: mesoflow resume \(id)")
    try first.expect("EXIT=3")

    // MARK: Resume in a new terminal and answer to the end.
    #expect(try !first.transcript().contains(CLITests.nursePassword), "the password was shown")
    let second = try terminal.start("NO_COLOR=1 \(shellQuoted(mesoflow)) resume \(id) --store \(shellQuoted(store))")
    try second.type(CLITests.nursePassword, after: "Password for kim: ")
    try second.expect("Resuming consultation \(id) (4 answers so far), Nurse Kim (staff).")
    try second.answer("Were standardised before-treatment photos taken and stored?", with: "yes")
    try second.answer("What is the agreed price of this session?", with: "250")
    try second.answer("In which currency is the price?", with: "eur")
    try second.answer("Which facial concerns does the patient want treated?", with: "fine_lines, dryness_dullness")
    try second.expect("List any facial treatments in the last 4 weeks")
    try second.answer("(text, at most 1000 characters, or skip; ? for help)", with: "skip")
    for prompt in [
      "Is the patient pregnant, possibly pregnant, or breastfeeding?",
      "Is there an active infection or an open wound in the area to be treated?",
      "Does the patient have an active cold sore or herpes lesion now?",
      "Has the patient ever had cold sores or herpes outbreaks?",
      "Does the patient have a bleeding or clotting disorder",
      "Does the patient take anticoagulants or strong blood thinners",
    ] {
      try second.answer(prompt, with: "no")
    }
    try second.answer("Is the patient allergic to any of these ingredients?", with: "no_known_ingredient_allergy")
    for prompt in [
      "Is the patient prone to allergic reactions",
      "Is the patient allergic to fish or seafood of any kind",
      "Does the patient have a chronic disease that is not well controlled",
      "Does the patient have diabetes (type 1 or type 2)?",
      "Does the patient have cancer, or is the patient being treated for cancer?",
      "Does the patient have an autoimmune disease",
      "Is the patient's immune system weakened",
      "Is the patient allergic to local anaesthetics",
      "Does the patient have G6PD deficiency or congenital methaemoglobinaemia?",
      "Does the patient take a medicine that can cause methaemoglobinaemia",
      "Does the patient take a class III antiarrhythmic",
    ] {
      try second.answer(prompt, with: "no")
    }
    try second.answer("Explain the treatment and take the patient's signed consent.", with: "Jane Doe")
    try second.answer("Cleanse and disinfect the treatment area now, then confirm it is done.", with: "yes")
    try second.answer("Will a topical anaesthetic (numbing) cream be used?", with: "no")
    try second.answer("Record the product - name, lot and expiry.", with: "Dermaheal SR; A123; 2099-12-31")
    try second.answer("Is the vial single-dose or multi-dose?", with: "multi_dose")
    // A warning waits for `ok`.
    try second.expect("WARNING  multi_dose_vial")
    try second.answer("Choose: ok (acknowledge) · back (correct the answer)", with: "ok")
    try second.answer("Record the mix (products and ratio), if the cocktail was mixed.", with: "skip")
    try second.answer("Has the product been stored as its label requires", with: "yes")
    try second.answer("How many injection points (papules or boluses) were given?", with: "40")
    try second.answer("What total volume was injected?", with: "2")
    try second.answer("Confirm the area's technique was followed", with: "yes")
    try second.answer("Name of the prescribing and treating physician.", with: "Dr Ana Silva")
    try second.answer("Give the patient the printed aftercare sheet, go through it, and confirm.", with: "yes")
    try second.answer("Book the next session of the course now, and confirm it is booked.", with: "yes")
    try second.answer("Date of the next session.", with: "2099-01-15")
    try second.answer("Book the 12-week safety review, and confirm it is booked.", with: "yes")
    try second.expect("Consultation completed.")
    try second.expect("  - skin_type: iv (corrected)")
    try second.expect("Saved as \(id) in \(store).")
    try second.expect("EXIT=0")

    // MARK: The record keeps the correction, the pause and the resumption.
    let show = try runBounded(mesoflow, ["show", id, "--format", "json", "--store", store])
    #expect(show.status == 0, "\(show.stderr)")
    let json = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
    let answers = try #require(json["answers"] as? [[String: Any]])
    let skinType = try #require(answers.first { $0["step"] as? String == "skin_type" }, "\(show.stdout)")
    #expect(skinType["corrections"] as? Int == 1, "back + Enter keeps the answer: no second correction")
    #expect((skinType["answer"] as? [String: Any])?["choice"] as? String == "iv")
    let medications = try #require(answers.first { $0["step"] as? String == "medications" })
    #expect(medications["corrections"] as? Int == 0)
    #expect((medications["answer"] as? [String: Any])?["text"] as? String == "none")
    #expect(!answers.contains { $0["step"] as? String == "face_recent_treatments" }, "skipped")
    let summary = try #require(json["summary"] as? [String: Any])
    #expect(summary["status"] as? String == "completed")

    let events = try #require(json["events"] as? [[String: Any]])
    let types = events.compactMap { $0["type"] as? String }
    for type in ["corrected", "paused", "resumed"] {
      #expect(types.contains(type), "no \(type) event in \(types)")
    }
    #expect(types.filter { $0 == "corrected" }.count == 1, "\(types)")
    let corrected = try #require(events.first { $0["type"] as? String == "corrected" })
    #expect(corrected["step"] as? String == "skin_type")
    #expect((corrected["answer"] as? [String: Any])?["choice"] as? String == "iv")
    // In order: the correction, then the pause, then the resumption.
    let order = ["corrected", "paused", "resumed"].compactMap { types.firstIndex(of: $0) }
    #expect(order == order.sorted() && order.count == 3, "\(types)")
  }

  /// A nurse at the chair reaches a referral; the physician types their own
  /// account and password at her terminal, wrong once, and signs the
  /// approval. The password never shows; the record and the audit log say
  /// who signed.
  @Test(
    .enabled(
      if: InteractiveRunTests.tmuxPath != nil,
      "tmux is not installed (looked for /usr/bin/tmux, /usr/local/bin/tmux, /opt/homebrew/bin/tmux)"))
  func aPhysicianSignsAReferralsApprovalAtTheNursesTerminal() throws {
    let tmux = try #require(Self.tmuxPath)
    let store = CLITests.clinicStore()
    defer { try? FileManager.default.removeItem(at: URL(fileURLWithPath: store).deletingLastPathComponent()) }
    let mesoflow = CLITests.binary("mesoflow").path
    let terminal = TmuxTerminal(tmux: tmux)
    defer { terminal.killServer() }

    let screen = try terminal.start(
      "NO_COLOR=1 \(shellQuoted(mesoflow)) run --area face --staff kim --store \(shellQuoted(store))")
    try screen.type(CLITests.nursePassword, after: "Password for kim: ")
    let header = try screen.expect(
      #/Consultation (\d{8}-[A-Z0-9]{6}): Mesotherapy consultation, areas face, Nurse Kim \(staff\)\./#,
      describedAs: "the first line, \"Consultation <ID>: ...\"")
    let id = String(header.output.1)

    // To the anticoagulants question, as InteractiveDriverTests.toReferral does.
    try screen.answer("How old is the patient?", with: "34")
    try screen.answer("What does the patient want to achieve?", with: "Fresher skin")
    try screen.answer("What is the patient's skin type (Fitzpatrick)?", with: "iii")
    try screen.answer("List the patient's current medicines and supplements.", with: "none")
    try screen.answer("Were standardised before-treatment photos taken and stored?", with: "yes")
    try screen.answer("What is the agreed price of this session?", with: "250")
    try screen.answer("In which currency is the price?", with: "eur")
    try screen.answer("Which facial concerns does the patient want treated?", with: "fine_lines, dryness_dullness")
    try screen.answer("List any facial treatments in the last 4 weeks", with: "skip")
    for prompt in [
      "Is the patient pregnant, possibly pregnant, or breastfeeding?",
      "Is there an active infection or an open wound in the area to be treated?",
      "Does the patient have an active cold sore or herpes lesion now?",
      "Has the patient ever had cold sores or herpes outbreaks?",
      "Does the patient have a bleeding or clotting disorder",
    ] {
      try screen.answer(prompt, with: "no")
    }
    try screen.answer("Does the patient take anticoagulants or strong blood thinners", with: "yes")
    try screen.expect("REFER TO PHYSICIAN  anticoagulants_refer")

    // The physician's wrong password is refused, and nothing is recorded.
    let wrong = "not the doctor's password"
    // The reason comes first, so that the physician's signature covers it.
    try screen.answer(
      "Choose: approve (a physician, with their account's password and a written reason)", with: "approve")
    try screen.type("INR checked today, within range", after: "The physician's reason, for the record: ")
    try screen.expect("A physician signs this with their own account.")
    try screen.type("dr.lane", after: "Physician's account: ")
    try screen.type(wrong, after: "Password: ")
    // The right one signs.
    try screen.answer("the account name or the password is wrong", with: "approve INR checked today, within range")
    try screen.type("dr.lane", after: "Physician's account: ")
    try screen.type(CLITests.physicianPassword, after: "Password: ")
    // The consultation goes on, back in the nurse's hands.
    try screen.answer("Is the patient allergic to any of these ingredients?", with: "pause")
    try screen.expect("Paused. Everything answered so far is saved. Resume with: mesoflow resume \(id)")
    try screen.expect("EXIT=3")

    let transcript = try screen.transcript()
    #expect(transcript.contains("Physician's account: dr.lane"), "the account name is typed with echo")
    for secret in [CLITests.nursePassword, CLITests.physicianPassword, wrong] {
      #expect(!transcript.contains(secret), "the terminal showed \(secret)")
    }

    // The record: one approval, signed under the physician's account.
    let cli = CLITests()
    let show = try cli.run(["show", id, "--format", "json", "--store", store])
    #expect(show.status == 0, "\(show.stderr)")
    let json = try #require(try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any])
    let events = try #require(json["events"] as? [[String: Any]])
    let overrides = events.filter { $0["type"] as? String == "overridden" }
    #expect(overrides.count == 1, "\(overrides)")
    let approval = try #require(overrides.first)
    #expect(approval["check"] as? String == "anticoagulants_refer")
    #expect(approval["reason"] as? String == "INR checked today, within range")
    let physician = try #require(approval["actor"] as? [String: Any])
    #expect(physician["name"] as? String == "Dr Lane")
    #expect(physician["role"] as? String == "physician")
    #expect(physician["account"] as? String == "dr.lane")
    let answer = try #require(
      events.first { $0["type"] as? String == "answered" && $0["step"] as? String == "anticoagulants" })
    #expect((answer["actor"] as? [String: Any])?["account"] as? String == "kim", "the nurse answered")
    #expect(!show.stdout.contains(CLITests.physicianPassword) && !show.stdout.contains(wrong))

    // The audit log: the refused signature, then the one that succeeded.
    let audit = try cli.run(["audit", "--store", store])
    #expect(audit.status == 0, "\(audit.stderr)")
    let decision = "in consultation \(id), approve referral 'anticoagulants_refer': INR checked today, within range"
    let decisions = audit.stdout.split(separator: "\n").filter { $0.contains("  decision ") }
    #expect(decisions.count == 2, "\(audit.stdout)")
    #expect(decisions.first?.hasSuffix("  decision dr.lane: refused (wrong password) · \(decision)") == true)
    #expect(decisions.last?.hasSuffix("  decision dr.lane: succeeded · \(decision)") == true)
    #expect(!audit.stdout.contains(CLITests.physicianPassword) && !audit.stdout.contains(wrong))
  }

  /// The README's first command for a new clinic: `run` on a store with no
  /// accounts offers to make the one at the chair its first account, an
  /// admin, and goes on to the consultation.
  @Test(
    .enabled(
      if: InteractiveRunTests.tmuxPath != nil,
      "tmux is not installed (looked for /usr/bin/tmux, /usr/local/bin/tmux, /opt/homebrew/bin/tmux)"))
  func theFirstRunOnAnEmptyStoreMakesTheFirstAccountAnAdmin() throws {
    let tmux = try #require(Self.tmuxPath)
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mesoflow-tty-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let store = folder.appendingPathComponent("c.sqlite").path
    let mesoflow = CLITests.binary("mesoflow").path
    let terminal = TmuxTerminal(tmux: tmux)
    defer { terminal.killServer() }

    let screen = try terminal.start(
      "NO_COLOR=1 \(shellQuoted(mesoflow)) run --area face --staff nora --store \(shellQuoted(store))")
    try screen.expect(
      "This store has no accounts yet. Make 'nora' its first account? It will be an admin, who adds the others"
        + " with `mesoflow user add NAME --admin nora`.")
    try screen.type("y", after: "[y/N] ")
    // Three tries: too short, then two that differ, then the same twice.
    let short = "eleven char"
    let password = "nora's first password"
    let newPassword = "New password for nora (at least 12 characters): "
    try screen.type(short, after: newPassword)
    try screen.expect("That will not do: a password needs at least 12 characters (this one has 11)")
    try screen.type(password, after: newPassword)
    try screen.type(password + " typo", after: "The same again: ")
    try screen.expect("The two were not the same.")
    try screen.type(password, after: newPassword)
    try screen.type(password, after: "The same again: ")
    try screen.expect("Account 'nora' made (admin).")
    try screen.expect("Consultation ")
    try screen.expect(", nora (staff). Saved in \(store).")
    try screen.answer("How old is the patient?", with: "pause")
    try screen.expect("Paused. Everything answered so far is saved.")
    try screen.expect("EXIT=3")
    let transcript = try screen.transcript()
    for secret in [short, password] {
      #expect(!transcript.contains(secret), "the terminal showed \(secret)")
    }

    let cli = CLITests()
    let list = try cli.run(["user", "list", "--store", store])
    #expect(list.status == 0, "\(list.stderr)")
    #expect(list.stdout.hasPrefix("nora  admin      nora · enabled · since "), "\(list.stdout)")
    #expect(list.stdout.split(separator: "\n").count == 1)
    let audit = try cli.run(["audit", "--store", store])
    #expect(audit.stdout.contains("  account-added nora: succeeded · admin\n"), "\(audit.stdout)")
    #expect(audit.stdout.contains("  sign-in nora: succeeded · first account\n"), "\(audit.stdout)")
    // The password typed is the account's.
    let signIn = try cli.run(
      ["run", "--area", "face", "--staff", "nora", "--password-stdin", "--store", store], stdin: password + "\n")
    #expect(signIn.status == 3, "\(signIn.stderr)")
  }
}

// MARK: - A tmux terminal

/// Quotes `text` for the shell that tmux runs a pane's command with.
private func shellQuoted(_ text: String) -> String {
  "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

private struct TerminalFailure: Error, CustomStringConvertible {
  let description: String
}

/// Runs `executable` with a time limit; stdout and stderr go to files, so
/// neither can fill a pipe and block it.
///
/// Not Foundation's `Process`: on Linux it learns that a child ended when a
/// socket the child inherits is closed, and the tmux server that `tmux
/// new-session` leaves behind keeps that socket open, so the first tmux
/// command would seem never to end. Here the child inherits no descriptor but
/// its standard ones, and gets an empty signal mask: test threads block
/// SIGHUP and SIGINT, and a blocked mask would pass through tmux to the
/// program in its pane.
private func runBounded(_ executable: String, _ arguments: [String], timeout: TimeInterval = 20) throws
  -> (status: Int32, stdout: String, stderr: String)
{
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mesoflow-out-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: folder) }
  let outPath = folder.appendingPathComponent("out").path
  let errPath = folder.appendingPathComponent("err").path

  #if canImport(Darwin)
    var actions: posix_spawn_file_actions_t? = nil
    var attributes: posix_spawnattr_t? = nil
  #else
    var actions = posix_spawn_file_actions_t()
    var attributes = posix_spawnattr_t()
  #endif
  posix_spawn_file_actions_init(&actions)
  defer { posix_spawn_file_actions_destroy(&actions) }
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
  posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
  posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
  for fd in 3..<min(getdtablesize(), 65_536) {
    let flags = fcntl(fd, F_GETFD)
    if flags >= 0 && flags & FD_CLOEXEC == 0 { posix_spawn_file_actions_addclose(&actions, fd) }
  }
  posix_spawnattr_init(&attributes)
  defer { posix_spawnattr_destroy(&attributes) }
  var none = sigset_t()
  sigemptyset(&none)
  posix_spawnattr_setsigmask(&attributes, &none)
  var defaults = sigset_t()
  sigemptyset(&defaults)
  for signal in [SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE] { sigaddset(&defaults, signal) }
  posix_spawnattr_setsigdefault(&attributes, &defaults)
  posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

  var environment = ProcessInfo.processInfo.environment
  environment["NO_COLOR"] = "1"
  let argv = ([executable] + arguments).map { strdup($0) } + [nil]
  let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
  defer { for pointer in argv + envp { free(pointer) } }
  var pid = pid_t()
  let spawned = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
  guard spawned == 0 else {
    throw TerminalFailure(description: "cannot start \(executable): \(String(cString: strerror(spawned)))")
  }

  var status: Int32 = 0
  let deadline = Date().addingTimeInterval(timeout)
  while waitpid(pid, &status, WNOHANG) == 0 {
    if Date() >= deadline {
      kill(pid, SIGKILL)
      _ = waitpid(pid, &status, 0)
      throw TerminalFailure(
        description: "\(executable) \(arguments.joined(separator: " ")) did not end within \(timeout) s")
    }
    usleep(5_000)
  }
  // Exited: the code; killed by a signal: 128 + its number, as a shell says.
  let exitStatus = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + status & 0x7f
  return (
    exitStatus, (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
    (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
  )
}

/// A private tmux server; each `start` opens a 200x50 session in it.
private final class TmuxTerminal {
  let tmux: String
  let socket = "mesoflow-test-\(UUID().uuidString)"
  private var sessions = 0

  init(tmux: String) { self.tmux = tmux }

  @discardableResult
  func command(_ arguments: [String]) throws -> String {
    let result = try runBounded(tmux, ["-u", "-L", socket] + arguments, timeout: 10)
    guard result.status == 0 else {
      throw TerminalFailure(
        description: "tmux \(arguments.joined(separator: " ")) failed with status \(result.status): \(result.stderr)")
    }
    return result.stdout
  }

  /// Runs `shellCommand` in a new session; the pane stays open after it, with
  /// `EXIT=<status>` on the screen.
  func start(_ shellCommand: String) throws -> Screen {
    sessions += 1
    let name = "mesoflow-\(ProcessInfo.processInfo.processIdentifier)-\(sessions)"
    try command([
      "new-session", "-d", "-s", name, "-x", "200", "-y", "50", "-c", CLITests.root.path,
      "\(shellCommand); echo EXIT=$?; sleep 600",
    ])
    return Screen(terminal: self, session: name)
  }

  func killServer() {
    _ = try? runBounded(tmux, ["-L", socket, "kill-server"], timeout: 10)
  }
}

/// One session's screen, read like `expect`: each match starts after the
/// previous one, so a text already on the screen is never taken for a new one.
private final class Screen {
  let terminal: TmuxTerminal
  let session: String
  /// Characters of the transcript already matched.
  private var consumed = 0

  init(terminal: TmuxTerminal, session: String) {
    self.terminal = terminal
    self.session = session
  }

  /// Everything the session printed: its history and the visible pane,
  /// wrapped lines joined.
  func transcript() throws -> String {
    try terminal.command(["capture-pane", "-p", "-J", "-S", "-", "-t", session])
  }

  /// Waits until `text` appears after the last match.
  func expect(_ text: String, timeout: TimeInterval = 20, line: Int = #line) throws {
    try wait(for: "\"\(text)\"", timeout: timeout, line: line) { rest in
      rest.firstRange(of: text).map { ($0.upperBound, ()) }
    }
  }

  /// Waits until `regex` matches after the last match, and returns the match.
  func expect<Output>(
    _ regex: Regex<Output>, describedAs what: String, timeout: TimeInterval = 20, line: Int = #line
  ) throws -> Regex<Output>.Match {
    try wait(for: what, timeout: timeout, line: line) { rest in
      (try? regex.firstMatch(in: rest)).map { ($0.range.upperBound, $0) }
    }
  }

  /// Waits for `prompt`, then types `text` and Enter (a password, at a
  /// prompt of its own).
  func type(_ text: String, after prompt: String, timeout: TimeInterval = 20, line: Int = #line) throws {
    try expect(prompt, timeout: timeout, line: line)
    try terminal.command(["send-keys", "-t", session, "-l", text])
    try terminal.command(["send-keys", "-t", session, "Enter"])
  }

  /// Waits for `prompt` and then for the input prompt below it, then types
  /// `line` and Enter.
  func answer(_ prompt: String, with text: String, timeout: TimeInterval = 20, line: Int = #line) throws {
    try expect(prompt, timeout: timeout, line: line)
    try wait(for: "the \"> \" input prompt after \"\(prompt)\"", timeout: timeout, line: line) { rest in
      rest.firstRange(of: "\n>").map { ($0.upperBound, ()) }
    }
    if !text.isEmpty { try terminal.command(["send-keys", "-t", session, "-l", text]) }
    try terminal.command(["send-keys", "-t", session, "Enter"])
  }

  /// Polls the screen every 50 ms until `find` finds something after the
  /// last match; fails with the screen after `timeout` seconds.
  @discardableResult
  private func wait<Found>(
    for what: String, timeout: TimeInterval, line: Int, _ find: (Substring) -> (end: Substring.Index, value: Found)?
  ) throws -> Found {
    let deadline = Date().addingTimeInterval(timeout)
    var text = ""
    while true {
      text = try transcript()
      let rest = text.dropFirst(consumed)
      if let (end, value) = find(rest) {
        consumed += rest.distance(from: rest.startIndex, to: end)
        return value
      }
      if Date() >= deadline { break }
      usleep(50_000)
    }
    let screen = text.replacingOccurrences(of: #"\n+$"#, with: "\n", options: .regularExpression)
    throw TerminalFailure(
      description: "InteractiveRunTests.swift:\(line): waited \(timeout) s for \(what) in tmux session \(session); "
        + "the screen:\n\(screen)")
  }
}
