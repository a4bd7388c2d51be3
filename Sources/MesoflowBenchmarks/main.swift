// Benchmarks for loading definitions. Build and run in release:
//
//   swift run -c release mesoflow-bench [--iterations N]
//
// Prints, for the shipped definitions and for a generated 2 MB workflow of
// 2,000 stages, the median and best time per load and the throughput, beside
// a raw libyaml event scan of the same bytes (the floor); then the time of
// `mesoflow validate` as a whole process (start, load, validate, exit), when
// the `mesoflow` binary sits beside this one. Between the two, the engine:
// scripted consultations per second, and the time to resume (replay) a
// consultation of 10,000 events, for the area given with `--area` (else the
// first plugin's). `--engine-only` runs the engine part alone. `--run-only`
// times durable commits, one sign-in (`--sign-in-only` alone) and a run's
// start to its first question.

import Foundation
import Mesoflow
import MesoflowYAML

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

let arguments = CommandLine.arguments
let iterations =
  arguments.firstIndex(of: "--iterations").flatMap { index in
    index + 1 < arguments.count ? Int(arguments[index + 1]) : nil
  } ?? 200

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
for (flag, sources) in [
  ("--profile-shipped", { shipped }),
  ("--profile-large", { [SourceText(name: "generated.yaml", text: generatedWorkflow(stages: 2_000))] }),
] {
  if let index = arguments.firstIndex(of: flag), index + 1 < arguments.count, let count = Int(arguments[index + 1]) {
    let loaded = sources()
    for _ in 0..<count { _ = Catalog(sources: loaded, extraWorkflows: [], limits: .default, concurrently: false) }
    exit(0)
  }
}
let engineArea = arguments.firstIndex(of: "--area").flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
if arguments.contains("--engine-only") {
  engineBenchmarks(catalog: check, iterations: iterations, area: engineArea)
  exit(0)
}
let runBinary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
  "mesoflow"
).path
if arguments.contains("--sign-in-only") {
  signInBenchmark(runs: max(10, iterations / 5))
  exit(0)
}
if arguments.contains("--run-only") {
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
if arguments.contains("--detail") {
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
