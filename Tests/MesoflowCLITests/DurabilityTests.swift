import Foundation
import MesoflowTestSupport
import Testing

/// `mesoflow run` promises that every answer is saved durably before the next
/// prompt is shown: a process killed at any moment loses nothing that was
/// confirmed on screen, and the consultation resumes where it stopped.
struct DurabilityTests {
  static let answersFile = CLITests.root.appendingPathComponent("Tests/MesoflowCLITests/Answers/face-complete.yaml")

  @Test func everyAnswerConfirmedOnScreenSurvivesASIGKILL() throws {
    // MESOFLOW_DURABILITY_SEED=<seed> replays a failing run.
    let seed =
      ProcessInfo.processInfo.environment["MESOFLOW_DURABILITY_SEED"].flatMap { UInt64($0) }
      ?? UInt64.random(in: .min ... .max)
    var random = SeededGenerator(seed: seed)
    let face = try FaceAnswers.load()
    // MESOFLOW_DURABILITY_ITERATIONS=<n> kills more often, for a longer search.
    let iterations = ProcessInfo.processInfo.environment["MESOFLOW_DURABILITY_ITERATIONS"].flatMap { Int($0) } ?? 5
    for iteration in 1...max(1, iterations) {
      // Kill after 0 to 40 confirmed answers (a face consultation asks 43
      // questions), either waiting at the next question or just after its
      // answer was sent, before the program could confirm it.
      let kill = KillPoint(
        confirmed: Int(random.next() % 41), inFlight: random.next() % 2 == 0,
        delayMicroseconds: UInt32(random.next() % 3_000))
      let context = "seed \(seed) (rerun with MESOFLOW_DURABILITY_SEED=\(seed)), iteration \(iteration): \(kill)"
      try killAndResume(at: kill, face: face, context: context)
    }
  }

  private struct KillPoint: CustomStringConvertible {
    var confirmed: Int
    var inFlight: Bool
    var delayMicroseconds: UInt32

    var description: String {
      "SIGKILL after \(confirmed) confirmed answers"
        + (inFlight ? " and \(delayMicroseconds) µs after sending the next one" : ", waiting at the next question")
    }
  }

  private func killAndResume(at kill: KillPoint, face: FaceAnswers, context: String) throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mesoflow-kill-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let store = folder.appendingPathComponent("c.sqlite").path
    try FileManager.default.copyItem(atPath: CLITests.clinicTemplate, toPath: store)

    let run = try InteractiveProcess(
      arguments: ["run", "--area", "face", "--staff", "kim", "--password-stdin", "--store", store],
      stderr: folder.appendingPathComponent("err"))
    defer { run.finish() }
    try run.send(CLITests.nursePassword)
    var screen = try run.waitForQuestion(after: 0, context: context)
    let id = try #require(
      run.output.firstMatch(of: #/^Consultation (\d{8}-[A-Z0-9]{6}): /#.anchorsMatchLineEndings()).map { String($0.1) },
      "no \"Consultation <ID>:\" line: \(run.output) (\(context))")

    // Answer, one line at a time, each confirmed by the next question.
    var confirmed: [String] = []
    var inFlight: String?
    while !screen.completed {
      let step = try face.step(prompted: screen.prompt, context: context)
      let line = try face.typed(step, context: context)
      if confirmed.count == kill.confirmed {
        if kill.inFlight {
          try run.send(line)
          inFlight = step
          if kill.delayMicroseconds > 0 { usleep(kill.delayMicroseconds) }
        }
        break
      }
      try run.send(line)
      let next = try run.waitForQuestion(after: screen.questions, context: "\(context), answering \(step)")
      confirmed.append(step)
      screen = next
    }
    run.killNow()
    let killed = try run.waitForExit(context: context)
    #expect(killed == .killed, "\(context)")
    #expect(run.outputEnds(), "the output pipe stayed open after the kill (\(context))")

    // Every confirmed answer is in the store, with its value; nothing else is
    // but, perhaps, the answer in flight.
    let show = try runMesoflow(["show", id, "--format", "json", "--store", store])
    try #require(show.status == 0, "show: \(show.stderr) (\(context))")
    let record = try Self.record(in: show.stdout)
    var stored = record.answers
    var skipped = record.skipped
    for step in confirmed {
      if face.values[step] == nil {
        #expect(skipped.remove(step) != nil, "confirmed skip of \(step) is missing after the kill (\(context))")
        continue
      }
      let answer = stored.removeValue(forKey: step)
      #expect(answer != nil, "confirmed answer to \(step) is missing after the kill (\(context))")
      if let answer {
        #expect(try face.matches(answer, step: step), "\(step) was stored as \(answer) (\(context))")
      }
    }
    if let inFlight, let answer = stored.removeValue(forKey: inFlight) {
      #expect(try face.matches(answer, step: inFlight), "\(inFlight) was stored as \(answer) (\(context))")
    }
    if let inFlight { skipped.remove(inFlight) }
    #expect(stored.isEmpty, "answers stored that were never sent: \(stored.keys.sorted()) (\(context))")
    #expect(skipped.isEmpty, "skips stored that were never sent: \(skipped.sorted()) (\(context))")
    let saved = record.answers.count

