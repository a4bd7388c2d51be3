import Mesoflow
import Testing

/// Whole prompts compared with the ones expected, as a state machine's
/// actions are: the step, check or wait and everything staff are shown.
struct PromptEqualityTests {
  static let goals = Step(
    id: "goals", prompt: "What does the patient want to achieve?",
    help: "Skin, hair or body goals in the patient's words; they decide the cocktail (S3, S4).",
    answer: .text(maxLength: 2000))

  @Test func afterTheAgeTheGoalsAreAsked() throws {
    var consultation = try Fixture.start(["eye"])
    let prompt = try consultation.answer("age", .integer(35))
    let expected = Prompt.question(Question(step: Self.goals, stage: "consultation", origin: .workflow))
    #expect(prompt == expected)
    #expect(consultation.prompt == expected)
  }

  @Test func aQuestionDiffersByWhatStaffSee() throws {
    var consultation = try Fixture.start(["eye"])
    try consultation.answer("age", .integer(35))
    guard case .question(let asked) = consultation.prompt else {
      Issue.record("not a question: \(consultation.prompt)")
      return
    }
    var other = asked
    other.step.help = nil
    #expect(asked != other)
    other = asked
    other.step.answer = .text(maxLength: 200)
    #expect(asked != other)
    other = asked
    other.origin = .area("eye")
    #expect(asked != other)
    other = asked
    other.previous = .text("Fresher skin")
    #expect(asked != other)
    other = asked
    other.step.condition = try Expression.parse("age >= 18")
    #expect(asked != other)
    // Where the step is written is not something staff see.
    other = asked
    other.step.location = SourceLocation(file: "elsewhere.yaml", line: 1, column: 1)
    #expect(asked == other)
  }

  @Test func aFiredStopIsTheAlertExpected() throws {
    let clock = ManualClock(Fixture.morning)
    var consultation = try Fixture.start(["face"], clock: clock)
    let script = Script(overrides: ["pregnant_or_breastfeeding": .yesNo(true)])
    while consultation.prompt.checkID == nil, case .question(let question) = consultation.prompt {
      try consultation.answer(question.step.id, script.answer(question, in: consultation))
    }
    let check = try #require(
      consultation.workflow.stages.flatMap(\.checks).first { $0.check.id == "pregnancy_or_breastfeeding" }?.check)
    let expected = Prompt.resolve(CheckAlert(check: check, origin: .workflow, firedAt: Fixture.morning))
    #expect(consultation.prompt == expected)
    #expect(
      consultation.prompt
        != .resolve(CheckAlert(check: check, origin: .workflow, firedAt: Fixture.morning + .minutes(1))))
    var reworded = check
    reworded.reason = "Do not treat."
    #expect(consultation.prompt != .resolve(CheckAlert(check: reworded, origin: .workflow, firedAt: Fixture.morning)))
    try consultation.end(because: check.id)
    #expect(consultation.prompt == .finished(.deferred))
  }

  @Test func theNumbingCreamWaitIsTheNoticeExpected() throws {
    let clock = ManualClock(Fixture.morning)
    var consultation = try Fixture.start(["scalp"], clock: clock)
    let script = Script(overrides: [
      "cream_used": .yesNo(true), "cream_applied": .yesNo(true), "cream_removed": .yesNo(true),
    ])
    while case .question(let question) = consultation.prompt {
      try consultation.answer(question.step.id, script.answer(question, in: consultation))
      clock.advance(by: .minutes(1))
    }
    let appliedAt = try #require(consultation.state.answers["cream_applied"]?.at)
    let expected = Prompt.wait(
      WaitNotice(
        stage: "injection", until: appliedAt + .hours(1),
        reason: "Let the numbing cream work under occlusion for at least 1 hour before the first injection."))
    #expect(consultation.prompt == expected)
    #expect(consultation.prompt != .wait(WaitNotice(stage: "injection", until: appliedAt + .hours(1))))
  }

  @Test func aNativeCheckIsComparedByItsSummaryAndInputs() {
    let fires = Check(
      id: "neck", when: .native("a nodule", reading: ["nodule"]) { _ in true }, outcome: .refer,
      reason: "See a physician.")
    var never = fires
    never.condition = .native("a nodule", reading: ["nodule"]) { _ in false }
    #expect(
      CheckAlert(check: fires, origin: .area("neck"), firedAt: Fixture.morning)
        == CheckAlert(check: never, origin: .area("neck"), firedAt: Fixture.morning))
    var otherInputs = fires
    otherInputs.condition = .native("a nodule", reading: ["goitre"]) { _ in true }
    #expect(
      CheckAlert(check: fires, origin: .area("neck"), firedAt: Fixture.morning)
        != CheckAlert(check: otherInputs, origin: .area("neck"), firedAt: Fixture.morning))
  }
}
