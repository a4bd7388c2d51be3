import ArgumentParser
import Foundation
import Mesoflow
import MesoflowStore
import Synchronization
import Testing

@testable import MesoflowCLI

/// `InteractiveDriver` in process: lines typed from a list, what it prints
/// read back exactly, the consultation read back from the store.
struct InteractiveDriverTests {
  static let catalog = Catalog.load(paths: [
    CLITests.root.appendingPathComponent("Workflows").path, CLITests.root.appendingPathComponent("Plugins").path,
  ])
  // swift-format-ignore: NeverForceUnwrap
  static let morning = Timestamp(CalendarDate(year: 2026, month: 11, day: 21)!, hour: 9)

  /// Lines typed one by one; the end of input once they run out. It marks
  /// where the output stood at each read, so that what the driver printed in
  /// reply to each line can be read on its own.
  final class Keyboard: LineSource {
    var lines: [String]
    var output = ""
    var marks: [String.Index] = []

    init(_ lines: [String]) { self.lines = lines }

    func readLine(timeout: Int?) -> LineInput {
      marks.append(output.endIndex)
      guard !lines.isEmpty else { return .endOfInput }
      return .line(lines.removeFirst())
    }

    /// What was printed after line `index` (0-based) was read, up to the next read.
    func reply(to index: Int) -> String {
      let start = marks[index]
      let end = index + 1 < marks.count ? marks[index + 1] : output.endIndex
      return String(output[start..<end])
    }
  }

  struct Run {
    let result: RunResult
    let keyboard: Keyboard
    let session: TerminalSession
    let store: MemoryStore
  }

  /// The answers that lead to the first screening question of a face consultation.
  static let toScreening = [
    "34", "Fresher skin", "iii", "none", "yes", "250", "eur", "fine_lines, dryness_dullness", "skip",
  ]

  /// The clinic's accounts in `store`, hashed quickly: `ada` (admin), `kim`
  /// (staff, Nurse Kim), `dr.lane` (physician, Dr Lane), with the CLI
  /// tests' passwords.
  static func accounts(in store: any AccountStore) throws -> AccountDirectory {
    let accounts = AccountDirectory(store: store, clock: ManualClock(morning), cost: .quick)
    try accounts.add("ada", role: .admin, password: CLITests.adminPassword, by: nil)
    let admin = try accounts.signIn("ada", password: CLITests.adminPassword, for: "test")
    try accounts.add("kim", fullName: "Nurse Kim", role: .staff, password: CLITests.nursePassword, by: admin)
    try accounts.add(
      "dr.lane", fullName: "Dr Lane", role: .physician, password: CLITests.physicianPassword, by: admin)
    return accounts
  }

