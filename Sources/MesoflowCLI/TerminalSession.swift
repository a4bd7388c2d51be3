import ArgumentParser
import Mesoflow
import MesoflowStore

/// How a run ends, and its exit code (documented in docs/RUN.md).
enum RunResult {
  /// Ended as completed: 0.
  case completed
  /// Ended by a contraindication, deferred or referred: 2.
  case contraindication(Outcome)
  /// Left open, to be resumed: 3.
  case paused
  /// The input (an answers file) was invalid: 1.
  case invalidInput

  var exitCode: Int32 {
    switch self {
    case .completed: 0
    case .invalidInput: 1
    case .contraindication: 2
    case .paused: 3
    }
  }

  init(_ outcome: Outcome) {
    self = outcome == .completed ? .completed : .contraindication(outcome)
  }
}

/// A consultation at the terminal or from an answers file: the durable
/// ``ConsultationSession`` (which saves every input before it returns) with
/// who is at the chair, where the store is, and how things are shown.
struct TerminalSession {
  /// The consultation and its archive; every input goes through it.
  var durable: ConsultationSession
  /// Who is at the chair: the signed-in account.
  let clinician: Clinician
  /// The clinic's accounts: a physician signs each decision with theirs.
  let accounts: AccountDirectory
  /// For a scripted run, the physician named with --physician.
  var scriptedPhysician: ScriptedPhysician?
  let storePath: String
  /// `--store PATH` when the store is not the default one, else empty.
  var storeArgument = ""
  var style = Style.standardOutput
  /// Where everything but errors is written.
  var output = TextSink.standardOutput

  /// The consultation, as last saved.
  var consultation: Consultation { durable.consultation }
  var id: String { durable.id }
  /// The clinic's time zone, in which times are shown.
  var timeZone: ClinicTimeZone { consultation.timeZone }

  func print(_ text: String = "", terminator: String = "\n") { output.print(text, terminator: terminator) }

  /// Applies an input and saves it. The consultation's refusal is handed
  /// back; a failed save is reported on standard error and stops the run,
  /// and the consultation stays as last saved.
  mutating func apply<T>(_ change: (inout Consultation) throws(ConsultationError) -> T) throws -> Result<
    T, ConsultationError
  > {
    do throws(ConsultationSession.Failure) {
      return .success(try durable.apply(change))
    } catch {
      switch error {
      case .refused(let refusal): return .failure(refusal)
      case .notSaved(let cause): throw notSaved(cause)
      }
    }
  }

  /// Applies an input and saves it; a refusal is printed and returns false.
  mutating func attempt(_ change: (inout Consultation) throws(ConsultationError) -> Void) throws -> Bool {
    switch try apply(change) {
    case .success: return true
    case .failure(let error):
      print(style.red("✗ ") + error.message)
      return false
    }
  }

  /// Has the physician account `name` sign `decision` with `password`;
  /// prints the refusal (wrong password, not a physician, locked, ...) and
  /// returns nil when refused. Either way the attempt is in the audit log.
  func signDecision(_ decision: String, physician name: String, password: String) throws -> Clinician? {
    do {
      return try accounts.signDecision("in consultation \(id), \(decision)", physician: name, password: password)
    } catch let error as AccountError {
      print(style.red("✗ ") + error.message)
      return nil
    } catch {
      throw notSaved(error)
    }
  }

  /// Reports a save that failed; what it returns ends the run with 1.
  func notSaved(_ error: any Error) -> ExitCode {
    if let error = error as? StoreError, error.kind == .conflict {
      Platform.printError(
        "error: consultation \(id) was changed by another session while this one was open, so the last change here was not saved; see it with: mesoflow show \(id)\(storeArgument.isEmpty ? "" : " " + storeArgument)"
      )
    } else {
      Platform.printError("error: \(error)")
      Platform.printError(
        "the last change was not saved; the consultation stops here (resume it with: \(resumeCommand))")
    }
    return ExitCode(1)
  }

  /// Records a pause and says how to resume.
  mutating func pause(reason: String? = nil) throws -> RunResult {
    if !consultation.state.hasEnded {
      let clinician = clinician
      _ = try attempt { c throws(ConsultationError) in try c.pause(by: clinician) }
    }
    if let reason { print(reason) }
    print("Paused. Everything answered so far is saved. Resume with: \(resumeCommand)")
    return .paused
  }

  // MARK: - What is shown

