import Foundation
import Mesoflow
import MesoflowSQLite
import MesoflowStore
import Testing

/// `mesoflow export --format fhir`, `--all`, `describe --format fhir` and
/// `test --fhir-output` on the built binary, against a real store.
struct FHIRCommandTests {
  let cli = CLITests()
  let run = RunCommandTests()

  static let referral = CLITests.root.appendingPathComponent(
    "Tests/MesoflowCLITests/Answers/face-referral-approved.yaml")

  static func json(_ text: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
  }

  static func resources(_ bundle: [String: Any], _ type: String) -> [[String: Any]] {
    (bundle["entry"] as? [[String: Any]] ?? []).compactMap { $0["resource"] as? [String: Any] }
      .filter { $0["resourceType"] as? String == type }
  }

  /// A completed face consultation whose referral dr.lane approved, and its id.
  func approved(store: String) throws -> String {
    let result = try run.run(
      ["--answers", Self.referral.path, "--patient", "P-17"], store: store, physician: "dr.lane")
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    return try RunCommandTests.id(in: result.stdout)
  }

  @Test func anApprovedReferralExportsTheLotThePhysicianTheAftercareAndTheChainHead() throws {
    let store = RunCommandTests.storePath()
    let id = try approved(store: store)
    let result = try cli.run(["export", id, "--format", "fhir", "--store", store])
    #expect(result.status == 0, "\(result.stderr)")
    let bundle = try Self.json(result.stdout)
    let medication = try #require(Self.resources(bundle, "Medication").first)
    #expect((medication["batch"] as? [String: Any])?["lotNumber"] as? String == "A123")
    #expect((medication["batch"] as? [String: Any])?["expirationDate"] as? String == "2099-12-31")
    // The approval names the physician's account.
    let practitioners = Self.resources(bundle, "Practitioner")
    let accounts = practitioners.compactMap { ($0["identifier"] as? [[String: Any]])?.first?["value"] as? String }
    #expect(accounts.sorted() == ["dr.lane", "kim"])
    let issue = try #require(
      Self.resources(bundle, "DetectedIssue").first { $0["severity"] as? String == "moderate" })
    let mitigation = try #require((issue["mitigation"] as? [[String: Any]])?.first)
    #expect((mitigation["author"] as? [String: Any])?["display"] as? String == "Dr Lane")
    #expect(((mitigation["action"] as? [String: Any])?["text"] as? String)?.contains("INR checked") == true)
    // The aftercare's end dates.
    let plan = try #require(Self.resources(bundle, "CarePlan").first)
    let ends = (plan["activity"] as? [[String: Any]] ?? []).compactMap {
      (($0["detail"] as? [String: Any])?["scheduledPeriod"] as? [String: Any])?["end"] as? String
    }
    #expect(ends.count >= 5)
    // The provenance's chain head is the one verify prints.
    let verify = try cli.run(["verify", id, "--store", store])
    let provenance = try #require(Self.resources(bundle, "Provenance").first)
    let head = try #require(
      ((provenance["entity"] as? [[String: Any]])?.first?["what"] as? [String: Any]).flatMap {
        ($0["identifier"] as? [String: Any])?["value"] as? String
      })
    #expect(verify.stdout.contains("chain head \(head)"))
  }

  @Test func allWritesOneBundleALineAndSinceKeepsOnlyLaterOnes() throws {
    let store = RunCommandTests.storePath()
    let first = try approved(store: store)
    let deferred = try run.run(
      ["--answers", try RunCommandTests.answers(replacing: ["age": "16"])], store: store)
    #expect(deferred.status != 0)
    let second = try RunCommandTests.id(in: deferred.stdout)
    let all = try cli.run(["export", "--all", "--format", "fhir", "--store", store])
    #expect(all.status == 0, "\(all.stderr)")
    let lines = all.stdout.split(separator: "\n")
    #expect(lines.count == 2)
    let ids = try lines.map { line in
      ((try Self.json(String(line)))["identifier"] as? [String: Any])?["value"] as? String
    }
    #expect(Set(ids.compactMap { $0 }) == [first, second])
    let tomorrow = try cli.run(["export", "--all", "--format", "fhir", "--since", "2999-01-01", "--store", store])
    #expect(tomorrow.status == 0)
    #expect(tomorrow.stdout == "")
    let since = try cli.run(["export", "--all", "--format", "fhir", "--since", "2000-01-01", "--store", store])
    #expect(since.stdout.split(separator: "\n").count == 2)
  }

  @Test func anOpenConsultationExportsAsFHIRThoughItHasNoTreatment() throws {
    let store = RunCommandTests.storePath()
    let result = try run.run(["--answers", try RunCommandTests.answers(dropping: ["consent"])], store: store)
    let id = try RunCommandTests.id(in: result.stdout)
    let export = try cli.run(["export", id, "--format", "fhir", "--store", store])
    #expect(export.status == 0, "\(export.stderr)")
    let bundle = try Self.json(export.stdout)
    #expect(Self.resources(bundle, "QuestionnaireResponse").first?["status"] as? String == "in-progress")
    #expect(Self.resources(bundle, "Procedure").first?["status"] as? String == "preparation")
    // The patient's sheet still needs a treatment.
    #expect(try cli.run(["export", id, "--format", "html", "--store", store]).status == 1)
  }

  @Test func optionsThatDoNotGoTogetherAreRefused() throws {
    let store = RunCommandTests.storePath()
    let cases: [([String], String)] = [
      (["export", "--format", "fhir"], "say which consultation to export, or give --all"),
      (["export", "X", "--all", "--format", "fhir"], "not both"),
      (["export", "--all", "--format", "ics"], "--all exports FHIR only"),
      (["export", "X", "--format", "fhir", "--since", "2026-01-01"], "--since goes with --all"),
      (["export", "--all", "--format", "fhir", "--since", "2026-13-01"], "2026-13-01"),
      (["export", "X", "--format", "fhir", "--canonical-base", "clinic fhir"], "--canonical-base must be"),
      (["describe", "mesotherapy", "--format", "fhir", "--canonical-base", "ftp://x"], "--canonical-base must be"),
    ]
    for (arguments, message) in cases {
      let result = try cli.run(arguments + (arguments.first == "export" ? ["--store", store] : []))
      #expect(result.status == 64, "\(arguments)")
      #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
    }
    let unknown = try cli.run(["export", "NOPE", "--format", "fhir", "--store", store])
    #expect(unknown.status == 1)
    #expect(unknown.stderr.contains("NOPE"))
  }

  @Test func anExportReadsAStoreThatIsThereAndReplacesOnlyARegularFile() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mesoflow-fhir-\(UUID().uuidString)")
    let missing = folder.appendingPathComponent("no/store.sqlite").path
    let result = try cli.run(["export", "--all", "--format", "fhir", "--store", missing])
    #expect(result.status == 1)
    #expect(result.stderr == "error: there is no store at \(missing); --store or MESOFLOW_STORE names it\n")
    #expect(!FileManager.default.fileExists(atPath: folder.path), "the export made the store")
    // A device (or a FIFO) at --output is refused, not replaced.
    let store = RunCommandTests.storePath()
    let id = try approved(store: store)
    let device = try cli.run(["export", id, "--format", "fhir", "--output", "/dev/null", "--store", store])
    #expect(device.status == 1)
    #expect(device.stderr.contains("/dev/null: cannot write the file: it is not a regular file"))
    var status = stat()
    #expect(lstat("/dev/null", &status) == 0 && status.st_mode & S_IFMT == S_IFCHR)
  }

  @Test func aConsultationWithoutAPatientIdIsExportedWithAWarning() throws {
    let store = RunCommandTests.storePath()
    let result = try run.run(["--answers", RunCommandTests.answers.path], store: store)
    let id = try RunCommandTests.id(in: result.stdout)
    let export = try cli.run(["export", id, "--format", "fhir", "--store", store])
    #expect(export.status == 0)
    #expect(export.stderr.contains("warning: consultation \(id) names no patient"))
    let patient = try #require(Self.resources(try Self.json(export.stdout), "Patient").first)
    #expect(patient["identifier"] == nil)
    let all = try cli.run(["export", "--all", "--format", "fhir", "--store", store])
    #expect(all.stderr.contains("warning: 1 consultation names no patient"))
  }

  @Test func aPatientIdOrAFullNameWithAControlCharacterIsRefused() throws {
    let store = RunCommandTests.storePath()
    let patient = try run.run(["--answers", RunCommandTests.answers.path, "--patient", "P-2\u{01}"], store: store)
    #expect(patient.status == 64)
    #expect(patient.stderr.contains("--patient must be the clinic's identifier"))
    let user = try cli.run(
      ["user", "add", "sam", "--full-name", "Sam\u{07}", "--admin", "ada", "--password-stdin", "--store", store],
      stdin: CLITests.adminPassword + "\nsam horse battery staple\n")
    #expect(user.status == 1)
    #expect(user.stderr.contains("the full name holds the control character U+7"))
    let list = try cli.run(["user", "list", "--store", store])
    #expect(!list.stdout.contains("sam"))
  }

  /// A record made before control characters were refused (here, edited in
  /// with the sqlite3 tool) is listed with them escaped, never acted on.
  @Test func listEscapesAControlCharacterTheStoreHolds() throws {
    let store = RunCommandTests.storePath()
    let id = try approved(store: store)
    _ = try CLITests.shell(
      "sqlite3 '\(store)' \"UPDATE consultation SET patient = 'P' || char(27) || '[31mX', staff = 'Kim' || char(10) || 'Park' WHERE id = '\(id)'\""
    )
    let list = try cli.run(["list", "--store", store])
    #expect(list.status == 0, "\(list.stderr)")
    #expect(list.stdout.contains("P\\u{1B}[31mX"))
    #expect(list.stdout.contains("Kim\\u{A}Park"))
    #expect(!list.stdout.contains("\u{1B}"))
    #expect(list.stdout.split(separator: "\n").count == 2)
  }

  /// A note recorded before control characters were refused, chained as
  /// any event: `show` prints it escaped, and the export as U+FFFD.
  @Test func anOldNoteWithAnEscapeSequenceIsShownEscapedAndExportedReplaced() throws {
    let store = RunCommandTests.storePath()
    let id = try approved(store: store)
    do {
      let archive = ConsultationArchive(store: try SQLiteStore(path: store))
      var (consultation, cursor) = try archive.open(id, clock: ManualClock(Timestamp(millisecondsSinceEpoch: 0)))
      let last = try #require(consultation.events.last)
      let note = ConsultationEvent(
        sequence: last.sequence + 1, time: last.time, actor: last.actor,
        kind: .noted(step: nil, text: "red \u{1B}[31malert\u{07}"))
      consultation = try Consultation(
        replaying: consultation.events + [note], workflow: consultation.workflow, clock: consultation.clock,
        timeZone: consultation.timeZone)
      try archive.save(consultation, cursor: &cursor)
    }
    #expect(try cli.run(["verify", id, "--store", store]).status == 0)
    let show = try cli.run(["show", id, "--store", store])
    #expect(show.status == 0)
    #expect(show.stdout.contains("red \\u{1B}[31malert\\u{7}"))
    #expect(!show.stdout.contains("\u{1B}"))
    let export = try cli.run(["export", id, "--format", "fhir", "--store", store])
    #expect(export.stdout.contains("red \u{FFFD}[31malert\u{FFFD}"))
  }

  @Test func describeWritesTheMergedWorkflowAsAQuestionnaire() throws {
    let result = try cli.run(["describe", "mesotherapy", "--area", "face", "--area", "eye", "--format", "fhir"])
    #expect(result.status == 0, "\(result.stderr)")
    let form = try Self.json(result.stdout)
    #expect(form["resourceType"] as? String == "Questionnaire")
    #expect(form["url"] as? String == "urn:mesoflow:questionnaire:mesotherapy:eye+face")
    let groups = (form["item"] as? [[String: Any]] ?? []).compactMap { $0["linkId"] as? String }
    #expect(groups.first == "consultation")
    #expect(groups.contains("screening"))
  }

  @Test func testWritesEachScenariosConsultationAsABundle() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mesoflow-fhir-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let result = try cli.run(["test", "--fhir-output", folder.path])
    #expect(result.status == 0, "\(result.stderr)")
    let passed = try #require(
      result.stdout.split(separator: "\n").last?.split(separator: " ").first.flatMap { Int($0) })
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }
    #expect(files.count == passed)
    for file in files.prefix(5) {
      let bundle = try Self.json(try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8))
      #expect(bundle["type"] as? String == "collection")
    }
    let missing = try cli.run(["test", "--fhir-output", folder.appendingPathComponent("nope").path])
    #expect(missing.status == 64)
    #expect(missing.stderr.contains("is not a folder"))
  }
}