  static func run(_ lines: [String]) throws -> Run {
    let store = MemoryStore()
    let accounts = try accounts(in: store)
    let merged = try catalog.merged(workflow: "mesotherapy", areas: ["face"])
    let clinician = Clinician(name: "Nurse Kim", role: .staff, account: "kim")
    let consultation = try Consultation(
      id: "20261121-TEST01", workflow: merged, staff: clinician, clock: ManualClock(morning),
      timeZone: try #require(ClinicTimeZone.named("Europe/Berlin")))
    let durable = try ConsultationSession.begin(consultation, definitions: [], in: ConsultationArchive(store: store))
    let keyboard = Keyboard(lines)
    let session = TerminalSession(
      durable: durable, clinician: clinician, accounts: accounts, storePath: "clinic.sqlite",
      style: Style(enabled: false))
    var driver = InteractiveDriver(session: session, input: keyboard, output: TextSink { keyboard.output += $0 })
    let result = try driver.run()
    return Run(result: result, keyboard: keyboard, session: driver.session, store: store)
  }

  static let id = "20261121-TEST01"
  static let paused = "Paused. Everything answered so far is saved. Resume with: mesoflow resume \(id)\n"

  /// A store whose appends fail once told to.
  final class FailingStore: ConsultationStore {
    let inner = MemoryStore()
    let fails = Mutex(false)
    func create(_ summary: ConsultationSummary, definitions: [DefinitionSource], events: [StoredEvent]) throws {
      try inner.create(summary, definitions: definitions, events: events)
    }
    func append(_ events: [StoredEvent], summary: ConsultationSummary) throws {
      if fails.withLock({ $0 }) { throw StoreError(.io, "disk I/O error") }
      try inner.append(events, summary: summary)
    }
    func summary(_ id: String) throws -> ConsultationSummary? { try inner.summary(id) }
    func summaries(_ filter: ConsultationFilter) throws -> ConsultationListing { try inner.summaries(filter) }
    func definitions(_ id: String) throws -> [DefinitionSource] { try inner.definitions(id) }
    func events(_ id: String) throws -> [StoredEvent] { try inner.events(id) }
  }

  /// The consultation as the store has it.
  static func stored(_ run: Run) throws -> Consultation {
    let merged = try catalog.merged(workflow: "mesotherapy", areas: ["face"])
    let (consultation, _) = try ConsultationArchive(store: run.store).open(
      id, clock: ManualClock(morning), workflow: merged)
    #expect(consultation.events == run.session.consultation.events)
    return consultation
  }

  static func question(_ position: String, _ prompt: String, _ hint: String) -> String {
    "\n── \(position) ── 0s elapsed, expected 44m..2h30m\n\(prompt)\n  (\(hint); ? for help)\n> "
  }

  static let skinTypes = """
      1. Type I: always burns, never tans [i]
      2. Type II: usually burns, tans minimally [ii]
      3. Type III: sometimes burns, tans gradually [iii]
      4. Type IV: burns minimally, tans well [iv]
      5. Type V: rarely burns, tans darkly [v]
      6. Type VI: never burns, deeply pigmented [vi]

    """

  @Test func backCorrectsThePreviousAnswerAndAsksTheInterruptedQuestionAgain() throws {
    let run = try Self.run(["34", "Fresher skin", "iii", "back", "iv", "back", "", "pause"])
    let medications = Self.question(
      "Consultation 4/9", "List the patient's current medicines and supplements.",
      "text, at most 2000 characters")
    #expect(run.keyboard.reply(to: 2) == medications)
    #expect(
      run.keyboard.reply(to: 3)
        == "\nCorrecting: What is the patient's skin type (Fitzpatrick)?\n" + Self.skinTypes
        + "  now: iii; type the new answer (the number or id of one option), or press Enter to keep it\n> ")
    #expect(run.keyboard.reply(to: 4) == "Corrected.\n" + medications)
    // Back again shows the corrected value; an empty line keeps it.
    #expect(
      run.keyboard.reply(to: 5)
        == "\nCorrecting: What is the patient's skin type (Fitzpatrick)?\n" + Self.skinTypes
        + "  now: iv; type the new answer (the number or id of one option), or press Enter to keep it\n> ")
    #expect(run.keyboard.reply(to: 6) == medications)
    #expect(run.keyboard.reply(to: 7) == Self.paused)
    #expect(run.result.exitCode == 3)
    let stored = try Self.stored(run)
    #expect(stored.state.answers["skin_type"]?.answer == .choice("iv"))
    #expect(stored.state.isPaused)
  }

  @Test func noteIsSavedAndAnEmptyNoteIsRefused() throws {
    let run = try Self.run(["34", "note Prefers afternoon sessions", "note", "   ", "pause"])
    #expect(run.keyboard.reply(to: 1) == "Note saved.\n> ")
    #expect(run.keyboard.reply(to: 2) == "Note: ")
    #expect(run.keyboard.reply(to: 3) == "✗ a note cannot be empty\n> ")
    #expect(run.keyboard.reply(to: 4) == Self.paused)
    let stored = try Self.stored(run)
    #expect(stored.state.notes.map(\.text) == ["Prefers afternoon sessions"])
    #expect(stored.state.notes.map(\.step) == ["goals"])
  }

  @Test func skipLeavesOutAnOptionalStepOnly() throws {
    let run = try Self.run(["skip"] + Self.toScreening + ["pause"])
    #expect(
      run.keyboard.reply(to: 0)
        == "This step cannot be skipped: a whole number from 0 to 120 (years) is needed. (An answer that is the word itself is typed \\skip.)\n> "
    )
    #expect(
      run.keyboard.reply(to: 9)
        == Self.question(
          "Screening 1/21", "Is the patient pregnant, possibly pregnant, or breastfeeding?", "yes or no"))
    let stored = try Self.stored(run)
    #expect(stored.state.skipped == ["face_recent_treatments"])
    #expect(stored.state.answers["age"]?.answer == .integer(34))
  }

  @Test func theEndOfInputPausesAsPauseDoes() throws {
    let run = try Self.run(["34"])
    #expect(run.keyboard.reply(to: 1) == "\n" + Self.paused)
    #expect(run.result.exitCode == 3)
    let stored = try Self.stored(run)
    #expect(stored.state.isPaused)
    #expect(stored.state.answers.count == 1)
  }

  /// The screening answers that lead to the anticoagulants referral.
  static let toReferral = Self.toScreening + ["no", "no", "no", "no", "no", "yes"]

  static let referral = """

    ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
     REFER TO PHYSICIAN  anticoagulants_refer

    """

  @Test func approveIsSignedByAPhysiciansAccountWhoeverIsSignedIn() throws {
    let signs = "A physician signs this with their own account.\nPhysician's account: "
    let run = try Self.run(
      Self.toReferral + [
        "approve Monitored", "dr.lane", "not the password",
        "approve", "Checked", "kim", CLITests.nursePassword,
        "approve", "", "approve INR checked today, within range", "dr.lane", CLITests.physicianPassword, "pause",
      ])
    #expect(run.keyboard.reply(to: 14).hasPrefix(Self.referral))
    #expect(
      run.keyboard.reply(to: 14).hasSuffix(
        "Choose: approve (a physician, with their account's password and a written reason) · end (end as referred) · back (correct the answer)\n> "
      ))
    // The reason comes first, so that the signature covers it; the name
    // typed is not repeated back.
    #expect(run.keyboard.reply(to: 15) == signs)
    #expect(run.keyboard.reply(to: 16) == "Password: ")
    #expect(run.keyboard.reply(to: 17) == "✗ the account name or the password is wrong\n> ")
    #expect(run.keyboard.reply(to: 18) == "The physician's reason, for the record: ")
    #expect(run.keyboard.reply(to: 19) == signs)
    #expect(
      run.keyboard.reply(to: 21)
        == "✗ 'kim' is a staff account: only a physician's account can sign this; nothing was recorded\n> ")
    // A blank reason is refused before anyone signs.
    #expect(
      run.keyboard.reply(to: 23) == "A physician's decision needs a written reason; nothing was recorded.\n> ")
    #expect(run.keyboard.reply(to: 24) == signs)
    #expect(
      run.keyboard.reply(to: 26).hasPrefix(
        "\n── Screening 8/21 ── 0s elapsed, expected 44m..2h30m\nIs the patient allergic to any of these ingredients? Choose all that apply.\n"
      ))
    let stored = try Self.stored(run)
    #expect(stored.state.pending.isEmpty)
    let approval = try #require(
      stored.events.first {
        $0.kind == .overridden(check: "anticoagulants_refer", reason: "INR checked today, within range")
      })
    #expect(approval.actor == Clinician(name: "Dr Lane", role: .physician, account: "dr.lane"))
    // The two refusals and the signature are in the audit log; nothing else was recorded for them.
    let decisions = try run.session.accounts.auditLog().filter { $0.action == .decision }
    #expect(decisions.map(\.outcome) == [.refused, .refused, .succeeded])
    #expect(decisions.map(\.reason) == ["wrong password", "not a physician", nil])
    #expect(
      decisions.last?.detail
        == "in consultation \(Self.id), approve referral 'anticoagulants_refer': INR checked today, within range")
    #expect(stored.events.filter { if case .overridden = $0.kind { true } else { false } }.count == 1)
    // verify finds the signature for the approval; another clinic's log has none.
    #expect(try run.session.accounts.unsignedDecisions(in: stored) == [])
    let elsewhere = try Self.accounts(in: MemoryStore())
    let unsigned = try elsewhere.unsignedDecisions(in: stored)
    #expect(unsigned.count == 1)
    #expect(
      unsigned.first?.hasSuffix(
        "the approval of 'anticoagulants_refer' names the account 'dr.lane', but the audit log has no decision it signed for it"
      ) == true)
  }

  @Test func endClosesAStopAsDeferredWithItsNote() throws {
    let run = try Self.run(Self.toScreening + ["yes", "end", "Pregnant, 20 weeks"])
    #expect(
      run.keyboard.reply(to: 9)
        == """

        ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
         STOP  pregnancy_or_breastfeeding
        Do not treat during pregnancy or breastfeeding; defer until after breastfeeding has ended.
        An absolute contraindication: the consultation cannot go on. It ends as deferred.
        ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
        Choose: end (end as deferred, with an optional note) · back (the answer was wrong: correct it)
        >\u{20}
        """)
    #expect(run.keyboard.reply(to: 10) == "Note for the record (optional): ")
    let end = run.keyboard.reply(to: 11)
    #expect(end.hasPrefix("\nConsultation ended: DEFERRED.\n\nConsultation \(Self.id): mesotherapy v1, areas face\n"))
    #expect(end.contains("\nEnding note by Nurse Kim (staff): Pregnant, 20 weeks\n"))
    #expect(end.hasSuffix("\nSaved as \(Self.id) in clinic.sqlite.\n\n"))
    #expect(run.result.exitCode == 2)
    let stored = try Self.stored(run)
    #expect(stored.state.outcome == .deferred)
  }

  @Test func aFailedSaveStopsTheRunBeforeAnythingMoreIsShown() throws {
    let store = FailingStore()
    let merged = try Self.catalog.merged(workflow: "mesotherapy", areas: ["face"])
    let clinician = Clinician(name: "Nurse Kim", role: .staff)
    let consultation = try Consultation(
      id: Self.id, workflow: merged, staff: clinician, clock: ManualClock(Self.morning),
      timeZone: try #require(ClinicTimeZone.named("Europe/Berlin")))
    let durable = try ConsultationSession.begin(consultation, definitions: [], in: ConsultationArchive(store: store))
    let keyboard = Keyboard(["34", "Fresher skin"])
    let session = TerminalSession(
      durable: durable, clinician: clinician, accounts: try Self.accounts(in: MemoryStore()),
      storePath: "clinic.sqlite", style: Style(enabled: false))
    var driver = InteractiveDriver(session: session, input: keyboard, output: TextSink { keyboard.output += $0 })
    store.fails.withLock { $0 = true }
    #expect(throws: ExitCode(1)) { try driver.run() }
    // The answer was not saved, so it was not confirmed and nothing after it was asked.
    #expect(keyboard.reply(to: 0) == "")
    #expect(keyboard.lines == ["Fresher skin"])
    #expect(driver.session.consultation.state.answers.isEmpty)
    #expect(try store.events(Self.id).count == driver.session.consultation.events.count)
  }

  @Test func rawEscapeCodesAreWrittenOnlyInTerminalSwift() throws {
    let folder = CLITests.root.appendingPathComponent("Sources/MesoflowCLI")
    let needles = ["\\u{1b}", "\\u{001b}", "\\u{00001b}", "\\e[", "\\033", "\\x1b"]
    var offenders: [String] = []
    for name in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    where name.hasSuffix(".swift") && name != "Terminal.swift" {
      let text = try String(contentsOfFile: folder.appendingPathComponent(name).path, encoding: .utf8)
      for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
      where needles.contains(where: line.lowercased().contains) {
        offenders.append("\(name):\(number + 1)")
      }
    }
    #expect(offenders == [])
  }
}