  /// `── Screening 3/21 ──── 12m elapsed, expected 39m..2h15m`
  func header(for question: Question) -> String {
    let merged = consultation.workflow
    let stage = merged.stages.first { $0.id == question.stage }
    let steps = stage?.steps.map(\.step.id) ?? []
    let position = (steps.firstIndex(of: question.step.id) ?? 0) + 1
    let title = stage?.stage.title ?? question.stage
    let elapsed = TimeSpan(seconds: max(0, consultation.clock.now().seconds(since: consultation.state.startedAt)))
    let progress = "\(title) \(position)/\(steps.count)"
    return style.bold("── \(progress) ──") + style.dim(" \(elapsed) elapsed, expected \(merged.expectedDuration)")
  }

  /// The question, its options and how to answer it.
  func render(_ question: Question) -> String {
    var out = header(for: question) + "\n" + style.bold(question.step.prompt) + "\n" + renderOptions(of: question.step)
    let optional = question.step.isOptional ? ", or skip" : ""
    out += style.dim("  (\(question.step.inputHint)\(optional); ? for help)")
    if let previous = question.previous {
      out +=
        "\n"
        + style.dim("  It was \(previous.description(in: consultation.timeZone)) before a correction set it aside.")
    }
    return out
  }

  /// A choice's numbered options, or a consent's statement, one per line.
  func renderOptions(of step: Step) -> String {
    var out = ""
    switch step.answer {
    case .choice(let options), .multipleChoice(let options):
      for (index, option) in options.enumerated() { out += "  \(index + 1). \(option.label) [\(option.id)]\n" }
    case .consent(let statement?):
      out += "  \(statement)\n"
    default: break
    }
    return out
  }

  /// The command that resumes this consultation, with the store when it is not the default.
  var resumeCommand: String {
    "mesoflow resume \(id)" + (storeArgument.isEmpty ? "" : " " + storeArgument)
  }

  /// A check that fired, impossible to miss.
  func render(_ alert: CheckAlert) -> String {
    // The label on a coloured background, the rules around it in its colour.
    let (label, background, foreground): (String, String, String)
    switch alert.check.outcome {
    case .stop: (label, background, foreground) = (" STOP ", "1;97;41", "31")
    case .refer: (label, background, foreground) = (" REFER TO PHYSICIAN ", "1;97;45", "35")
    case .warn: (label, background, foreground) = (" WARNING ", "1;30;43", "33")
    case .exclude: (label, background, foreground) = (" EXCLUDED ", "1;30;46", "36")
    }
    let rule = style.banner(String(repeating: "━", count: 60), foreground)
    var out = "\n" + rule + "\n" + style.banner(label, background) + " " + style.bold(alert.check.id) + "\n"
    out += alert.check.reason + "\n"
    switch alert.check.outcome {
    case .stop:
      out += "An absolute contraindication: the consultation cannot go on. It ends as deferred.\n"
    case .refer:
      out += "A physician must approve in writing, or the consultation ends as referred.\n"
    case .warn:
      out += "A caution: acknowledge it to go on; the acknowledgement is recorded.\n"
    case .exclude:
      break
    }
    out += rule
    return out
  }

  /// The summary, the aftercare sheet and the follow-up dates.
  func renderEnd(_ outcome: Outcome) -> String {
    let banner: String
    switch outcome {
    case .completed: banner = style.green("Consultation completed.")
    case .deferred: banner = style.red("Consultation ended: DEFERRED.")
    case .referred: banner = style.red("Consultation ended: REFERRED to a physician.")
    }
    var out = "\n" + banner + "\n\n" + consultation.record.description
    out += "\nSaved as \(id) in \(storePath).\n"
    if consultation.record.treatedAt != nil {
      let store = storeArgument.isEmpty ? "" : " " + storeArgument
      out +=
        "Aftercare sheet: mesoflow export \(id) --format html\(store) (or markdown); calendar: mesoflow export \(id) --format ics\(store)\n"
    }
    return out
  }

  /// The step answered (or skipped) most recently that still counts: what `back` corrects.
  var previousStep: Step? {
    let state = consultation.state
    for event in consultation.events.reversed() {
      switch event.kind {
      case .answered(let step, _), .corrected(let step, _), .skipped(let step):
        guard state.answers[step] != nil || state.skipped.contains(step) else { continue }
        return consultation.workflow.stages.lazy.flatMap(\.steps).first { $0.step.id == step }?.step
      default: continue
      }
    }
    return nil
  }
}
