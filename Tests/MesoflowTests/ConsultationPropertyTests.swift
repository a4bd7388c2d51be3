import Mesoflow
import MesoflowTestSupport
import Testing

/// Random walks through the shipped workflow: random answers (many of them
/// wrong), corrections, decisions on checks by random clinicians, waits cut
/// short. Whatever the inputs, the machine must not crash, must refuse
/// rather than record what is wrong, must never begin the injection stage
/// with a stop or referral unresolved or before screening is complete, and
/// must replay to the same state.
struct ConsultationPropertyTests {
  static let areaSets: [[String]] = [[], ["face"], ["scalp"], ["eye"], ["body"], ["eye", "face"], ["body", "scalp"]]
  static let walks = 240
  static let actionsPerWalk = 160

  @Test(arguments: 0..<4)
  func randomInputsNeverCrashNorSkipScreening(batch: Int) throws {
    var reachedProcedure = 0
    var outcomes = Set<Outcome>()
    for walk in 0..<Self.walks / 4 {
      let seed = UInt64(batch * 10_000 + walk)
      let consultation = try Self.walk(seed: seed)
      if consultation.state.stagePath.contains("injection") { reachedProcedure += 1 }
      if let outcome = consultation.state.outcome { outcomes.insert(outcome) }
    }
    // The walks are worth something only if they get far: some reach the
    // injection stage, and every outcome occurs.
    #expect(reachedProcedure >= 5, "only \(reachedProcedure) walks reached the injection stage")
    #expect(outcomes == Set(Outcome.allCases), "outcomes reached: \(outcomes)")
  }

  @discardableResult
  static func walk(seed: UInt64) throws -> Consultation {
    var random = SeededGenerator(seed: seed)
    let areas = areaSets[Int.random(in: 0..<areaSets.count, using: &random)]
    let merged = try Fixture.merged(areas)
    let clock = ManualClock(Fixture.morning)
    var consultation = try Consultation(id: "walk-\(seed)", workflow: merged, staff: Fixture.nurse, clock: clock)
    let steps = merged.stages.flatMap(\.steps).map(\.step)
    let checks = merged.stages.flatMap(\.checks).map(\.check.id)
    let clinicians = [Fixture.nurse, Fixture.physician, Clinician(name: "", role: .physician)]
    let script = Script()

    for _ in 0..<actionsPerWalk {
      if consultation.state.hasEnded { break }
      let before = consultation.events
      let clinician = clinicians[Int.random(in: 0..<clinicians.count, using: &random)]
      clock.advance(by: TimeSpan(seconds: Int.random(in: 0...900, using: &random)))
      do {
        switch Int.random(in: 0..<100, using: &random) {
        case 0..<45:
          // The current question, answered well most of the time.
          if case .question(let question) = consultation.prompt {
            let answer =
              Bool.random(using: &random)
              ? script.answer(question, in: consultation) : randomAnswer(for: question.step, &random)
            try consultation.answer(question.step.id, answer, by: clinician)
          }
        case 45..<55:
          let step = steps[Int.random(in: 0..<steps.count, using: &random)]
          try consultation.answer(step.id, randomAnswer(for: step, &random), by: clinician)
        case 55..<65:
          let step = steps[Int.random(in: 0..<steps.count, using: &random)]
          try consultation.correct(step.id, randomAnswer(for: step, &random), by: clinician)
        case 65..<75:
          let check = consultation.prompt.checkID ?? checks[Int.random(in: 0..<checks.count, using: &random)]
          try consultation.acknowledge(check, by: clinician)
        case 75..<83:
          let check = consultation.prompt.checkID ?? checks[Int.random(in: 0..<checks.count, using: &random)]
          try consultation.override(check, reason: Bool.random(using: &random) ? "approved" : " ", by: clinician)
        case 83..<86:
          let check = consultation.prompt.checkID ?? checks[Int.random(in: 0..<checks.count, using: &random)]
          try consultation.end(because: check, by: clinician)
        case 86..<93:
          try consultation.proceed(by: clinician)
        case 93..<96:
          try consultation.overrideWait(reason: "approved", by: clinician)
        default:
          if case .question(let question) = consultation.prompt { try consultation.skip(question.step.id) }
        }
      } catch {
        // A refused input records nothing.
        #expect(consultation.events == before, "seed \(seed): a refused input changed the history")
      }
    }

    // Sequence numbers run from 1 without a gap.
    #expect(consultation.events.map(\.sequence) == Array(1...consultation.events.count), "seed \(seed)")
    // Replay gives the same state.
    let replayed = try Consultation(replaying: consultation.events, workflow: merged, clock: clock)
    #expect(replayed.state == consultation.state, "seed \(seed): replay differs")
    // Whenever the injection stage began, screening was complete and nothing
    // that stops or refers was unresolved.
    for (index, event) in consultation.events.enumerated() {
      guard case .stageEntered(merged.workflow.procedureStage) = event.kind else { continue }
      let prefix = try Consultation(replaying: Array(consultation.events[..<index]), workflow: merged, clock: clock)
      #expect(prefix.state.completedStages["screening"] != nil, "seed \(seed): injection before screening")
      let unresolved = prefix.state.checks.values.filter {
        ($0.outcome == .stop || $0.outcome == .refer) && ($0.status == .pending || isEnding($0.status))
      }
      #expect(unresolved.isEmpty, "seed \(seed): injection with \(unresolved.map(\.id)) unresolved")
      let stopsActive = prefix.state.checks.values.filter { $0.outcome == .stop && $0.isActive }
      #expect(stopsActive.isEmpty, "seed \(seed): injection with stop \(stopsActive.map(\.id)) in force")
    }
    return consultation
  }

  static func isEnding(_ status: FiredCheck.Status) -> Bool {
    if case .endedConsultation = status { return true }
    return false
  }

  static func randomAnswer(for step: Step, _ random: inout SeededGenerator) -> Answer {
    let today = Fixture.morning.date(utcOffset: 0)
    let day = { (offset: Int) in CalendarDate(daysSinceEpoch: today.daysSinceEpoch + offset) ?? today }
    switch Int.random(in: 0..<10, using: &random) {
    case 0: return .yesNo(Bool.random(using: &random))
    case 1: return .integer(Int.random(in: -5...400, using: &random))
    case 2: return .text(["", " ", "x", String(repeating: "y", count: 600)][Int.random(in: 0..<4, using: &random)])
    case 3:
      return .multipleChoice(
        ["hyaluronic_acid", "other_ingredient", "nope"].filter { _ in Bool.random(using: &random) })
    case 4: return .choice(["single_dose", "multi_dose", "v", "nope"][Int.random(in: 0..<4, using: &random)])
    case 5: return .date(day(Int.random(in: -400...400, using: &random)))
    case 6:
      return .product(
        Product(
          name: "P", lot: Bool.random(using: &random) ? "L" : "", expiry: day(Int.random(in: -3...3, using: &random))))
    case 7:
      let area = ["face", "eye", "body", "scalp", "hands", nil][Int.random(in: 0..<6, using: &random)]
      return .volume([
        VolumeEntry(
          area: area, millilitres: Double.random(in: -1...12, using: &random),
          points: Int.random(in: 0...60, using: &random))
      ])
    case 8: return .consent(Consent(signedBy: Bool.random(using: &random) ? "Zoe" : "", signedAt: Fixture.morning))
    default: return .decimal(Double.random(in: -10...10_000, using: &random))
    }
  }
}