    // The consultation resumes from the answers file and completes.
    let resume = try runMesoflow(
      ["resume", id, "--password-stdin", "--answers", Self.answersFile.path, "--store", store],
      stdin: CLITests.nursePassword + "\n")
    #expect(resume.status == 0, "resume: \(resume.stdout)\(resume.stderr) (\(context))")
    if screen.completed || resume.stdout.contains("has already ended (completed)") {
      // Killed after the last answer was saved: nothing is left to resume.
      #expect(
        resume.stdout.contains("Consultation \(id) has already ended (completed)"), "\(resume.stdout) (\(context))")
    } else {
      #expect(
        resume.stdout.hasPrefix(
          "Resuming consultation \(id) (\(saved) answer\(saved == 1 ? "" : "s") so far), Nurse Kim (staff).\n"),
        "\(resume.stdout) (\(context))")
      #expect(resume.stdout.contains("Consultation completed."), "\(resume.stdout) (\(context))")
    }
    let verify = try runMesoflow(["verify", id, "--store", store])
    #expect(verify.status == 0, "verify: \(verify.stdout)\(verify.stderr) (\(context))")

    let after = try runMesoflow(["show", id, "--format", "json", "--store", store])
    let final = try Self.record(in: after.stdout)
    for (step, answer) in final.answers {
      #expect(try face.matches(answer, step: step), "after resuming, \(step) is \(answer) (\(context))")
    }
    #expect(final.answers.keys.sorted() == face.answered, "after resuming (\(context))")
    #expect(final.skipped == ["mix_ratio"], "after resuming (\(context))")
  }

  /// The answers of `mesoflow show --format json`, by step, and the steps skipped.
  private static func record(in json: String) throws -> (answers: [String: [String: Any]], skipped: Set<String>) {
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], "\(json)")
    let events = try #require(object["events"] as? [[String: Any]], "\(json)")
    let skipped = Set(events.filter { $0["type"] as? String == "skipped" }.compactMap { $0["step"] as? String })
    let answers = try #require(object["answers"] as? [[String: Any]], "\(json)")
    var byStep: [String: [String: Any]] = [:]
    for answer in answers {
      let step = try #require(answer["step"] as? String)
      #expect(byStep[step] == nil, "\(step) is listed twice")
      byStep[step] = try #require(answer["answer"] as? [String: Any])
      #expect(answer["corrections"] as? Int == 0, "\(answer)")
    }
    return (byStep, skipped)
  }
}

// MARK: - The answers

/// face-complete.yaml, typed as staff type it, and what the store should keep
/// of each answer; the questions are recognised by their prompts, from
/// `mesoflow describe --format json`.
private struct FaceAnswers {
  enum Value {
    case scalar(String)
    case list([String])
    case map([String: String])
  }

  struct Step {
    var id: String
    var type: String
    var optional: Bool
  }

  var values: [String: Value] = [:]
  var steps: [String: Step] = [:]
  var stepByPrompt: [String: String] = [:]

  /// The steps the file answers.
  var answered: [String] { values.keys.sorted() }

  struct Refused: Error, CustomStringConvertible {
    let description: String
  }

  static func load() throws -> FaceAnswers {
    var face = FaceAnswers()
    let text = try String(contentsOf: DurabilityTests.answersFile, encoding: .utf8)
    for line in text.split(separator: "\n") where !line.hasPrefix("#") {
      guard let colon = line.firstIndex(of: ":") else { continue }
      let key = line[..<colon].trimmingCharacters(in: .whitespaces)
      let raw = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
      if raw.hasPrefix("[") {
        face.values[key] = .list(
          raw.dropFirst().dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
      } else if raw.hasPrefix("{") {
        var map: [String: String] = [:]
        for pair in raw.dropFirst().dropLast().split(separator: ",") {
          let parts = pair.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
          if parts.count == 2 { map[parts[0]] = parts[1] }
        }
        face.values[key] = .map(map)
      } else {
        face.values[key] = .scalar(raw)
      }
    }
    let describe = try runMesoflow(["describe", "mesotherapy", "--area", "face", "--format", "json"])
    try #require(describe.status == 0, "\(describe.stderr)")
    let object = try #require(try JSONSerialization.jsonObject(with: Data(describe.stdout.utf8)) as? [String: Any])
    for stage in try #require(object["stages"] as? [[String: Any]]) {
      for step in try #require(stage["steps"] as? [[String: Any]]) {
        let id = try #require(step["id"] as? String)
        let prompt = try #require(step["prompt"] as? String)
        face.steps[id] = Step(
          id: id, type: try #require(step["type"] as? String), optional: step["optional"] as? Bool ?? false)
        face.stepByPrompt[prompt] = id
      }
    }
    return face
  }

