import ArgumentParser
import Mesoflow
import MesoflowRecords
import MesoflowStore

extension MesoflowCommand {
  struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Take up a paused or interrupted consultation where it stopped.",
      discussion: """
        The consultation goes on under the definitions it started with, kept
        in the store, even if the YAML files have changed since.
        Exit codes are those of `mesoflow run`.
        """
    )

    @Argument(help: "The consultation's id.")
    var id: String

    @OptionGroup var signIn: SignInOptions

    @Option(help: "A YAML file of answers: go on without a terminal.")
    var answers: String?

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
      let script = try answers.map(Run.loadScript)
      if signIn.physician != nil, answers == nil {
        throw ValidationError(
          "--physician is for runs from an answers file; at the terminal, approve asks for the physician's account and password"
        )
      }
      let (archive, accounts) = try storeOptions.openWithAccounts()
      let durable: ConsultationSession
      do {
        durable = try ConsultationSession.open(id, in: archive, clock: SystemClock())
      } catch {
        throw fail(error)
      }
      if let outcome = durable.consultation.state.outcome {
        print("Consultation \(id) has already ended (\(outcome.rawValue)); mesoflow show \(id) prints its record.")
        throw ExitCode(RunResult(outcome).exitCode)
      }
      // Whoever resumes signs in; by default the account that started it.
      let input = TerminalInput()
      let passwords = PasswordReader(input: input, fromStandardInput: signIn.passwordStdin)
      let started = durable.consultation.state.start.staff
      guard signIn.staff != nil || started.account != nil else {
        throw ValidationError(
          "consultation \(id) was started by \(started.name), who signed in with no account: say who resumes it with --staff ACCOUNT"
        )
      }
      let staff = try signIn.signIn(
        accounts, passwords: passwords, purpose: "resume \(id)", fallback: started.account,
        storeArgument: storeOptions.argument)
      let physician = try signIn.scriptedPhysician(passwords)
      let who = staff.account.clinician
      var session = TerminalSession(
        durable: durable, clinician: who, accounts: accounts, scriptedPhysician: physician,
        storePath: storeOptions.path, storeArgument: storeOptions.argument)
      if case .failure(let error) = try session.apply({ c throws(ConsultationError) in try c.resume(by: who) }) {
        throw fail(error)
      }
      let answered = session.consultation.state.answers.count
      print("Resuming consultation \(id) (\(answered) answer\(answered == 1 ? "" : "s") so far), \(who).")
      throw ExitCode(try Run.drive(session, script: script, input: input).exitCode)
    }
  }

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "List consultations, or the follow-ups due.",
      discussion: "With --due-before, lists each follow-up date before DATE with its consultation."
    )

    enum Status: String, ExpressibleByArgument, CaseIterable {
      case open, completed, deferred, referred
    }

    @Option(help: "Only consultations with this status: open, completed, deferred or referred.")
    var status: Status?

    @Option(
      name: .customLong("due-before"), help: "Only follow-ups due before this date (YYYY-MM-DD).",
      transform: CalendarDate.parseOption)
    var dueBefore: CalendarDate?

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
      let archive = try storeOptions.open()
      let filter = ConsultationFilter(
        status: status.flatMap { ConsultationStatus(rawValue: $0.rawValue) }, followUpBefore: dueBefore)
      let listing: ConsultationListing
      do {
        listing = try archive.store.summaries(filter)
      } catch {
        throw fail(error)
      }
      if let text = table(listing) { print(text, terminator: "") }
      // A damaged row is named on standard error, after the others are listed.
      guard !listing.damaged.isEmpty else { return }
      for damaged in listing.damaged { Platform.printError("error: \(damaged.error)") }
      let count = listing.damaged.count
      Platform.printError(
        "\(count) consultation\(count == 1 ? "" : "s") could not be read; mesoflow verify checks every record")
      throw ExitCode(1)
    }

    /// The listing's table, or a line saying it is empty; `nil` when it is
    /// empty only because every consultation is damaged.
    private func table(_ listing: ConsultationListing) -> String? {
      let summaries = listing.summaries
      if summaries.isEmpty {
        guard listing.damaged.isEmpty else { return nil }
        return "No consultations" + (status.map { " with status \($0.rawValue)" } ?? "")
          + (dueBefore.map { " with a follow-up due before \($0)" } ?? "") + ".\n"
      }
      if let dueBefore {
        var rows: [[String]] = [["DUE", "CONSULTATION", "PATIENT", "AREAS"]]
        let due = summaries.flatMap { summary in summary.followUps.filter { $0 < dueBefore }.map { ($0, summary) } }
        for (date, summary) in due.sorted(by: { ($0.0, $0.1.id) < ($1.0, $1.1.id) }) {
          rows.append([
            date.description, summary.id.printable, summary.patient?.printable ?? "-",
            summary.areas.joined(separator: ",").printable,
          ])
        }
        return Table.render(rows)
      }
      // A summary names no zone: show the times in this system's.
      let zone = ClinicTimeZone.system
      var rows: [[String]] = [["ID", "STARTED", "STATUS", "PATIENT", "AREAS", "STAFF", "NEXT FOLLOW-UP"]]
      for summary in summaries {
        let started = zone.format(summary.startedAt)
        rows.append([
          // What the store holds is printed, never acted on by the terminal.
          summary.id.printable, started, summary.status.rawValue, summary.patient?.printable ?? "-",
          summary.areas.joined(separator: ",").printable, summary.staff.printable,
          summary.followUps.first?.description ?? "-",
        ])
      }
      return Table.render(rows)
    }
  }

  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Print a consultation's record.",
      discussion: "The JSON form holds the summary, the record and every event as stored; see docs/STORE.md."
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
      case text, json, markdown
    }

    @Argument(help: "The consultation's id.")
    var id: String

    @Option(help: "text, json or markdown.")
    var format: Format = .text

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
      let consultation = try storeOptions.consultation(id)
      switch format {
      case .text:
        // What the store holds is shown, never acted on by the terminal.
        print(consultation.record.description.printableLines, terminator: "")
      case .markdown:
        print(RecordDocument.markdown(for: consultation), terminator: "")
      case .json:
        print(try RecordDocument.json(for: consultation), terminator: "")
      }
    }
  }

  struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Export a consultation as FHIR, or its follow-up calendar or the patient's aftercare sheet.",
      discussion: """
        fhir: the consultation as one FHIR R4 Bundle (JSON; docs/FHIR.md);
        with --all, every consultation as NDJSON, one Bundle a line, for a
        bulk import. ics: the follow-up schedule as an RFC 5545 calendar (one
        all-day event per appointment). markdown, html: the aftercare sheet
        for the patient. Written to standard output unless --output is
        given; the file is created readable by its owner only and replaces
        any file there whole.
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
      case fhir, ics, markdown, html
    }

    @Argument(help: "The consultation's id; leave it out with --all.")
    var id: String?

    @Option(help: "fhir, ics, markdown or html.")
    var format: Format

    @Flag(help: "Every consultation in the store (with --format fhir), as NDJSON.")
    var all = false

    @Option(
      help: "With --all, only consultations with an event on or after this day (YYYY-MM-DD) in their time zone.",
      transform: CalendarDate.parseOption)
    var since: CalendarDate?

    @OptionGroup var fhir: FHIROptions

    @Option(name: [.short, .long], help: "A file to write instead of standard output.")
    var output: String?

    @OptionGroup var storeOptions: StoreOptions

    func validate() throws {
      if all {
        guard id == nil else { throw ValidationError("give a consultation's id or --all, not both") }
        guard format == .fhir else { throw ValidationError("--all exports FHIR only: use --format fhir") }
      } else {
        guard id != nil else { throw ValidationError("say which consultation to export, or give --all") }
        guard since == nil else { throw ValidationError("--since goes with --all") }
      }
    }

    func run() throws {
      // An export only reads: a store that is not there is a mistake, not an empty clinic.
      guard FileSystem.kind(of: storeOptions.path) != nil else {
        Platform.printError(
          "error: there is no store at \(storeOptions.path.printable); --store or MESOFLOW_STORE names it")
        throw ExitCode(1)
      }
      let archive = try storeOptions.open()
      let options = fhir.export
      guard let id else {
        let (text, failures) = try exportAll(archive, options)
        try write(text)
        if failures > 0 {
          Platform.printError(
            "\(failures) consultation\(failures == 1 ? "" : "s") could not be exported; mesoflow verify checks every record"
          )
          throw ExitCode(1)
        }
        return
      }
      let consultation: Consultation
      let cursor: ConsultationArchive.Cursor
      do {
        (consultation, cursor) = try archive.open(id, clock: SystemClock())
      } catch {
        throw fail(error)
      }
      let record = consultation.record
      if format != .fhir, record.treatedAt == nil {
        let outcome = consultation.state.outcome.map { "it ended \($0.rawValue)" } ?? "it is still open"
        Platform.printError(
          "error: consultation \(id) has no treatment to export: \(outcome), so there is no aftercare or follow-up")
        throw ExitCode(1)
      }
      let text: String
      switch format {
      case .fhir:
        if consultation.state.start.patient == nil {
          Platform.printError(
            "warning: consultation \(id) names no patient (it was run without --patient): its Patient has no identifier"
          )
        }
        text = try FHIRExport.bundle(
          for: consultation, chainHead: cursor.head, assembledAt: SystemClock().now(), options: options)
      case .ics: text = FollowUpCalendar.ics(for: consultation, stampedAt: SystemClock().now())
      case .markdown: text = AftercareSheet.markdown(for: consultation)
      case .html: text = AftercareSheet.html(for: consultation)
      }
      try write(text)
    }

    /// Every consultation as NDJSON; one that cannot be read is named on
    /// standard error and the others are exported.
    private func exportAll(_ archive: ConsultationArchive, _ options: FHIRExport.Options) throws -> (String, Int) {
      let listing: ConsultationListing
      do {
        listing = try archive.store.summaries(ConsultationFilter())
      } catch {
        throw fail(error)
      }
      var failures = listing.damaged.count
      for damaged in listing.damaged { Platform.printError("error: \(damaged.error)") }
      let lines = FHIRExport.Options(canonicalBase: options.canonicalBase, singleLine: true)
      let now = SystemClock().now()
      var text = ""
      var unnamed = 0
      for summary in listing.summaries.sorted(by: { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }) {
        do {
          let (consultation, cursor) = try archive.open(summary.id, clock: SystemClock())
          if let since, consultation.timeZone.date(of: consultation.state.lastEventAt) < since { continue }
          if consultation.state.start.patient == nil { unnamed += 1 }
          text += try FHIRExport.bundle(for: consultation, chainHead: cursor.head, assembledAt: now, options: lines)
        } catch {
          Platform.printError("error: \(error)")
          failures += 1
        }
      }
      if unnamed > 0 {
        Platform.printError(
          "warning: \(unnamed) consultation\(unnamed == 1 ? " names" : "s name") no patient (run without --patient): their Patient has no identifier"
        )
      }
      return (text, failures)
    }

    private func write(_ text: String) throws {
      guard let output else {
        print(text, terminator: "")
        return
      }
      do {
        try Platform.writeFileAtomically(text, to: output)
      } catch {
        Platform.printError("error: \(output): cannot write the file: \(error)")
        throw ExitCode(1)
      }
    }
  }

  struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check that stored consultations were not edited behind the engine's back.",
      discussion: """
        Recomputes each consultation's hash chain, checks the stored
        definitions against their hashes, replays the events and compares the
        summary; with no id, also checks the audit log's hash chain (account
        changes, sign-ins, signed decisions). Exits 0 when everything is
        intact, 1 when anything is not.
        """
    )

    @Argument(help: "One consultation's id; every consultation when left out.")
    var id: String?

    @OptionGroup var storeOptions: StoreOptions

    func run() throws {
      let (archive, accounts) = try storeOptions.openWithAccounts()
      var results: [ConsultationArchive.Verification]
      let auditProblems: [String]
      let audit: [StoredEvent]
      do {
        results = try archive.verify(id)
        auditProblems = id == nil ? try accounts.verifyAuditLog() : []
        audit = id == nil ? try accounts.store.auditEntries() : []
        // A physician's decision must have been signed, in the audit log.
        for index in results.indices where results[index].isIntact {
          let consultation = try archive.open(results[index].id, clock: SystemClock()).0
          results[index].problems += try accounts.unsignedDecisions(in: consultation)
        }
      } catch {
        throw fail(error)
      }
      let style = Style.standardOutput
      var broken = 0
      for result in results {
        if result.isIntact {
          print("\(style.green("ok"))   \(result.id): \(result.eventCount) events, chain head \(result.head)")
        } else {
          broken += 1
          print("\(style.red("FAIL")) \(result.id):")
          for problem in result.problems { print("       \(problem)") }
        }
      }
      let total = results.count
      print("\(total - broken) of \(total) consultation\(total == 1 ? "" : "s") intact")
      if id == nil {
        if auditProblems.isEmpty {
          let head = audit.last.map { ", head \($0.chainHash)" } ?? ""
          print(
            "\(style.green("ok"))   audit log: \(audit.count) entr\(audit.count == 1 ? "y" : "ies"), chain intact\(head)"
          )
        } else {
          print("\(style.red("FAIL")) audit log:")
          for problem in auditProblems { print("       \(problem)") }
        }
      }
      if broken > 0 || !auditProblems.isEmpty { throw ExitCode(1) }
    }
  }
}

/// Left-aligned columns separated by two spaces.
enum Table {
  static func render(_ rows: [[String]]) -> String {
    guard let columns = rows.map(\.count).max() else { return "" }
    var widths = [Int](repeating: 0, count: columns)
    for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
    var out = ""
    for row in rows {
      var line = ""
      for (index, cell) in row.enumerated() {
        line += index == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count + 2)
      }
      out += line + "\n"
    }
    return out
  }
}

/// `--canonical-base`, shared by the commands that write FHIR.
struct FHIROptions: ParsableArguments {
  @Option(
    name: .customLong("canonical-base"),
    help: ArgumentHelp(
      "With --format fhir, the base of the Questionnaire's URL and of every identifier and code system Mesoflow names.",
      valueName: "uri"))
  var canonicalBase: String = FHIRExport.defaultCanonicalBase

  /// The export's options with this base.
  var export: FHIRExport.Options { FHIRExport.Options(canonicalBase: canonicalBase) }

  func validate() throws { try Self.validate(canonicalBase) }

  static func validate(_ base: String) throws {
    let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@/%")
    let percentEscapes = base.split(separator: "%", omittingEmptySubsequences: false).dropFirst().allSatisfy {
      $0.prefix(2).count == 2 && $0.prefix(2).allSatisfy(\.isHexDigit)
    }
    var shaped = false
    if base.hasPrefix("urn:") {
      let parts = base.dropFirst(4).split(separator: ":", omittingEmptySubsequences: false)
      shaped =
        parts.allSatisfy { !$0.isEmpty } && !["oid", "uuid"].contains(parts[0].lowercased())
    } else if let rest = ["https://", "http://"].first(where: base.hasPrefix).map({ base.dropFirst($0.count) }) {
      let host = rest.prefix { $0 != "/" }
      shaped = !host.isEmpty && !rest.contains("//")
    }
    guard shaped, percentEscapes, base.allSatisfy({ allowed.contains($0) }) else {
      throw ValidationError(
        "--canonical-base must be a urn: with a namespace (such as urn:mesoflow or urn:example:clinic) or an http(s):// URL with a host (such as https://fhir.clinic.example), in ASCII without spaces, quotes, '<', '>', '\\', '|', '#' or '?'; '\(base.printable)' is not"
      )
    }
  }
}
