// The fuzz target of the answers file (`mesoflow run --answers`): the input
// is read as the CLI reads the file, each answer is read as an answer of
// every type (as if typed at any step), then a consultation of the shipped
// workflow, with the areas whose steps it answers, is driven from it as the
// scripted run does (a physician at the chair, an in-memory clock), its
// record derived and its events replayed. Every diagnostic must lie in the
// file, and the replay must reach the same state.
import Mesoflow
import MesoflowFuzzSupport

enum FuzzAnswers {
  /// The shipped workflow merged with each set of areas, by their ids joined.
  static let mergedByAreas: [String: MergedWorkflow] = {
    var all: [String: MergedWorkflow] = [:]
    let areas = Shipped.areas
    for mask in 0..<(1 << areas.count) {
      let chosen = areas.indices.filter { mask & (1 << $0) != 0 }.map { areas[$0] }
      all[chosen.joined(separator: ",")] = Shipped.merged(chosen)
    }
    return all
  }()

  /// The ids of each shipped area's steps.
  static let stepsByArea: [String: Set<String>] = {
    var steps: [String: Set<String>] = [:]
    for stage in Shipped.mergedWithEveryArea.stages {
      for merged in stage.steps {
        if case .area(let area) = merged.origin { steps[area, default: []].insert(merged.step.id) }
      }
    }
    return steps
  }()

  /// One step of each answer type of the shipped workflow with every area,
  /// each of which reads every answer of the file, whatever step it is for.
  static let oneStepOfEachType: [Step] = {
    var seen = Set<String>()
    let steps = Shipped.mergedWithEveryArea.stages.flatMap(\.steps).map(\.step)
    return steps.filter { seen.insert($0.answer.name).inserted }
  }()

  /// More inputs than any consultation of the shipped workflow takes.
  static let maxInputs = 1000

  static func run(_ bytes: [UInt8]) {
    let source = SourceText(name: "answers.yaml", bytes: bytes)
    let script: AnswerScript
    do throws(DiagnosticList) {
      script = try AnswerScript.read(source)
    } catch {
      for diagnostic in error.diagnostics {
        FuzzInput.require(diagnostic.location.file == source.name, "a diagnostic in another file: \(diagnostic)")
        FuzzInput.requireInside(diagnostic.location, source, "diagnostic '\(diagnostic.message)'")
        _ = diagnostic.rendered(color: true)
      }
      return
    }
    let now = Timestamp(Shipped.today, hour: 9)
    for key in script.order {
      guard let text = script[key]?.text else { continue }
      for step in oneStepOfEachType { _ = try? step.parseAnswer(text, now: now) }
      _ = CheckResolution(text)
    }
    let keys = Set(script.order)
    let areas = Shipped.areas.filter { !(stepsByArea[$0] ?? []).isDisjoint(with: keys) }
    guard let workflow = mergedByAreas[areas.joined(separator: ",")] else {
      FuzzInput.require(false, "no merged workflow for areas \(areas)")
      return
    }
    for diagnostic in script.unknownKeys(in: workflow) {
      FuzzInput.requireInside(diagnostic.location, source, "diagnostic '\(diagnostic.message)'")
      _ = diagnostic.rendered()
    }
    drive(workflow, script)
  }

  /// Answers each question from the script, as the scripted run does, until
  /// the consultation ends, an input is refused or the answers run out.
  static func drive(_ workflow: MergedWorkflow, _ script: AnswerScript) {
    let clock = ManualClock(Timestamp(Shipped.today, hour: 9))
    let physician = Clinician(name: "Dr Fuzz", role: .physician)
    var consultation: Consultation
    do {
      consultation = try Consultation(id: "fuzz", workflow: workflow, staff: physician, clock: clock)
    } catch {
      FuzzInput.require(false, "the shipped workflow does not start: \(error)")
      return
    }
    var inputs = 0
    run: while true {
      inputs += 1
      FuzzInput.require(inputs <= maxInputs, "no end after \(maxInputs) inputs; at \(consultation.prompt)")
      clock.advance(by: TimeSpan(seconds: 30))
      do throws(ConsultationError) {
        switch consultation.prompt {
        case .finished:
          break run
        case .question(let question):
          let step = question.step
          guard let entry = script[step.id] else {
            guard step.isOptional else { break run }
            _ = try consultation.skip(step.id, by: physician)
            continue
          }
          let answer = try step.parseAnswer(entry.text, now: clock.now())
          _ = answer.description
          try consultation.answer(step.id, answer, by: physician)
        case .resolve(let alert):
          let check = alert.check
          let resolution = script[check.id].flatMap { CheckResolution($0.text) }
          switch (check.outcome, resolution) {
          case (.warn, _), (.exclude, _):
            _ = try consultation.acknowledge(check.id, by: physician)
          case (.refer, .approve(let reason)?):
            try consultation.override(check.id, reason: reason, by: physician)
          case (.stop, _), (.refer, _):
            try consultation.end(because: check.id, note: resolution?.note, by: physician)
          }
        case .wait(let notice):
          if let entry = script[AnswerScript.waitOverrideKey] {
            _ = try consultation.overrideWait(reason: entry.text, by: physician)
          } else {
            clock.set(notice.until)
            _ = try consultation.proceed(by: physician)
          }
        }
      } catch {
        _ = error.message
        break run
      }
    }
    let record = consultation.record
    _ = record.description
    _ = record.aftercare
    _ = record.followUp
    _ = record.expectedDuration
    do {
      let replayed = try Consultation(replaying: consultation.events, workflow: workflow, clock: clock)
      FuzzInput.require(
        replayed.prompt.description == consultation.prompt.description,
        "the replay is at \(replayed.prompt), the consultation at \(consultation.prompt)")
    } catch {
      FuzzInput.require(false, "the consultation's own events do not replay: \(error)")
    }
  }
}

#if MESOFLOW_FUZZING
  /// libFuzzer's entry point: one input.
  @_cdecl("LLVMFuzzerTestOneInput")
  func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzAnswers.run(FuzzInput.bytes(data, size))
    return 0
  }

  /// The program's main in the fuzz build: SwiftPM links an executable
  /// target's main under the name `TARGET_main`.
  @_cdecl("FuzzAnswers_main")
  func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv, fuzzerTestOneInput)
  }
#else
  @main
  enum Replay {
    static func main() { FuzzReplay.main("mesoflow-fuzz-answers", FuzzAnswers.run) }
  }
#endif
