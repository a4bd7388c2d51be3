import Foundation
import Testing

/// Runs the built `mesoflow` binary, as a user would.
struct CLITests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  static func binary(_ name: String) -> URL {
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [beside, beside.deletingLastPathComponent(), root.appendingPathComponent(".build/debug")] {
      let url = candidate.appendingPathComponent(name)
      if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    return root.appendingPathComponent(".build/debug/\(name)")
  }

  struct Result {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  /// Runs `program` with `arguments`; `stdin` is its standard input (empty when nil).
  func run(
    _ arguments: [String], in directory: URL = CLITests.root, program: String = "mesoflow", stdin: String? = nil
  ) throws -> Result {
    let process = Process()
    process.executableURL = Self.binary(program)
    process.arguments = arguments
    process.currentDirectoryURL = directory
    var environment = ProcessInfo.processInfo.environment
    environment["NO_COLOR"] = "1"
    process.environment = environment
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let input = Pipe()
    process.standardInput = stdin == nil ? FileHandle.nullDevice : input
    try process.run()
    if let stdin {
      input.fileHandleForWriting.write(Data(stdin.utf8))
      try input.fileHandleForWriting.close()
    }
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
      stderr: String(decoding: stderr, as: UTF8.self))
  }

  // MARK: - A clinic's accounts

  static let adminPassword = "admin horse battery"
  static let nursePassword = "nurse staple morning"
  static let physicianPassword = "doctor tulip window"

  /// A store with three accounts, made once with the binary: `ada` (admin),
  /// `kim` (staff, "Nurse Kim") and `dr.lane` (physician, "Dr Lane").
  static let clinicTemplate: String = {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent(
      "mesoflow-clinic-\(UUID().uuidString)/template.sqlite"
    ).path
    let cli = CLITests()
    _ = try? cli.run(["user", "add", "ada", "--password-stdin", "--store", path], stdin: adminPassword + "\n")
    _ = try? cli.run(
      ["user", "add", "kim", "--full-name", "Nurse Kim", "--admin", "ada", "--password-stdin", "--store", path],
      stdin: adminPassword + "\n" + nursePassword + "\n")
    _ = try? cli.run(
      [
        "user", "add", "dr.lane", "--role", "physician", "--full-name", "Dr Lane", "--admin", "ada",
        "--password-stdin", "--store", path,
      ], stdin: adminPassword + "\n" + physicianPassword + "\n")
    return path
  }()