  func step(prompted prompt: String, context: String) throws -> String {
    guard let id = stepByPrompt[prompt] else { throw Refused(description: "no step asks \"\(prompt)\" (\(context))") }
    return id
  }

  /// The line to type: lists comma-separated, a product as `name; lot; expiry`,
  /// and `skip` for an optional step the file leaves out.
  func typed(_ step: String, context: String) throws -> String {
    switch values[step] {
    case .scalar(let text): return text
    case .list(let items): return items.joined(separator: ", ")
    case .map(let fields):
      return [fields["name"], fields["lot"], fields["expiry"]].map { $0 ?? "" }.joined(separator: "; ")
    case nil:
      if steps[step]?.optional == true { return "skip" }
      throw Refused(description: "face-complete.yaml has no answer for \(step) (\(context))")
    }
  }

  /// Whether the store's JSON for an answer to `step` holds the file's value.
  func matches(_ stored: [String: Any], step: String) throws -> Bool {
    let type = try #require(steps[step]?.type, "unknown step \(step)")
    switch (type, values[step]) {
    case ("integer", .scalar(let text)): return stored["integer"] as? Int == Int(text)
    case ("decimal", .scalar(let text)): return (stored["decimal"] as? NSNumber)?.doubleValue == Double(text)
    case ("text", .scalar(let text)): return stored["text"] as? String == text
    case ("choice", .scalar(let text)): return stored["choice"] as? String == text
    case ("date", .scalar(let text)): return stored["date"] as? String == text
    case ("yes-no", .scalar(let text)): return stored["yes-no"] as? Bool == (text == "yes")
    case ("multi-choice", .list(let items)): return (stored["multi-choice"] as? [String]).map(Set.init) == Set(items)
    case ("consent", .scalar(let text)): return (stored["consent"] as? [String: Any])?["signedBy"] as? String == text
    case ("product", .map(let fields)): return stored["product"] as? [String: String] == fields
    case ("volume", .scalar(let text)):
      guard let areas = stored["volume"] as? [[String: Any]], areas.count == 1 else { return false }
      return areas[0]["area"] as? String == "face"
        && (areas[0]["millilitres"] as? NSNumber)?.doubleValue == Double(text)
    default:
      return false
    }
  }
}

// MARK: - Processes

/// What a process printed so far, filled by a reading thread.
private final class OutputBuffer: @unchecked Sendable {
  private let lock = NSLock()
  private var data = Data()
  private var isEnded = false

  func append(_ chunk: Data) {
    lock.lock()
    defer { lock.unlock() }
    data.append(chunk)
  }

  func end() {
    lock.lock()
    defer { lock.unlock() }
    isEnded = true
  }

  var ended: Bool {
    lock.lock()
    defer { lock.unlock() }
    return isEnded
  }

  var text: String {
    lock.lock()
    defer { lock.unlock() }
    return String(decoding: data, as: UTF8.self)
  }
}

/// `mesoflow` with its standard input and output on pipes, answered line by line.
private final class InteractiveProcess {
  let process = Process()
  private let input = Pipe()
  private let buffer = OutputBuffer()
  private let stderrURL: URL
  private let errorHandle: FileHandle

  /// A question on screen, waiting for its answer.
  struct Screen {
    /// How many questions were shown so far.
    var questions: Int
    var prompt: String
    /// The run ended completed: no question is waiting.
    var completed = false
  }

  enum Exit: Equatable {
    case status(Int32)
    case killed
    case signal(Int32)
  }

  init(arguments: [String], stderr: URL) throws {
    stderrURL = stderr
    _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
    process.executableURL = CLITests.binary("mesoflow")
    process.arguments = arguments
    process.currentDirectoryURL = CLITests.root
    var environment = ProcessInfo.processInfo.environment
    environment["NO_COLOR"] = "1"
    process.environment = environment
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    errorHandle = try FileHandle(forWritingTo: stderr)
    process.standardError = errorHandle
    try process.run()
    // Read until the end of output (the pipe closes when the process dies),
    // on a thread of its own so that nothing here ever blocks on the pipe.
    let reading = output.fileHandleForReading
    let buffer = buffer
    Thread.detachNewThread {
      while true {
        let chunk = reading.availableData
        if chunk.isEmpty { break }
        buffer.append(chunk)
      }
      buffer.end()
    }
  }

