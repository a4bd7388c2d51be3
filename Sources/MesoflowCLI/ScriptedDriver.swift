import Mesoflow
import MesoflowStore

/// Runs a consultation from a file of answers, without a terminal: it stops
/// (paused) where the answers run out and says why.
struct ScriptedDriver {
  var session: TerminalSession
  let script: AnswerScript

  mutating func run() throws -> RunResult {
    let unknown = script.unknownKeys(in: session.consultation.workflow)
    if !unknown.isEmpty {
      for diagnostic in unknown { Platform.printError(diagnostic.rendered(color: Platform.standardErrorWantsColor)) }
      _ = try session.pause(reason: "The answers file names steps or checks this consultation does not have.")
      return .invalidInput
    }
    while true {
      let clinician = session.clinician
      switch session.consultation.prompt {
      case .finished(let outcome):
        print(session.renderEnd(outcome))
        return RunResult(outcome)

      case .question(let question):
        let step = question.step
        guard let entry = script[step.id] else {
          if step.isOptional {
            if try session.attempt({ c throws(ConsultationError) in try c.skip(step.id, by: clinician) }) { continue }
            return .invalidInput
          }
          return try session.pause(
            reason: "The answers ran out: nothing for step '\(step.id)' (\(step.prompt)).")
        }
        let now = session.consultation.clock.now()
        switch try session.apply({ c throws(ConsultationError) in
          let answer = try step.parseAnswer(entry.text, now: now)
          try c.answer(step.id, answer, by: clinician)
          return answer
        }) {
        case .success(let answer):
          print("\(step.id): \(answer)")
        case .failure(let error):
          Platform.printError(
            script.diagnostic(step.id, "step '\(step.id)': \(error.message)").rendered(
              color: Platform.standardErrorWantsColor))
          _ = try session.pause(reason: "The answer to '\(step.id)' was refused; nothing after it was recorded.")
          return .invalidInput
        }

      case .resolve(let alert):
        let check = alert.check
        print(session.render(alert))
        let resolution = script[check.id].flatMap { CheckResolution($0.text) }
        if check.outcome == .warn || check.outcome == .exclude, resolution != .acknowledged {
          return try session.pause(
            reason: "Warning '\(check.id)' needs acknowledging: add `\(check.id): acknowledged` to the answers.")
        }
        var signed: (physician: Clinician, reason: String)?
        if check.outcome == .refer, case .approve(let reason)? = resolution {
          guard let physician = try signs("approve referral '\(check.id)': \(reason)", key: check.id) else {
            _ = try session.pause(reason: "The approval of '\(check.id)' was not signed; nothing was recorded.")
            return .invalidInput
          }
          signed = (physician, reason)
        }
        let resolved = try session.apply { c throws(ConsultationError) in
          switch (check.outcome, resolution) {
          case (.warn, _), (.exclude, _):
            try c.acknowledge(check.id, by: clinician)
          case (.refer, .approve?):
            guard let signed else { return }
            try c.override(check.id, reason: signed.reason, by: signed.physician)
          case (.stop, _), (.refer, _):
            // Nothing in a script can correct the answer that fired a stop, so it ends the consultation.
            try c.end(because: check.id, note: resolution?.note, by: clinician)
          }
        }
        if case .failure(let error) = resolved {
          Platform.printError(script.diagnostic(check.id, "check '\(check.id)': \(error.message)").rendered())
          _ = try session.pause(reason: "The resolution of '\(check.id)' was refused.")
          return .invalidInput
        }

      case .wait(let notice):
        let now = session.consultation.clock.now()
        if now >= notice.until {
          _ = try session.attempt { c throws(ConsultationError) in try c.proceed(by: clinician) }
          continue
        }
        guard let entry = script[AnswerScript.waitOverrideKey] else {
          return try session.pause(
            reason:
              "Waiting until \(session.timeZone.format(notice.until)) before '\(notice.stage)'; resume then, or have a physician add `override-wait: REASON`."
          )
        }
        guard
          let physician = try signs(
            "end the wait before '\(notice.stage)' early: \(entry.text)", key: AnswerScript.waitOverrideKey)
        else {
          _ = try session.pause(reason: "Ending the wait early was not signed; nothing was recorded.")
          return .invalidInput
        }
        let overridden = try session.apply { c throws(ConsultationError) in
          try c.overrideWait(reason: entry.text, by: physician)
        }
        if case .failure(let error) = overridden {
          Platform.printError(script.diagnostic(AnswerScript.waitOverrideKey, error.message).rendered())
          _ = try session.pause(reason: "The wait could not be ended early.")
          return .invalidInput
        }
      }
    }
  }

  /// Has the run's physician (--physician) sign `decision`: the clinician
  /// to record it under, or nil, with the reason on standard error, when
  /// no physician was named or the account refused.
  private func signs(_ decision: String, key: String) throws -> Clinician? {
    guard let physician = session.scriptedPhysician else {
      try? session.accounts.refuseUnsigned("in consultation \(session.id), \(decision)")
      Platform.printError(
        script.diagnostic(
          key,
          "'\(key)': a physician signs this: name the physician's account with --physician NAME, whose password is asked for (or read with --password-stdin)"
        ).rendered(color: Platform.standardErrorWantsColor))
      return nil
    }
    do {
      // The file's hash goes with the signature: what the physician's
      // password was given for.
      return try session.accounts.signDecision(
        "in consultation \(session.id), \(decision) (answers file \(script.source.name), sha256 \(script.digest))",
        physician: physician.account, password: physician.password)
    } catch let error as AccountError {
      Platform.printError(
        script.diagnostic(key, "'\(key)': \(error.message)").rendered(color: Platform.standardErrorWantsColor))
      return nil
    } catch {
      throw session.notSaved(error)
    }
  }

  /// Writes to the session's output.
  private func print(_ text: String = "", terminator: String = "\n") {
    session.print(text, terminator: terminator)
  }
}
