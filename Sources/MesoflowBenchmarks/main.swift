// Benchmarks: build and run in release, from the package's root:
//
//   swift build -c release && .build/release/mesoflow-bench [OPTIONS]
//
// `--help` lists the modes; docs/BENCHMARKS.md gives their figures.

import ArgumentParser
import Foundation
import Mesoflow
import MesoflowYAML

/// What to measure. With no mode, everything in turn.
struct BenchOptions: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "mesoflow-bench",
    abstract: "Measure Mesoflow's speed; run a release build from the package's root.",
    discussion: """
      With no mode: loading the shipped definitions and a generated 2 MB
      workflow of 2,000 stages (median and best time per load, throughput,
      and the ratio to a raw libyaml event scan of the same bytes, timed in
      pairs), the engine, durable commits, the time from `mesoflow run` to
      its first question, and `mesoflow --version` and `mesoflow validate` as
      whole processes (the `mesoflow` binary beside this one).
      --engine-only: scripted consultations per second of the shipped
      workflow with --area (else the first plugin), and the time to replay a
      consultation of 10,000 events.
      --run-only: durable commits per answer, one sign-in, and a run's start
      to its first question. --sign-in-only: one sign-in (Argon2id).
      --profile-shipped N, --profile-large N: only load the shipped or the
      generated definitions N times on one thread, for a profiler.
      docs/BENCHMARKS.md has the figures and the commands that made them.
      """)

  @Option(help: "Runs of each measurement (the large workflow, commits and processes take a fraction).")
  var iterations = 200

  @Option(help: "The area of the engine, commit and first-question measurements. Default: the first plugin's.")
  var area: String?

  @Flag(help: "Only the engine: consultations per second and replay.")
  var engineOnly = false

  @Flag(help: "Only durable commits, one sign-in and the time to the first question.")
  var runOnly = false

  @Flag(help: "Only one sign-in.")
  var signInOnly = false

  @Flag(help: "Also time node trees that are kept, and freeing them.")
  var detail = false

  @Option(name: .customLong("profile-shipped"), help: "Only load the shipped definitions this many times.")
  var profileShipped: Int?

  @Option(name: .customLong("profile-large"), help: "Only load the generated 2,000-stage workflow this many times.")
  var profileLarge: Int?

  mutating func validate() throws {
    guard iterations > 0 else { throw ValidationError("--iterations must be at least 1") }
    let modes = [engineOnly, runOnly, signInOnly, profileShipped != nil, profileLarge != nil].filter { $0 }
    guard modes.count <= 1 else {
      throw ValidationError(
        "choose one of --engine-only, --run-only, --sign-in-only, --profile-shipped, --profile-large")
    }
    if let count = profileShipped ?? profileLarge, count < 1 {
      throw ValidationError("a profile runs the load at least once")
    }
  }
}

struct Measurement {
  var median: Duration
  var best: Duration

  static func of(iterations: Int, _ work: () -> Void) -> Measurement {
    let clock = ContinuousClock()
    var samples: [Duration] = []
    samples.reserveCapacity(iterations)
    for _ in 0..<iterations {
      samples.append(clock.measure(work))
    }
    samples.sort()
    return Measurement(median: samples[samples.count / 2], best: samples[0])
  }
}

/// The ratio of `work` to `floor`, timed alternately, as median and best.
func pairedRatio(iterations: Int, _ floor: () -> Void, _ work: () -> Void) -> (median: Double, best: Double) {
  let clock = ContinuousClock()
  var ratios: [Double] = []
  for _ in 0..<iterations {
    let base = milliseconds(clock.measure(floor))
    let measured = milliseconds(clock.measure(work))
    ratios.append(measured / base)
  }
  ratios.sort()
  return (ratios[ratios.count / 2], ratios[0])
}

func milliseconds(_ duration: Duration) -> Double {
  Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) / 1e15
}

func report(_ name: String, _ measurement: Measurement, bytes: Int) {
  let median = milliseconds(measurement.median)
  let throughput = Double(bytes) / 1_048_576 / (median / 1e3)
  print(
    name.padding(toLength: 44, withPad: " ", startingAt: 0)
      + String(format: "median %8.3f ms  best %8.3f ms  %7.1f MB/s", median, milliseconds(measurement.best), throughput)
  )
}