  var output: String { buffer.text }

  var errors: String { (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "" }

  func send(_ line: String) throws {
    guard process.isRunning else {
      throw FaceAnswers.Refused(description: "mesoflow ended before \"\(line)\" could be typed:\n\(output)\(errors)")
    }
    try input.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
  }

  /// Waits until a question after the first `shown` is on screen, waiting for
  /// its answer (the output ends in the input prompt), or the run completed.
  func waitForQuestion(after shown: Int, timeout: TimeInterval = 10, context: String) throws -> Screen {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
      // Whether the output had ended before it was read.
      let ended = buffer.ended
      let text = output
      let headers = text.ranges(of: "\n── ")
      if headers.count > shown, text.hasSuffix("\n> "), let last = headers.last {
        // The header line, then the prompt.
        let lines = text[last.upperBound...].split(separator: "\n", omittingEmptySubsequences: false)
        if lines.count > 1 { return Screen(questions: headers.count, prompt: String(lines[1])) }
      }
      if text.contains("Consultation completed.") {
        return Screen(questions: headers.count, prompt: "", completed: true)
      }
      if text.hasSuffix("\n> "), text.contains("✗ ") {
        throw FaceAnswers.Refused(description: "an answer was refused (\(context)):\n\(text)")
      }
      if ended || Date() >= deadline {
        throw FaceAnswers.Refused(
          description: "no new question within \(timeout) s (\(context)); the output:\n\(text)\(errors)")
      }
      usleep(2_000)
    }
  }

  /// Whether the reading thread saw the end of the output within `timeout` seconds.
  func outputEnds(timeout: TimeInterval = 5) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while !buffer.ended {
      if Date() >= deadline { return false }
      usleep(2_000)
    }
    return true
  }

  func killNow() {
    kill(process.processIdentifier, SIGKILL)
  }

  /// Kills the process if it still runs, and closes its standard input.
  func finish() {
    if process.isRunning { killNow() }
    try? input.fileHandleForWriting.close()
    try? errorHandle.close()
  }

  func waitForExit(timeout: TimeInterval = 10, context: String) throws -> Exit {
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning {
      if Date() >= deadline { throw FaceAnswers.Refused(description: "mesoflow did not end (\(context))") }
      usleep(2_000)
    }
    if process.terminationReason == .uncaughtSignal {
      return process.terminationStatus == SIGKILL ? .killed : .signal(process.terminationStatus)
    }
    return .status(process.terminationStatus)
  }
}

/// Runs `mesoflow` to its end, within `timeout` seconds; its output goes to
/// files, so that no pipe can fill and block it.
private func runMesoflow(_ arguments: [String], stdin: String? = nil, timeout: TimeInterval = 20) throws
  -> CLITests.Result
{
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mesoflow-out-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: folder) }
  let outURL = folder.appendingPathComponent("out")
  let errURL = folder.appendingPathComponent("err")
  _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
  _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
  let process = Process()
  process.executableURL = CLITests.binary("mesoflow")
  process.arguments = arguments
  process.currentDirectoryURL = CLITests.root
  var environment = ProcessInfo.processInfo.environment
  environment["NO_COLOR"] = "1"
  process.environment = environment
  if let stdin {
    let inURL = folder.appendingPathComponent("in")
    try Data(stdin.utf8).write(to: inURL)
    process.standardInput = try FileHandle(forReadingFrom: inURL)
  } else {
    process.standardInput = FileHandle.nullDevice
  }
  let out = try FileHandle(forWritingTo: outURL)
  let err = try FileHandle(forWritingTo: errURL)
  defer {
    try? out.close()
    try? err.close()
  }
  process.standardOutput = out
  process.standardError = err
  try process.run()
  let deadline = Date().addingTimeInterval(timeout)
  while process.isRunning {
    if Date() >= deadline {
      kill(process.processIdentifier, SIGKILL)
      throw FaceAnswers.Refused(
        description: "mesoflow \(arguments.joined(separator: " ")) did not end within \(timeout) s")
    }
    usleep(2_000)
  }
  return CLITests.Result(
    status: process.terminationStatus, stdout: try String(contentsOf: outURL, encoding: .utf8),
    stderr: try String(contentsOf: errURL, encoding: .utf8))
}
