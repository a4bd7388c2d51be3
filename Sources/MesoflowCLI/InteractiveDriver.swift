import Mesoflow

/// Steps staff through a consultation at the terminal, one prompt at a time.
///
/// It reads its lines from `input` and writes what it shows to `output`, so a
/// test can drive it with a list of lines and read back what it printed.
struct InteractiveDriver {
  var session: TerminalSession
  let input: any LineSource

  init(session: TerminalSession, input: any LineSource, output: TextSink = .standardOutput) {
    self.session = session
    self.session.output = output
    self.input = input
  }

  static let commandsHelp = """
    Commands: back (correct the previous answer), ? (help on this step),
    note [TEXT] (attach a note), pause (leave, and resume later).
    An answer that is itself a command word is typed with a leading backslash: \\back
    """

  mutating func run() throws -> RunResult {
    while true {
      switch session.consultation.prompt {
      case .finished(let outcome):
        print(session.renderEnd(outcome))
        return RunResult(outcome)
      case .question(let question):
        if let result = try ask(question) { return result }
      case .resolve(let alert):
        if let result = try resolve(alert) { return result }
      case .wait(let notice):
        if let result = try wait(notice) { return result }
      }
    }
  }

  /// Reads one line after `prompt`; Ctrl-C, a hang-up or the end of input pause.
  private func read(_ prompt: String = "> ") -> String? {
    print(prompt, terminator: "")
    switch input.readLine() {
    case .line(let line): return line
    case .timedOut: return ""
    case .endOfInput, .interrupted:
      print("")
      return nil
    }
  }

  // MARK: - Questions

  /// Asks `question` until it gets a valid answer or a command; returns a
  /// result when the run ends.
  private mutating func ask(_ question: Question) throws -> RunResult? {
    print("\n" + session.render(question))
    while true {
      guard let line = read() else { return try session.pause() }
      let text = line.trimmed
      let (word, rest) = text.splitCommand
      switch word.lowercased() {
      case "?", "help":
        var help = question.step.help.map { $0 + "\n" } ?? ""
        help += "Answer with \(question.step.inputHint)."
        if question.step.isOptional { help += " This step is optional: type skip to leave it out." }
        print(help + "\n" + Self.commandsHelp)
        continue
      case "pause":
        return try session.pause()
      case "note":
        try note(rest, about: question.step.id)
        continue
      case "back":
        return try correctPrevious()
      case "skip" where !question.step.isOptional:
        print(
          "This step cannot be skipped: \(question.step.inputHint) is needed. (An answer that is the word itself is typed \\skip.)"
        )
        continue
      case "skip" where question.step.isOptional:
        let clinician = session.clinician
        if try session.attempt({ c throws(ConsultationError) in try c.skip(question.step.id, by: clinician) }) {
          return nil
        }
        continue
      default:
        break
      }
      let answerText = text.hasPrefix("\\") ? String(text.dropFirst()) : text
      if answerText.isEmpty {
        print("An answer is needed: \(question.step.inputHint).")
        continue
      }
      let clinician = session.clinician
      let now = session.consultation.clock.now()
      if try session.attempt({ c throws(ConsultationError) in
        let answer = try question.step.parseAnswer(answerText, now: now)
        try c.answer(question.step.id, answer, by: clinician)
      }) {
        return nil
      }
    }
  }

  private mutating func note(_ text: String, about step: String?) throws {
    var text = text
    if text.isEmpty {
      guard let line = read("Note: ") else { return }
      text = line
    }
    let clinician = session.clinician
    if try session.attempt({ c throws(ConsultationError) in try c.note(text, about: step, by: clinician) }) {
      print(session.style.dim("Note saved."))
    }
  }

  /// Corrects the previous answer; an empty line keeps it. Returns a result
  /// when the run ends there (a pause, Ctrl-C, the end of input).
  private mutating func correctPrevious() throws -> RunResult? {
    guard let step = session.previousStep else {
      print("There is no earlier answer to correct.")
      return nil
    }
    let current =
      session.consultation.state.answers[step.id].map { "\($0.answer)" } ?? "skipped"
    print("\nCorrecting: " + session.style.bold(step.prompt))
    print(session.renderOptions(of: step), terminator: "")
    print(session.style.dim("  now: \(current); type the new answer (\(step.inputHint)), or press Enter to keep it"))
    while true {
      guard let line = read() else { return try session.pause() }
      let text = line.trimmed
      switch text.lowercased() {
      case "": return nil
      case "pause": return try session.pause()
      case "?", "help":
        print((step.help.map { $0 + "\n" } ?? "") + "Answer with \(step.inputHint), or press Enter to keep \(current).")
        continue
      default: break
      }
      let answerText = text.hasPrefix("\\") ? String(text.dropFirst()) : text
      let clinician = session.clinician
      let now = session.consultation.clock.now()
      if try session.attempt({ c throws(ConsultationError) in
        try c.correct(step.id, try step.parseAnswer(answerText, now: now), by: clinician)
      }) {
        print(session.style.dim("Corrected."))
        return nil
      }
    }
  }

  // MARK: - Checks