/// A valid workflow of `stages` stages, each with three steps, two checks and
/// a transition, about 1 KB a stage.
func generatedWorkflow(stages: Int) -> String {
  var text = """
    workflow: generated
    title: Generated benchmark workflow
    version: 1
    procedure: s\(stages / 2)
    ingredients:
      - id: base
        name: Base cocktail
    outcomes:
      completed: { title: Completed, message: The consultation finished. }
      deferred: { title: Deferred, message: An absolute contraindication was found. }
      referred: { title: Referred, message: A physician's approval is needed. }
    stages:

    """
  for index in 0..<stages {
    text += """
        - id: s\(index)
          title: Generated stage number \(index) of the benchmark workflow
          duration: 5m..10m
          steps:
            - id: n\(index)
              ask: How many units were measured for the patient at stage \(index)?
              type: integer
              min: 0
              max: 1000
              unit: units
              help: Count every unit once; this help text pads the stage to a realistic size.
            - id: b\(index)
              ask: Does the patient report the condition checked at stage \(index)?
              type: yes-no
            - id: c\(index)
              ask: Which option describes the patient best at stage \(index)?
              type: choice
              options: [low, medium, high, { id: other, label: Something else entirely }]
          checks:
            - id: k\(index)
              when: n\(index) > 900 and b\(index)
              outcome: refer
              reason: A high count with the condition needs a physician's approval before going on.
            - id: w\(index)
              when: c\(index) in ["high", "other"] or n\(index) < 1
              outcome: warn
              reason: Tell the patient about the higher risk and note it in the record.

      """
    text += index == stages - 1 ? "    end: completed\n" : "    next: s\(index + 1)\n"
  }
  return text
}

let options = BenchOptions.parseOrExit()
let iterations = options.iterations

// Shipped definitions: read once, then decoded and validated in process.
let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
var shipped: [SourceText] = []
for folder in ["Workflows", "Plugins"] {
  let url = root.appendingPathComponent(folder)
  let names = ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).filter { $0.hasSuffix(".yaml") }
  for name in names.sorted() {
    if let data = FileManager.default.contents(atPath: url.appendingPathComponent(name).path) {
      shipped.append(SourceText(name: "\(folder)/\(name)", bytes: [UInt8](data)))
    }
  }
}
guard !shipped.isEmpty else {
  print("run from the package root: no Workflows/ or Plugins/ here")
  exit(1)
}
let shippedBytes = shipped.map(\.bytes.count).reduce(0, +)
let check = Catalog(sources: shipped)
guard !check.hasErrors else {
  print("the shipped definitions have errors; run mesoflow validate")
  exit(1)
}
// Only the in-process load, N times, for a profiler.
for (count, sources) in [
  (options.profileShipped, { shipped }),
  (options.profileLarge, { [SourceText(name: "generated.yaml", text: generatedWorkflow(stages: 2_000))] }),
] {
  if let count {
    let loaded = sources()
    for _ in 0..<count { _ = Catalog(sources: loaded, extraWorkflows: [], limits: .default, concurrently: false) }
    exit(0)
  }
}
let engineArea = options.area
if options.engineOnly {
  engineBenchmarks(catalog: check, iterations: iterations, area: engineArea)
  exit(0)
}
let runBinary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
  "mesoflow"
).path
if options.signInOnly {
  signInBenchmark(runs: max(10, iterations / 5))
  exit(0)
}
if options.runOnly {
  commitBenchmarks(catalog: check, consultations: max(5, iterations / 10), area: engineArea)
  signInBenchmark(runs: max(10, iterations / 10))
  firstPromptBenchmark(
    binary: runBinary, runs: max(20, iterations / 5), area: engineArea ?? check.plugins.keys.sorted().first ?? "")
  exit(0)
}

print("shipped definitions: \(shipped.count) files, \(shippedBytes) bytes, \(iterations) iterations")
report(
  "  raw libyaml event scan",
  Measurement.of(iterations: iterations) {
    for source in shipped { _ = YAML.countEvents(source.bytes) }
  }, bytes: shippedBytes)
report(
  "  node trees",
  Measurement.of(iterations: iterations) {
    for source in shipped { _ = try? YAML.load(source) }
  }, bytes: shippedBytes)
report(
  "  load and validate (from bytes)",
  Measurement.of(iterations: iterations) {
    _ = Catalog(sources: shipped)
  }, bytes: shippedBytes)
