import Foundation
import Mesoflow
import MesoflowSQLite
import MesoflowStore

/// The durable commit per answered step: each answer of scripted
/// consultations saved to a SQLite store (WAL, synchronous FULL) on its own,
/// as `mesoflow run` saves it before showing the next question.
func commitBenchmarks(catalog: Catalog, consultations: Int, area: String?) {
  guard let area = area ?? catalog.plugins.keys.sorted().first,
    let workflow = catalog.plugins[area]?.workflow,
    let merged = try? catalog.merged(workflow: workflow, areas: [area])
  else {
    print("no plugin to run the store benchmark with")
    return
  }
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mesoflow-bench-\(getpid())")
  defer { try? FileManager.default.removeItem(at: folder) }
  guard let store = try? SQLiteStore(path: folder.appendingPathComponent("bench.sqlite").path) else {
    print("cannot create the benchmark store in \(folder.path)")
    return
  }
  let archive = ConsultationArchive(store: store)
  let clock = ManualClock(Timestamp(millisecondsSinceEpoch: 1_795_251_600_000))
  let answers = scriptedAnswers(merged, at: clock.now())
  let staff = Clinician(name: "Nurse", role: .staff)
  let wall = ContinuousClock()
  var commits: [Duration] = []
  for index in 0..<consultations {
    guard var consultation = try? Consultation(id: "bench-\(index)", workflow: merged, staff: staff, clock: clock),
      var cursor = try? archive.begin(consultation, definitions: [])
    else { return }
    loop: while true {
      switch consultation.prompt {
      case .question(let question):
        guard let answer = answers[question.step.id], (try? consultation.answer(question.step.id, answer)) != nil else {
          break loop
        }
      case .resolve(let alert):
        guard (try? consultation.acknowledge(alert.check.id)) != nil else { break loop }
      case .wait(let wait):
        clock.set(wait.until)
        guard (try? consultation.proceed()) != nil else { break loop }
      case .finished:
        break loop
      }
      let started = wall.now
      do { try archive.save(consultation, cursor: &cursor) } catch {
        print("save failed: \(error)")
        return
      }
      commits.append(wall.now - started)
      clock.advance(by: TimeSpan(seconds: 10))
    }
  }
  commits.sort()
  guard !commits.isEmpty else { return }
  func at(_ fraction: Double) -> Double {
    milliseconds(commits[min(commits.count - 1, Int(Double(commits.count) * fraction))])
  }
  print(
    "durable commit per answered step (\(area), \(consultations) consultations, \(commits.count) commits, WAL + synchronous FULL)"
  )
  print(
    String(
      format: "  median %.3f ms  p99 %.3f ms  max %.3f ms (target: p99 < 5 ms)", at(0.5), at(0.99),
      milliseconds(commits[commits.count - 1])))
}

/// The time one sign-in takes: an account's Argon2id hash checked against
/// its password, with the audit entry written, on a store in memory.
func signInBenchmark(runs: Int) {
  let accounts = AccountDirectory(store: MemoryStore())
  let password = "bench horse battery staple"
  do {
    try accounts.add("bench", role: .staff, password: password, by: nil)
  } catch {
    print("cannot add the benchmark's account: \(error)")
    return
  }
  let clock = ContinuousClock()
  var times: [Duration] = []
  for _ in 0..<runs {
    times.append(clock.measure { _ = try? accounts.signIn("bench", password: password, for: "benchmark") })
  }
  times.sort()
  print("sign-in, Argon2id m=64 MiB t=3 p=1 (\(runs) sign-ins)")
  print(
    String(
      format: "  median %.1f ms  best %.1f ms  worst %.1f ms (target: 100 to 500 ms)",
      milliseconds(times[times.count / 2]), milliseconds(times[0]), milliseconds(times[times.count - 1])))
}

/// Time from process start to the first question of `mesoflow run`, store
/// opened and the staff signed in (the password on standard input, so one
/// Argon2id check is part of it): the program is spawned with its output on
/// a pipe, and the clock stops when the first `> ` prompt arrives; its
/// standard input then ends, so it pauses and exits.
func firstPromptBenchmark(binary: String, runs: Int, area: String) {
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mesoflow-first-\(getpid())")
  defer { try? FileManager.default.removeItem(at: folder) }
  let store = folder.appendingPathComponent("first.sqlite").path
  let passwordFile = folder.appendingPathComponent("password").path
  let password = "bench horse battery staple"
  do {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try AccountDirectory(store: try SQLiteStore(path: store)).add("bench", role: .staff, password: password, by: nil)
    try Data((password + "\n").utf8).write(to: URL(fileURLWithPath: passwordFile))
  } catch {
    print("cannot prepare the benchmark's store: \(error)")
    return
  }
  let arguments = ["run", "--area", area, "--staff", "bench", "--password-stdin", "--store", store]
  var times: [Duration] = []
  let wall = ContinuousClock()
  for _ in 0..<runs {
    var fds: [Int32] = [0, 0]
    guard fds.withUnsafeMutableBufferPointer({ pipe($0.baseAddress) }) == 0 else { return }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_addopen(&actions, 0, passwordFile, O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addclose(&actions, fds[0])
    let argv = ([binary] + arguments).map { strdup($0) } + [nil]
    var pid: pid_t = 0
    let started = wall.now
    let spawned = posix_spawn(&pid, binary, &actions, nil, argv, environ)
    posix_spawn_file_actions_destroy(&actions)
    for pointer in argv { free(pointer) }
    close(fds[1])
    guard spawned == 0 else {
      close(fds[0])
      print("cannot start \(binary)")
      return
    }
    var seen: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    var elapsed: Duration?
    while elapsed == nil {
      let count = buffer.withUnsafeMutableBytes { read(fds[0], $0.baseAddress, $0.count) }
      if count <= 0 { break }
      seen += buffer[..<count]
      if seen.count >= 2, seen.contains(UInt8(ascii: ">")),
        String(decoding: seen, as: UTF8.self).contains("\n> ") || String(decoding: seen, as: UTF8.self).hasPrefix("> ")
      {
        elapsed = wall.now - started
      }
    }
    while read(fds[0], &buffer, buffer.count) > 0 {}
    close(fds[0])
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0, errno == EINTR {}
    if let elapsed { times.append(elapsed) }
  }
  times.sort()
  guard !times.isEmpty else {
    print("mesoflow run never showed a prompt")
    return
  }
  print("mesoflow run: process start to first question, store opened, signed in (\(times.count) runs)")
  print(
    String(
      format: "  median %.3f ms  best %.3f ms  worst %.3f ms", milliseconds(times[times.count / 2]),
      milliseconds(times[0]), milliseconds(times[times.count - 1])))
}