  private mutating func resolve(_ alert: CheckAlert) throws -> RunResult? {
    print(session.render(alert))
    let choices: String
    switch alert.check.outcome {
    case .stop: choices = "end (end as deferred, with an optional note) · back (the answer was wrong: correct it)"
    case .refer:
      choices =
        "approve (a physician, with their account's password and a written reason) · end (end as referred) · back (correct the answer)"
    case .warn, .exclude: choices = "ok (acknowledge) · back (correct the answer)"
    }
    print(session.style.bold("Choose: ") + choices)
    while true {
      guard let line = read() else { return try session.pause() }
      let (word, rest) = line.trimmed.splitCommand
      let clinician = session.clinician
      switch word.lowercased() {
      case let command where ["ok", "acknowledge", "acknowledged"].contains(command) && alert.check.outcome == .warn:
        if try session.attempt({ c throws(ConsultationError) in try c.acknowledge(alert.check.id, by: clinician) }) {
          return nil
        }
      case "end" where alert.check.outcome != .warn:
        var note = rest
        if note.isEmpty, let line = read("Note for the record (optional): ") { note = line }
        if try session.attempt({ c throws(ConsultationError) in
          try c.end(because: alert.check.id, note: note, by: clinician)
        }) {
          return nil
        }
      case "approve" where alert.check.outcome == .refer:
        guard let reason = readReason(rest),
          let physician = try physicianSigns("approve referral '\(alert.check.id)'", reason: reason)
        else { continue }
        if try session.attempt({ c throws(ConsultationError) in
          try c.override(alert.check.id, reason: reason, by: physician)
        }) {
          return nil
        }
      case "back":
        return try correctPrevious()
      case "note":
        try note(rest, about: nil)
      case "pause":
        return try session.pause()
      case "?", "help":
        print("Choose: " + choices)
      default:
        print("Choose: " + choices)
      }
    }
  }

  // MARK: - Waits

  private mutating func wait(_ notice: WaitNotice) throws -> RunResult? {
    let stageTitle = session.consultation.workflow.stages.first { $0.id == notice.stage }?.stage.title ?? notice.stage
    print("\n" + session.style.yellow("⏳ Waiting before \(stageTitle) until \(session.timeZone.format(notice.until))"))
    if let reason = notice.reason { print(reason) }
    print(
      session.style.dim(
        "  pause · note · skip (a physician, with their account's password and a written reason); the next stage begins when the wait is over"
      ))
    let live = session.style.enabled
    while true {
      let now = session.consultation.clock.now()
      let left = notice.until.seconds(since: now)
      if left <= 0 {
        if live { print("") }
        let clinician = session.clinician
        _ = try session.attempt { c throws(ConsultationError) in try c.proceed(by: clinician) }
        print(session.style.green("The wait is over."))
        return nil
      }
      let countdown = "  \(Self.clock(left)) left "
      if live { print(session.style.eraseLine + session.style.bold(countdown), terminator: "") }
      switch input.readLine(timeout: 1) {
      case .timedOut:
        continue
      case .endOfInput, .interrupted:
        print("")
        return try session.pause()
      case .line(let line):
        let (word, rest) = line.trimmed.splitCommand
        switch word.lowercased() {
        case "pause": return try session.pause()
        case "note": try note(rest, about: nil)
        case "skip":
          guard let reason = readReason(rest),
            let physician = try physicianSigns("end the wait before '\(notice.stage)' early", reason: reason)
          else { continue }
          if try session.attempt({ c throws(ConsultationError) in try c.overrideWait(reason: reason, by: physician) }) {
            return nil
          }
        case "": continue
        default:
          print("Waiting: \(Self.clock(left)) left. Type pause, note or skip (a physician signs it).")
        }
      }
    }
  }

  /// The written reason for a physician's decision: `given` after the
  /// command, else asked for; nil, with the refusal printed, when blank.
  private func readReason(_ given: String) -> String? {
    var reason = given
    if reason.isEmpty, let line = read("The physician's reason, for the record: ") { reason = line.trimmed }
    guard !reason.isEmpty else {
      print("A physician's decision needs a written reason; nothing was recorded.")
      return nil
    }
    return reason
  }

  /// Asks for a physician's account and password, whoever is signed in,
  /// and has the account sign `decision` for `reason` (the reason is asked
  /// first, so the signature covers it): the clinician to record it under,
  /// or nil when refused or left (the refusal is printed).
  private func physicianSigns(_ decision: String, reason: String) throws -> Clinician? {
    print(session.style.bold("A physician signs this with their own account."))
    guard let name = read("Physician's account: ")?.trimmed, !name.isEmpty else { return nil }
    // The name typed is not repeated back: it may be a password typed a field early.
    print("Password: ", terminator: "")
    guard case .line(let password) = input.readSecret() else {
      print("")
      return nil
    }
    return try session.signDecision("\(decision): \(reason)", physician: name, password: password)
  }

  /// Writes to the session's output.
  private func print(_ text: String = "", terminator: String = "\n") {
    session.print(text, terminator: terminator)
  }

  /// `1:05:09` or `4:09`.
  static func clock(_ seconds: Int) -> String {
    func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
    let h = seconds / 3600
    let m = seconds / 60 % 60
    let s = seconds % 60
    return h > 0 ? "\(h):\(two(m)):\(two(s))" : "\(m):\(two(s))"
  }
}

extension String {
  /// The first word and the rest, trimmed.
  var splitCommand: (String, String) {
    guard let space = firstIndex(where: \.isWhitespace) else { return (self, "") }
    return (String(self[..<space]), String(self[space...]).trimmed)
  }
}
