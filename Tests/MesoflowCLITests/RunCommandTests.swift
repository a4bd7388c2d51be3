import Foundation
import Testing

/// `mesoflow run` from answer files, and the record commands, on the built binary.
struct RunCommandTests {
  let cli = CLITests()
  static let answers = CLITests.root.appendingPathComponent("Tests/MesoflowCLITests/Answers/face-complete.yaml")

  /// A fresh store in a fresh folder, with the clinic's accounts.
  static func storePath() -> String { CLITests.clinicStore() }

  /// The complete face answers with some replaced, written to a temporary file.
  static func answers(replacing changes: [String: String] = [:], dropping: Set<String> = [], adding: String = "")
    throws -> String
  {
    let text = try String(contentsOf: answers, encoding: .utf8)
    var lines: [String] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      let key = line.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
      if dropping.contains(key) { continue }
      if let value = changes[key] { lines.append("\(key): \(value)") } else { lines.append(String(line)) }
    }
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(
      "mesoflow-answers-\(UUID().uuidString).yaml")
    try (lines.joined(separator: "\n") + adding).write(to: path, atomically: true, encoding: .utf8)
    return path.path
  }

  static func id(in output: String) throws -> String {
    let line = try #require(output.split(separator: "\n").first { $0.hasPrefix("Consultation ") })
    return String(line.dropFirst("Consultation ".count).prefix { $0 != ":" })
  }

  /// `mesoflow run` for the face, signed in as `staff` (and `physician`,
  /// for an answers file's approvals), the passwords on standard input.
  func run(_ arguments: [String], store: String, staff: String = "kim", physician: String? = nil) throws
    -> CLITests.Result
  {
    try cli.run(
      ["run", "--area", "face", "--staff", staff, "--password-stdin", "--store", store]
        + (physician.map { ["--physician", $0] } ?? []) + arguments,
      stdin: Self.passwords(staff, physician))
  }

  /// The passwords of `staff` and `physician`, one a line.
  static func passwords(_ staff: String, _ physician: String? = nil) -> String {
    ([staff] + (physician.map { [$0] } ?? [])).map { CLITests.password(of: $0) + "\n" }.joined()
  }

  @Test func aCompleteAnswerFileEndsCompletedWithAftercareAndFollowUp() throws {
    let store = Self.storePath()
    let result = try run(["--answers", Self.answers.path, "--patient", "P-17"], store: store)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("Consultation completed."))
    #expect(result.stdout.contains("Aftercare:\n"))
    #expect(result.stdout.contains("No makeup on the treated skin, not even to cover a bruise. Until "))
    #expect(result.stdout.contains("Follow-up:\n"))
    #expect(result.stdout.contains(": safety review (face)"))
    let attributes = try FileManager.default.attributesOfItem(atPath: store)
    #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    let mode = try CLITests.shell("sqlite3 '\(store)' 'PRAGMA journal_mode'")
    #expect(mode.trimmingCharacters(in: .whitespacesAndNewlines) == "wal")

    let id = try Self.id(in: result.stdout)
    let list = try cli.run(["list", "--store", store])
    #expect(list.stdout.contains(id) && list.stdout.contains("completed") && list.stdout.contains("P-17"))
    #expect(
      try cli.run(["list", "--status", "open", "--store", store]).stdout.hasPrefix("No consultations with status open"))
    let due = try cli.run(["list", "--due-before", "2999-01-01", "--store", store])
    #expect(due.stdout.split(separator: "\n").count == 5, "a header and four appointments:\n\(due.stdout)")

    let ics = try cli.run(["export", id, "--format", "ics", "--store", store])
    #expect(ics.status == 0)
    #expect(ics.stdout.hasPrefix("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"))
    #expect(ics.stdout.hasSuffix("END:VCALENDAR\r\n"))
    #expect(ics.stdout.components(separatedBy: "BEGIN:VEVENT\r\n").count - 1 == 4)
    #expect(!ics.stdout.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "every line ends in CRLF")
    #expect(ics.stdout.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 75 }, "lines are folded")
    #expect(ics.stdout.contains("UID:\(id)-1@mesoflow\r\n"))

    let html = try cli.run(["export", id, "--format", "html", "--store", store])
    #expect(html.stdout.hasPrefix("<!DOCTYPE html>"))
    #expect(html.stdout.contains("<h2>Your follow-up appointments</h2>"))
    let markdown = try cli.run(["export", id, "--format", "markdown", "--store", store])
    #expect(markdown.stdout.hasPrefix("# Aftercare: Mesotherapy consultation\n"))
    #expect(markdown.stdout.contains("- [ ] Keep water off the treated area for the first 24 hours. **Until "))

    let json = try cli.run(["show", id, "--format", "json", "--store", store])
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    let summary = try #require(object["summary"] as? [String: Any])
    #expect(summary["status"] as? String == "completed")
    #expect(summary["patient"] as? String == "P-17")
    #expect((object["events"] as? [Any])?.isEmpty == false)
    #expect(
      try cli.run(["show", id, "--format", "markdown", "--store", store]).stdout.hasPrefix("# Consultation \(id)\n"))
    #expect(try cli.run(["verify", "--store", store]).status == 0)
  }

  @Test func aRunStopsWhereTheAnswersRunOutAndResumes() throws {
    let store = Self.storePath()
    let partial = try Self.answers(dropping: ["consent"])
    let first = try run(["--answers", partial], store: store)
    #expect(first.status == 3, "\(first.stdout)\(first.stderr)")
    #expect(
      first.stdout.contains(
        "The answers ran out: nothing for step 'consent' (Explain the treatment and take the patient's signed consent.)."
      ))
    let id = try Self.id(in: first.stdout)
    #expect(first.stdout.contains("Resume with: mesoflow resume \(id) --store \(store)\n"))
    #expect(try cli.run(["list", "--status", "open", "--store", store]).stdout.contains(id))
    let second = try cli.run(
      ["resume", id, "--password-stdin", "--answers", Self.answers.path, "--store", store], stdin: Self.passwords("kim")
    )
    #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
    #expect(second.stdout.contains("Resuming consultation \(id) (27 answers so far)"))
    let again = try cli.run(["resume", id, "--store", store])
    #expect(again.status == 0)
    #expect(again.stdout.contains("has already ended (completed)"))
  }

  @Test func aStopEndsTheRunAsDeferredAndAReferralAsReferred() throws {
    let deferred = try run(
      ["--answers", try Self.answers(replacing: ["pregnant_or_breastfeeding": "yes"])], store: Self.storePath())
    #expect(deferred.status == 2)
    #expect(deferred.stdout.contains(" STOP  pregnancy_or_breastfeeding"))
    #expect(deferred.stdout.contains("Consultation ended: DEFERRED."))

    let referred = try run(
      ["--answers", try Self.answers(replacing: ["anticoagulants": "yes"])], store: Self.storePath())
    #expect(referred.status == 2)
    #expect(referred.stdout.contains(" REFER TO PHYSICIAN  anticoagulants_refer"))
    #expect(referred.stdout.contains("Consultation ended: REFERRED to a physician."))

    let approval = try Self.answers(
      replacing: ["anticoagulants": "yes"], adding: "\nanticoagulants_refer: { approve: INR checked today, 2.1 }\n")
    // A nurse's run with an approval in its answers, and no physician: refused, nothing approved.
    let unsigned = try run(["--answers", approval], store: Self.storePath())
    #expect(unsigned.status == 1)
    #expect(unsigned.stderr.contains("a physician signs this"), "\(unsigned.stderr)")
    #expect(unsigned.stdout.contains("The approval of 'anticoagulants_refer' was not signed; nothing was recorded."))
    let approved = try run(["--answers", approval], store: Self.storePath(), physician: "dr.lane")
    #expect(approved.status == 0, "\(approved.stdout)\(approved.stderr)")
    #expect(approved.stdout.contains("overridden by Dr Lane (physician)"))
  }

  @Test func theNoteWrittenAtAReferralIsInTheTextAndMarkdownRecords() throws {
    let store = Self.storePath()
    let answers = try Self.answers(
      replacing: ["anticoagulants": "yes"], adding: "\nanticoagulants_refer: { end: \"On warfarin | INR unknown\" }\n")
    let result = try run(["--answers", answers], store: store)
    #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
    let id = try Self.id(in: result.stdout)
    let text = try cli.run(["show", id, "--store", store])
    #expect(text.stdout.contains("Ending note by Nurse Kim (staff): On warfarin | INR unknown\n"), "\(text.stdout)")
    let markdown = try cli.run(["show", id, "--format", "markdown", "--store", store])
    #expect(
      markdown.stdout.contains("| Ending note | On warfarin \\| INR unknown (Nurse Kim (staff)) |\n"),
      "\(markdown.stdout)")
  }

  @Test func theClinicsTimeZoneIsRecordedByNameAndShapesTheRecord() throws {
    let store = Self.storePath()
    let result = try run(["--answers", Self.answers.path, "--time-zone", "America/New_York"], store: store)
    #expect(result.status == 0, "\(result.stderr)")
    let id = try Self.id(in: result.stdout)
    let text = try cli.run(["show", id, "--store", store])
    #expect(text.stdout.contains("Times in America/New_York\n"), "\(text.stdout)")
    // The booked next session carries the course.
    #expect(text.stdout.contains("  - 2099-01-15 (booked): session 2 of 3 (face)\n"))
    #expect(text.stdout.contains("  - 2099-01-29: session 3 of 3 (face)\n"))
    let json = try cli.run(["show", id, "--format", "json", "--store", store])
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
    let first = try #require((object["events"] as? [[String: Any]])?.first)
    #expect((first["start"] as? [String: Any])?["timeZone"] as? String == "America/New_York")

    let unknown = try run(["--answers", Self.answers.path, "--time-zone", "Europe/Berln"], store: Self.storePath())
    #expect(unknown.status == 1)
    #expect(
      unknown.stderr.hasPrefix(
        "error: --time-zone names 'Europe/Berln', which is not a time zone this system knows (did you mean 'Europe/Berlin'?)"
      ), "\(unknown.stderr)")
  }

  @Test func aCourseNobodyBookedIsStillToBeBookedAndLeftOutOfTheCalendar() throws {
    let store = Self.storePath()
    let answers = try Self.answers(replacing: ["next_session_booked": "no"], dropping: ["next_session_date"])
    let result = try run(["--answers", answers], store: store)
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    let id = try Self.id(in: result.stdout)
    let text = try cli.run(["show", id, "--store", store])
    #expect(text.stdout.contains("  - to be booked (due "), "\(text.stdout)")
    #expect(text.stdout.contains("): session 2 of 3 (face)\n"), "\(text.stdout)")
    let ics = try cli.run(["export", id, "--format", "ics", "--store", store])
    #expect(ics.stdout.components(separatedBy: "BEGIN:VEVENT\r\n").count - 1 == 1, "only the safety review has a day")
    let markdown = try cli.run(["export", id, "--format", "markdown", "--store", store])
    #expect(
      markdown.stdout.contains(") | session 2 of 3 (Face) |\n") && markdown.stdout.contains("| to be booked (due "),
      "\(markdown.stdout)")
    // Sessions still to be booked are listed as due, on the day they fall due.
    let due = try cli.run(["list", "--due-before", "2999-01-01", "--store", store])
    #expect(due.stdout.split(separator: "\n").count == 5, "a header, the review and three to book:\n\(due.stdout)")
  }

  @Test func aWarningWaitsForItsAcknowledgement() throws {
    let store = Self.storePath()
    let result = try run(["--answers", try Self.answers(replacing: ["vial_type": "multi_dose"])], store: store)
    #expect(result.status == 3)
    #expect(result.stdout.contains(" WARNING  multi_dose_vial"))
    #expect(
      result.stdout.contains(
        "Warning 'multi_dose_vial' needs acknowledging: add `multi_dose_vial: acknowledged` to the answers."))
    let acknowledged = try Self.answers(
      replacing: ["vial_type": "multi_dose"], adding: "\nmulti_dose_vial: acknowledged\n")
    let resumed = try cli.run(
      ["resume", try Self.id(in: result.stdout), "--password-stdin", "--answers", acknowledged, "--store", store],
      stdin: Self.passwords("kim"))
    #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
  }

  @Test func commandWordsAreCommandsAlsoWhileCorrecting() throws {
    let store = Self.storePath()
    let typed = "\(CLITests.nursePassword)\n34\nskip\nFresher skin\nback\n?\npause\n"
    let result = try CLITests.shell(
      "printf '\(typed)' | NO_COLOR=1 '\(CLITests.binary("mesoflow").path)' run --area face --staff kim --password-stdin --store '\(store)'; echo EXIT=$?"
    )
    #expect(result.contains("This step cannot be skipped: text, at most 2000 characters is needed."))
    #expect(result.contains("Correcting: What does the patient want to achieve?"))
    #expect(result.contains("Answer with text, at most 2000 characters, or press Enter to keep Fresher skin."))
    #expect(result.contains("Paused. Everything answered so far is saved."))
    #expect(result.hasSuffix("EXIT=3\n"))
    let id = try Self.id(in: result)
    let json = try cli.run(["show", id, "--format", "json", "--store", store])
    #expect(json.stdout.contains("\"text\" : \"Fresher skin\""))
    #expect(!json.stdout.contains("\"text\" : \"pause\""))
    #expect(!json.stdout.contains("\"text\" : \"skip\""))
  }

  @Test func aWaitPausesTheRunUnlessAPhysicianEndsItWithAReason() throws {
    let store = Self.storePath()
    let cream = try Self.answers(
      replacing: ["cream_used": "yes"], adding: "\ncream_applied: yes\ncream_removed: yes\n")
    let waiting = try run(["--answers", cream], store: store)
    #expect(waiting.status == 3, "\(waiting.stdout)\(waiting.stderr)")
    #expect(waiting.stdout.contains("Waiting until "))
    #expect(
      waiting.stdout.contains("before 'injection'; resume then, or have a physician add `override-wait: REASON`."))
    let id = try Self.id(in: waiting.stdout)
    let staffOverride = try Self.answers(
      replacing: ["cream_used": "yes"],
      adding: "\ncream_applied: yes\ncream_removed: yes\noverride-wait: Applied at home\n")
    // The nurse alone cannot end it: a physician's account must sign.
    let refused = try cli.run(
      ["resume", id, "--password-stdin", "--answers", staffOverride, "--store", store], stdin: Self.passwords("kim"))
    #expect(refused.status == 1)
    #expect(
      refused.stderr.contains("a physician signs this: name the physician's account with --physician NAME"),
      "\(refused.stderr)")
    // A nurse named as the physician is refused too, and so is a wrong password.
    let nurse = try cli.run(
      ["resume", id, "--password-stdin", "--physician", "kim", "--answers", staffOverride, "--store", store],
      stdin: Self.passwords("kim", "kim"))
    #expect(nurse.status == 1)
    #expect(
      nurse.stderr.contains("'kim' is a staff account: only a physician's account can sign this"), "\(nurse.stderr)")
    let wrong = try cli.run(
      ["resume", id, "--password-stdin", "--physician", "dr.lane", "--answers", staffOverride, "--store", store],
      stdin: Self.passwords("kim") + "not the password\n")
    #expect(wrong.status == 1)
    #expect(wrong.stderr.contains("the account name or the password is wrong"), "\(wrong.stderr)")
    let physician = try cli.run(
      ["resume", id, "--password-stdin", "--physician", "dr.lane", "--answers", staffOverride, "--store", store],
      stdin: Self.passwords("kim", "dr.lane"))
    #expect(physician.status == 0, "\(physician.stdout)\(physician.stderr)")
    let json = try cli.run(["show", id, "--format", "json", "--store", store])
    #expect(json.stdout.contains("\"type\" : \"wait-overridden\""))
    #expect(json.stdout.contains("\"reason\" : \"Applied at home\""))
  }

  @Test func badAnswersAreLocatedAndNothingAfterThemIsRecorded() throws {
    let store = Self.storePath()
    let file = try Self.answers(replacing: ["skin_type": "vii"])
    let result = try run(["--answers", file], store: store)
    #expect(result.status == 1)
    #expect(
      result.stderr.contains(
        "\(file):4:12: error: step 'skin_type': 'vii' is not an option: give a number from 1 to 6 or one of i, ii, iii, iv, v, vi"
      ))
    #expect(result.stderr.contains("skin_type: vii\n           ^"))
    let id = try Self.id(in: result.stdout)
    let json = try cli.run(["show", id, "--format", "json", "--store", store])
    #expect(json.stdout.contains("\"step\" : \"goals\""))
    #expect(!json.stdout.contains("\"step\" : \"skin_type\""))

    let typo = try Self.answers(adding: "\npregnant_or_breastfeding: no\n")
    let unknown = try run(["--answers", typo], store: Self.storePath())
    #expect(unknown.status == 1)
    #expect(
      unknown.stderr.contains(
        "error: no step or check 'pregnant_or_breastfeding' in this consultation (did you mean 'pregnant_or_breastfeeding'?)"
      ))
  }

  @Test func usageErrorsSayWhatIsMissing() throws {
    let noArea = try cli.run(["run", "--staff", "kim", "--store", Self.storePath()])
    #expect(noArea.status == 64)
    #expect(noArea.stderr.contains("name at least one treatment area with --area"))
    let noStaff = try cli.run(["run", "--area", "face", "--store", Self.storePath()])
    #expect(noStaff.status == 64)
    #expect(noStaff.stderr.contains("--staff ACCOUNT"))
    let role = try cli.run([
      "run", "--area", "face", "--staff", "kim", "--role", "physician", "--store", Self.storePath(),
    ])
    #expect(role.status == 64)
    #expect(
      role.stderr.contains(
        "--role is gone: a physician approves a referral or ends a wait early with their own account"))
    // An area or workflow that is not there is not a typing mistake: exit 1, with a suggestion.
    let unknownArea = try cli.run(["run", "--area", "fase", "--staff", "kim", "--store", Self.storePath()])
    #expect(unknownArea.status == 1)
    #expect(unknownArea.stderr == "error: unknown area 'fase' (did you mean 'face'?); areas: body, eye, face, scalp\n")
    let unknownWorkflow = try cli.run(["describe", "mesotheraphy"])
    #expect(unknownWorkflow.status == 1)
    #expect(
      unknownWorkflow.stderr
        == "error: no workflow 'mesotheraphy' in ./Workflows (did you mean 'mesotherapy'?); workflows: mesotherapy\n")
    let checkArea = try cli.run(["check", "--area", "elbow"])
    #expect(checkArea.status == 1)
    #expect(checkArea.stderr.hasPrefix("error: unknown area 'elbow'"))
    let missing = try cli.run(["show", "nope", "--store", Self.storePath()])
    #expect(missing.status == 1)
    #expect(missing.stderr == "error: no consultation has the id 'nope'\n")
  }

  @Test func aRowEditedWithTheSqlite3ToolIsReportedByVerify() throws {
    let store = Self.storePath()
    let result = try run(["--answers", Self.answers.path], store: store)
    let id = try Self.id(in: result.stdout)
    #expect(try cli.run(["verify", id, "--store", store]).status == 0)
    // Someone changes the recorded age behind the engine's back.
    _ = try CLITests.shell(
      "sqlite3 '\(store)' \"UPDATE event SET json = replace(json, '\\\"integer\\\":34', '\\\"integer\\\":17') WHERE json LIKE '%\\\"step\\\":\\\"age\\\"%'\""
    )
    let edited = try #require(
      try CLITests.shell("sqlite3 '\(store)' \"SELECT sequence FROM event WHERE json LIKE '%\\\"integer\\\":17%'\"")
        .split(separator: "\n").first)
    let verify = try cli.run(["verify", "--store", store])
    #expect(verify.status == 1)
    #expect(verify.stdout.contains("FAIL \(id):"))
    #expect(
      verify.stdout.contains(
        "event \(edited) does not match the hash chain: it was edited or replaced after it was recorded"))
    #expect(verify.stdout.contains("0 of 1 consultation intact"))
    let show = try cli.run(["show", id, "--store", store])
    #expect(show.status == 1)
    #expect(show.stderr.contains("does not match the hash chain"))
  }

  @Test func aConsultationResumesUnderTheDefinitionsItStartedWithAfterAnEdit() throws {
    let scratch = try cli.scratchCopy()
    let store = Self.storePath()
    let partial = try Self.answers(dropping: ["consent"])
    let first = try cli.run(
      ["run", "--area", "face", "--staff", "kim", "--password-stdin", "--store", store, "--answers", partial],
      in: scratch, stdin: Self.passwords("kim"))
    #expect(first.status == 3)
    // The clinic rewords the consent question afterwards.
    try cli.replace(
      "Explain the treatment and take the patient's signed consent.", with: "Take consent.",
      in: scratch.appendingPathComponent("Workflows/mesotherapy.yaml"))
    let resumed = try cli.run(
      ["resume", try Self.id(in: first.stdout), "--password-stdin", "--store", store], in: scratch,
      stdin: Self.passwords("kim"))
    #expect(resumed.stdout.contains("Explain the treatment and take the patient's signed consent."))
    #expect(resumed.status == 3, "standard input is empty, so the run pauses")
  }
}

extension CLITests {
  /// Runs a shell command and returns its standard output.
  static func shell(_ command: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
  }
}