  /// A fresh store in a fresh folder, with the clinic's three accounts.
  static func clinicStore() -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mesoflow-run-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    let path = folder.appendingPathComponent("c.sqlite").path
    try? FileManager.default.copyItem(atPath: clinicTemplate, toPath: path)
    return path
  }

  /// The password of one of the clinic's accounts.
  static func password(of account: String) -> String {
    switch account {
    case "ada": adminPassword
    case "dr.lane": physicianPassword
    default: nursePassword
    }
  }

  /// A scratch copy of the shipped Workflows/ and Plugins/.
  func scratchCopy() throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mesoflow-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    for folder in ["Workflows", "Plugins"] {
      try FileManager.default.copyItem(
        at: Self.root.appendingPathComponent(folder), to: directory.appendingPathComponent(folder))
    }
    return directory
  }

  func replace(_ old: String, with new: String, in file: URL) throws {
    let text = try String(contentsOf: file, encoding: .utf8)
    #expect(text.contains(old), "\(file.lastPathComponent) lacks \(old)")
    try text.replacingOccurrences(of: old, with: new).write(to: file, atomically: true, encoding: .utf8)
  }

  /// The 1-based line of the first occurrence of `text` in `file`.
  func line(of text: String, in file: URL) throws -> Int {
    let lines = try String(contentsOf: file, encoding: .utf8).components(separatedBy: "\n")
    return (lines.firstIndex { $0.contains(text) } ?? -1) + 1
  }

  // MARK: - validate

  @Test func validateWithNoArgumentsChecksTheShippedDefinitions() throws {
    let result = try run(["validate"])
    #expect(result.status == 0)
    #expect(result.stdout == "ok: 5 files valid: 1 workflow (mesotherapy), 4 plugins (body, eye, face, scalp)\n")
    #expect(result.stderr == "")
  }

  @Test func validateReportsEveryErrorOfABrokenCopyWithLineAndCaret() throws {
    let directory = try scratchCopy()
    defer { try? FileManager.default.removeItem(at: directory) }
    let workflow = directory.appendingPathComponent("Workflows/mesotherapy.yaml")
    let face = directory.appendingPathComponent("Plugins/face.yaml")
    try replace("next: screening", with: "next: screning", in: workflow)
    try replace("plugin: face\ntitle:", with: "plugin: face\ntittle:", in: face)
    let nextLine = try line(of: "next: screning", in: workflow)
    let titleLine = try line(of: "tittle:", in: face)
    let pluginLine = try line(of: "plugin: face", in: face)
    let result = try run(["validate"], in: directory)
    #expect(result.status == 1)
    #expect(result.stdout == "")
    let expected = """
      Workflows/mesotherapy.yaml:\(nextLine):11: error: unknown stage 'screning' (did you mean 'screening'?)
          next: screning
                ^
      """
    #expect(result.stderr.contains(expected))
    #expect(
      result.stderr.contains(
        "Plugins/face.yaml:\(titleLine):1: error: unknown key 'tittle' in the plugin (did you mean 'title'?)"))
    // One typo, one error: no "missing required key 'title'" besides.
    #expect(!result.stderr.contains("Plugins/face.yaml:\(pluginLine):1:"))
    // The other plugins are not blamed for their workflow's error.
    #expect(!result.stderr.contains("Plugins/eye.yaml:"))
    #expect(
      result.stderr.hasSuffix(
        "note: plugins body, eye, face, scalp will be checked against workflow 'mesotherapy' once its errors are fixed\n2 errors in 2 files\n"
      ))
  }

  @Test func validateFindsTheWorkflowOfAPluginGivenAlone() throws {
    let result = try run(["validate", "Plugins/eye.yaml"])
    #expect(result.status == 0)
    #expect(result.stdout == "ok: 2 files valid: 1 workflow (mesotherapy), 1 plugin (eye)\n")
  }

  @Test func validateWorksOnFilesOfTheCurrentFolder() throws {
    let workflows = Self.root.appendingPathComponent("Workflows")
    for argument in ["mesotherapy.yaml", "./mesotherapy.yaml", "."] {
      let result = try run(["validate", argument], in: workflows)
      #expect(result.status == 0, "\(argument): \(result.stderr)")
      #expect(result.stdout == "ok: 1 file valid: 1 workflow (mesotherapy)\n")
    }
    let plugin = try run(["validate", "eye.yaml"], in: Self.root.appendingPathComponent("Plugins"))
    #expect(plugin.status == 0, "\(plugin.stderr)")
  }

  @Test func validateFindsTheWorkflowsAndPluginsOfAClinicsFolder() throws {
    let clinic = try scratchCopy()
    defer { try? FileManager.default.removeItem(at: clinic) }
    let elsewhere = FileManager.default.temporaryDirectory
    for argument in [clinic.path, clinic.path + "/"] {
      let result = try run(["validate", argument], in: elsewhere)
      #expect(result.status == 0, "\(result.stderr)")
      #expect(result.stdout == "ok: 5 files valid: 1 workflow (mesotherapy), 4 plugins (body, eye, face, scalp)\n")
    }
    // Its errors are found too, at their place.
    let face = clinic.appendingPathComponent("Plugins/face.yaml")
    try (try String(contentsOf: face, encoding: .utf8)).replacingOccurrences(of: "\ntitle:", with: "\ntittle:")
      .write(to: face, atomically: true, encoding: .utf8)
    let broken = try run(["validate", clinic.path], in: elsewhere)
    #expect(broken.status == 1)
    #expect(broken.stderr.contains("\(clinic.path)/Plugins/face.yaml:"), "\(broken.stderr)")
  }

  @Test func validateRefusesAFolderWithoutDefinitions() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mesoflow-empty-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let none = try run(["validate", "."], in: directory)
    #expect(none.status == 1)
    #expect(
      none.stderr
        == "error: no definition files (.yaml, .yml) in ., and no Workflows/ or Plugins/ folder there; give definition files, a folder of them, or a clinic's folder that holds Workflows/ and Plugins/\n"
    )
    try Data().write(to: directory.appendingPathComponent("empty.yaml"))
    let empty = try run(["validate", "empty.yaml"], in: directory)
    #expect(empty.status == 1)
    #expect(
      empty.stderr.hasPrefix(
        "empty.yaml:1:1: error: the file is empty; a definition starts with 'workflow:' or 'plugin:'\n"))
  }

  @Test func validateReportsAMissingPath() throws {
    let result = try run(["validate", "NoSuchFolder"])
    #expect(result.status == 1)
    #expect(result.stderr.hasPrefix("NoSuchFolder:1:1: error: no such file or folder\n"))
  }

  @Test func validatePointsInsideAnExpression() throws {
    let directory = try scratchCopy()
    defer { try? FileManager.default.removeItem(at: directory) }
    let workflow = directory.appendingPathComponent("Workflows/mesotherapy.yaml")
    try replace("when: age < 18", with: "when: age < \"18\"", in: workflow)
    let number = try line(of: "when: age < \"18\"", in: workflow)
    let text = try String(contentsOf: workflow, encoding: .utf8).components(separatedBy: "\n")[number - 1]
    let column = (text.range(of: "\"18\"").map { text.distance(from: text.startIndex, to: $0.lowerBound) } ?? 0) + 1
    let result = try run(["validate"], in: directory)
    #expect(result.status == 1)
    #expect(
      result.stderr.hasPrefix(
        "Workflows/mesotherapy.yaml:\(number):\(column): error: cannot compare number with string\n"))
  }

  // MARK: - describe

  @Test func describeShowsTheMergedWorkflowAsText() throws {
    let result = try run(["describe", "mesotherapy", "--area", "face", "--area", "eye"])
    #expect(result.status == 0)
    let text = result.stdout
    #expect(
      text.hasPrefix(
        "Mesotherapy consultation (mesotherapy, version 1)\nAreas: Eye area (eye), Face (face)\nExpected duration: "))
    for heading in [
      "1. Consultation [consultation]", "2. Screening [screening]", "4. Injection technique [injection] (procedure)",
      "6. Follow-up [follow_up]",
    ] {
      #expect(text.contains(heading), "missing \(heading)")
    }
    #expect(text.contains("STOP under_18 when age < 18"))
    #expect(text.contains("EXCLUDE face_salmon_dna_fish_allergy (face) when fish_allergy"))
    #expect(text.contains("Ends: Completed"))
    #expect(text.contains("[integer 0..1000 points, held to the areas' max-points]"))
    #expect(text.contains("   - next_session_date: Date of the next session. [date from today]\n"))
  }

  @Test func describeJSONIsStableAndComplete() throws {
    let result = try run(["describe", "Workflows/mesotherapy.yaml", "--area", "scalp", "--format", "json"])
    #expect(result.status == 0)
    let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(json["schema"] as? String == "mesoflow.describe/1")
    let stages = try #require(json["stages"] as? [[String: Any]])
    #expect(
      stages.compactMap { $0["id"] as? String } == [
        "consultation", "screening", "anaesthetic", "injection", "aftercare", "follow_up",
      ])
    let duration = try #require(json["expected_duration"] as? [String: Any])
    let low = try #require(duration["min_seconds"] as? Int)
    let high = try #require(duration["max_seconds"] as? Int)
    #expect(low > 0 && low <= high)
    let areas = try #require(json["areas"] as? [[String: Any]])
    #expect(areas.compactMap { $0["id"] as? String } == ["scalp"])
    let screening = stages[1]
    let checks = try #require(screening["checks"] as? [[String: Any]])
    #expect(checks.contains { $0["outcome"] as? String == "stop" && $0["when"] as? String == "age < 18" })
    let injection = try #require(stages[3]["steps"] as? [[String: Any]])
    #expect(injection.first { $0["id"] as? String == "injection_points" }?["limit"] as? String == "max-points")
    #expect(injection.first { $0["id"] as? String == "volume" }?["limit"] == nil)
    let followUp = try #require(stages[5]["steps"] as? [[String: Any]])
    #expect(followUp.first { $0["id"] as? String == "next_session_date" }?["earliest"] as? String == "today")
    // The same request gives the same bytes.
    #expect(try run(["describe", "mesotherapy", "--area", "scalp", "--format", "json"]).stdout == result.stdout)
  }

  @Test func describeRefusesUnknownAreasAndBrokenDefinitions() throws {
    let unknown = try run(["describe", "mesotherapy", "--area", "hand"])
    #expect(unknown.status != 0)
    #expect(unknown.stderr.contains("unknown area 'hand'; areas: body, eye, face, scalp"))

    let directory = try scratchCopy()
    defer { try? FileManager.default.removeItem(at: directory) }
    try replace(
      "outcome: stop", with: "outcome: stopp", in: directory.appendingPathComponent("Workflows/mesotherapy.yaml"))
    let broken = try run(["describe", "mesotherapy"], in: directory)
    #expect(broken.status == 1)
    #expect(broken.stderr.contains("error: unknown outcome 'stopp' (did you mean 'stop'?)"))
    #expect(broken.stdout == "")
  }

  /// The README's line for integrators: the example program embeds the
  /// engine, registers a Swift plugin, runs a consultation and prints it.
  @Test func theExampleIntegratorRunsAConsultationWithItsSwiftPlugin() throws {
    let result = try run([], program: "mesoflow-example")
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("replayed to the same state"))
    #expect(result.stdout.contains("Consultation example-1: mesotherapy v1, areas face, hands"))
    #expect(result.stdout.contains("Outcome: completed"))
    #expect(result.stdout.contains("REFER hands_circulation_refer"))
    #expect(result.stdout.contains("overridden by Dr Grace Lane (physician)"))
    #expect(result.stdout.contains("Excluded ingredients: Salmon DNA"))
    #expect(result.stdout.contains("Wear gloves for washing up and gardening. Until 2026-11-24"))
    #expect(result.stdout.contains("2027-02-13: safety review"))

    let elsewhere = try run([], in: FileManager.default.temporaryDirectory, program: "mesoflow-example")
    #expect(elsewhere.status == 1)
    #expect(elsewhere.stderr.contains("run it from the repository's root"))
  }
}
