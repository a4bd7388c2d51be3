import ArgumentParser
import Mesoflow
import MesoflowStore

extension MesoflowCommand {
  struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Step through one consultation, one prompt at a time.",
      discussion: """
        Every answer is saved durably before the next prompt is shown, so
        Ctrl-C, a closed terminal or a killed process loses nothing that was
        confirmed: resume with `mesoflow resume ID`.

        With --answers FILE, runs without a terminal from a YAML mapping of
        step id to answer (see docs/RUN.md), and stops where the answers run out.

        Exit codes: 0 completed; 1 invalid input or definitions; 2 ended by a
        contraindication (deferred or referred); 3 paused.
        """
    )

    @Argument(help: "A workflow id (looked up in ./Workflows) or a workflow file.")
    var workflow: String = "mesotherapy"

    @Option(name: .customLong("area"), help: "A treatment area; repeat for several. At least one.")
    var areas: [String] = []

    @OptionGroup var signIn: SignInOptions

    @Option(help: "The clinic's identifier for the patient.")
    var patient: String?

    @Option(help: "A YAML file of answers: run without a terminal.")
    var answers: String?

    @Option(help: "The folder of area plugins. Default: Plugins beside the workflow's folder, else ./Plugins.")
    var plugins: String?

    @Option(
      name: .customLong("time-zone"),
      help: ArgumentHelp(
        "The clinic's time zone, by IANA name (Europe/Berlin).",
        discussion:
          "Default: MESOFLOW_TIME_ZONE, else the system's zone. The name is recorded, so that every date and time of the consultation follows its daylight-saving rules."
      ))
    var timeZone: String?

    @OptionGroup var storeOptions: StoreOptions

    func validate() throws {
      if let patient, patient.forbiddenControlCharacter(multiline: false) != nil || patient.trimmed.isEmpty {
        throw ValidationError(
          "--patient must be the clinic's identifier for the patient, not empty and without control characters")
      }
      if areas.isEmpty {
        throw ValidationError(
          "name at least one treatment area with --area (mesoflow describe lists a workflow's steps)")
      }
      guard signIn.staff != nil else {
        throw ValidationError("say who is at the chair with --staff ACCOUNT (mesoflow user list lists the accounts)")
      }
      if signIn.physician != nil, answers == nil {
        throw ValidationError(
          "--physician is for runs from an answers file; at the terminal, approve asks for the physician's account and password"
        )
      }
    }

    func run() throws {
      let script = try answers.map(Self.loadScript)
      let definitions = try LoadedDefinitions.load(workflow: workflow, areas: areas, plugins: plugins)
      let (archive, accounts) = try storeOptions.openWithAccounts()
      let input = TerminalInput()
      let passwords = PasswordReader(input: input, fromStandardInput: signIn.passwordStdin)
      let staff = try signIn.signIn(
        accounts, passwords: passwords, purpose: "run", storeArgument: storeOptions.argument)
      let physician = try signIn.scriptedPhysician(passwords)
      let clock = SystemClock()
      let who = staff.account.clinician
      let now = clock.now()
      let zone = try Self.clinicTimeZone(timeZone)
      // Ids are random; a clash with a stored one (rare) draws another.
      var attempt = 1
      while true {
        let durable: ConsultationSession
        do {
          let consultation = try Consultation(
            id: ConsultationID.make(at: now, in: zone), workflow: definitions.merged, staff: who,
            clock: clock, timeZone: zone, patient: patient)
          durable = try ConsultationSession.begin(consultation, definitions: definitions.sources, in: archive)
        } catch let error as StoreError where error.kind == .alreadyExists && attempt < 5 {
          attempt += 1
          continue
        } catch {
          throw fail(error)
        }
        let session = TerminalSession(
          durable: durable, clinician: who, accounts: accounts, scriptedPhysician: physician,
          storePath: storeOptions.path, storeArgument: storeOptions.argument)
        print(
          "Consultation \(session.id): \(definitions.merged.workflow.title), "
            + "areas \(areas.joined(separator: ", ")), \(who.description.printable). Saved in \(storeOptions.path).")
        throw ExitCode(try Self.drive(session, script: script, input: input).exitCode)
      }
    }

    /// The zone named by `--time-zone`, else by MESOFLOW_TIME_ZONE, else the
    /// system's; an unknown name exits 1 with a suggestion.
    static func clinicTimeZone(_ option: String?) throws -> ClinicTimeZone {
      guard let name = option ?? Platform.environment("MESOFLOW_TIME_ZONE") else { return .system }
      if let zone = ClinicTimeZone.named(name) { return zone }
      let source = option == nil ? "MESOFLOW_TIME_ZONE names" : "--time-zone names"
      throw LoadedDefinitions.failure(
        "\(source) '\(name)', which is not a time zone this system knows\(Suggestion.didYouMean(name, in: ClinicTimeZone.knownNames.sorted())); give an IANA name such as Europe/Berlin or America/New_York"
      )
    }

    static func loadScript(_ path: String) throws -> AnswerScript {
      do throws(DiagnosticList) {
        return try AnswerScript.load(path: path)
      } catch {
        for diagnostic in error.diagnostics {
          Platform.printError(diagnostic.rendered(color: Platform.standardErrorWantsColor))
        }
        throw ExitCode(1)
      }
    }

    /// Runs the session from a script or at the terminal.
    static func drive(_ session: TerminalSession, script: AnswerScript?, input: TerminalInput) throws -> RunResult {
      if let script {
        var driver = ScriptedDriver(session: session, script: script)
        return try driver.run()
      }
      var driver = InteractiveDriver(session: session, input: input)
      return try driver.run()
    }
  }
}

/// Consultation ids: the local date and six random letters and digits,
/// easy to read out and type (`20261121-K7QF2M`).
enum ConsultationID {
  static func make(at now: Timestamp, in zone: ClinicTimeZone) -> String {
    let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
    var generator = SystemRandomNumberGenerator()
    let suffix = String((0..<6).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    let date = zone.date(of: now).description.filter { $0 != "-" }
    return "\(date)-\(suffix)"
  }
}