print("    (target: under 2 ms, on all cores as Catalog reads; the next line on one thread)")
report(
  "  load and validate, one thread",
  Measurement.of(iterations: iterations) {
    _ = Catalog(sources: shipped, extraWorkflows: [], limits: .default, concurrently: false)
  }, bytes: shippedBytes)
report(
  "  load and validate (from files)",
  Measurement.of(iterations: iterations) {
    _ = Catalog.load(paths: ["Workflows", "Plugins"])
  }, bytes: shippedBytes)
let shippedRatio = pairedRatio(
  iterations: iterations, { for source in shipped { _ = YAML.countEvents(source.bytes) } },
  { _ = Catalog(sources: shipped) })
print(
  String(
    format: "  load and validate / raw scan, paired: median %.2fx  best %.2fx", shippedRatio.median, shippedRatio.best))

// A generated 2 MB workflow.
let large = SourceText(name: "generated.yaml", text: generatedWorkflow(stages: 2_000))

let largeCatalog = Catalog(sources: [large])
guard !largeCatalog.hasErrors, largeCatalog.workflows["generated"]?.stages.count == 2_000 else {
  print("the generated workflow does not validate:")
  for diagnostic in largeCatalog.diagnostics.prefix(5) { print(diagnostic.rendered()) }
  exit(1)
}
let largeIterations = max(5, iterations / 10)
print("generated workflow: 2000 stages, \(large.bytes.count) bytes, \(largeIterations) iterations")
let raw = Measurement.of(iterations: largeIterations) { _ = YAML.countEvents(large.bytes) }
report("  raw libyaml event scan", raw, bytes: large.bytes.count)
report(
  "  node tree", Measurement.of(iterations: largeIterations) { _ = try? YAML.load(large) }, bytes: large.bytes.count)
if options.detail {
  var kept: [YAMLDocument] = []
  report(
    "  node tree (not freed)",
    Measurement.of(iterations: largeIterations) {
      if let document = try? YAML.load(large) { kept.append(document) }
    }, bytes: large.bytes.count)
  let clock = ContinuousClock()
  let freeing = clock.measure { kept.removeAll() }
  print("  freeing \(largeIterations) trees: \(milliseconds(freeing) / Double(largeIterations)) ms each")
}
let full = Measurement.of(iterations: largeIterations) { _ = Catalog(sources: [large]) }
report("  load and validate", full, bytes: large.bytes.count)
// The ratio is measured pair by pair (a scan, then a load, in turn), so that
// it holds when the machine's speed drifts during the run.
let ratio = pairedRatio(
  iterations: largeIterations, { _ = YAML.countEvents(large.bytes) }, { _ = Catalog(sources: [large]) })
print(
  String(
    format: "  load and validate / raw scan, paired: median %.2fx  best %.2fx (target: within 3x)", ratio.median,
    ratio.best))

engineBenchmarks(catalog: check, iterations: iterations, area: engineArea)
commitBenchmarks(catalog: check, consultations: max(5, iterations / 10), area: engineArea)
firstPromptBenchmark(
  binary: runBinary, runs: max(20, iterations / 5), area: engineArea ?? check.plugins.keys.sorted().first ?? "")

// `mesoflow validate` as a whole process, started with posix_spawn and
// reaped with waitpid, its output sent to /dev/null.
let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
  "mesoflow")
if FileManager.default.isExecutableFile(atPath: binary.path) {
  let runs = max(20, iterations / 5)
  var failed = false
  func spawn(_ arguments: [String]) -> Bool {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    let argv = ([binary.path] + arguments).map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    var pid: pid_t = 0
    guard posix_spawn(&pid, binary.path, &actions, nil, argv, environ) == 0 else { return false }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0, errno == EINTR {}
    return status == 0
  }
  for (name, arguments) in [("mesoflow --version", ["--version"]), ("mesoflow validate", ["validate"])] {
    let process = Measurement.of(iterations: runs) {
      if !spawn(arguments) { failed = true }
    }
    print(
      "\(name), whole process (\(runs) runs)".padding(toLength: 44, withPad: " ", startingAt: 0)
        + String(format: "median %8.3f ms  best %8.3f ms", milliseconds(process.median), milliseconds(process.best)))
  }
  if failed { print("  some runs failed") }
}
