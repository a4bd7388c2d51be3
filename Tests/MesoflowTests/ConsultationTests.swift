import Foundation
import Mesoflow
import MesoflowYAML
import Testing

/// The state machine on the shipped workflow: outcomes, contraindications,
/// corrections, waits, limits and replay. No test here touches the disk
/// beyond the fixture's one read of the shipped definitions.
struct ConsultationTests {
  func fired(_ consultation: Consultation) -> [String] {
    consultation.events.compactMap {
      if case .checkFired(let id, _) = $0.kind { return id }
      return nil
    }
  }

  func entered(_ consultation: Consultation) -> [String] {
    consultation.events.compactMap {
      if case .stageEntered(let id) = $0.kind { return id }
      return nil
    }
  }

  // MARK: - Outcomes

  @Test(arguments: [[], ["face"], ["scalp"], ["eye"], ["body"], ["face", "eye"], ["body", "eye", "face", "scalp"]])
  func aHealthyPatientCompletes(areas: [String]) throws {
    let clock = ManualClock(Fixture.morning)
    var consultation = try Fixture.start(areas, clock: clock)
    let outcome = try Script().run(&consultation, clock: clock)
    #expect(outcome == .completed)
    #expect(
      entered(consultation) == ["consultation", "screening", "anaesthetic", "injection", "aftercare", "follow_up"])
    #expect(consultation.state.pending.isEmpty)
  }

  @Test func aStopEndsAsDeferredAndNobodyCanOverrideIt() throws {
    let clock = ManualClock(Fixture.morning)
    var consultation = try Fixture.start(["face"], clock: clock)
    var script = Script(overrides: ["pregnant_or_breastfeeding": .yesNo(true)])
    script.physicianApproves = true
    // Drive up to the stop by hand.
    while consultation.prompt.checkID == nil, case .question(let question) = consultation.prompt {
      try consultation.answer(question.step.id, script.answer(question, in: consultation))
    }
    #expect(consultation.prompt.checkID == "pregnancy_or_breastfeeding")
    let refused = #expect(throws: ConsultationError.self) {
      try consultation.override("pregnancy_or_breastfeeding", reason: "patient insists", by: Fixture.physician)
    }
    #expect(refused?.kind == .notAllowed)
    #expect(throws: ConsultationError.self) { try consultation.acknowledge("pregnancy_or_breastfeeding") }
    let next = #expect(throws: ConsultationError.self) { try consultation.answer("active_herpes", .yesNo(false)) }
    #expect(next?.kind == .notCurrent)
    try consultation.end(because: "pregnancy_or_breastfeeding")
    #expect(consultation.state.outcome == .deferred)
    #expect(consultation.state.endedBy == "pregnancy_or_breastfeeding")
    #expect(!entered(consultation).contains("injection"))
    let after = #expect(throws: ConsultationError.self) { try consultation.answer("active_herpes", .yesNo(false)) }
    #expect(after?.kind == .ended)
  }

  @Test func theNoteWrittenAtAnEndIsInTheRecord() throws {
    let clock = ManualClock(Fixture.morning)
    var consultation = try Fixture.start(["face"], clock: clock)
    let script = Script(overrides: ["anticoagulants": .yesNo(true)])
    while consultation.prompt.checkID == nil, case .question(let question) = consultation.prompt {
      try consultation.answer(question.step.id, script.answer(question, in: consultation))
    }
    try consultation.end(because: "anticoagulants_refer", note: "  Takes apixaban; GP letter requested.  ")
    let record = consultation.record
    #expect(record.endNote?.text == "Takes apixaban; GP letter requested.")
    #expect(record.endNote?.by == consultation.state.start.staff)
    #expect(
      record.description.contains(
        "(check anticoagulants_refer)\nEnding note by \(consultation.state.start.staff): Takes apixaban; GP letter requested.\n"
      ))
    let replayed = try Consultation(replaying: consultation.events, workflow: consultation.workflow, clock: clock)
    #expect(replayed.record.endNote == record.endNote)
  }

  @Test func aReferralEndsAsReferredUnlessAPhysicianOverrides() throws {
    let clock = ManualClock(Fixture.morning)
    var declined = try Fixture.start(["scalp"], clock: clock)
    #expect(
      try Script(overrides: ["anticoagulants": .yesNo(true)], physicianApproves: false).run(&declined, clock: clock)
        == .referred)
    #expect(declined.state.endedBy == "anticoagulants_refer")

    var approved = try Fixture.start(["scalp"], clock: clock)
    #expect(try Script(overrides: ["anticoagulants": .yesNo(true)]).run(&approved, clock: clock) == .completed)
    guard case .overridden(let by, let reason, _)? = approved.state.checks["anticoagulants_refer"]?.status else {
      Issue.record("the override is not recorded")
      return
    }
    #expect(by == Fixture.physician)
    #expect(reason == "Reviewed and approved")
  }

  @Test func onlyAPhysicianMayOverrideAReferralAndOnlyWithAReason() throws {
    var consultation = try Fixture.start(["scalp"])
    let script = Script(overrides: ["anticoagulants": .yesNo(true)])
    while case .question(let question) = consultation.prompt {
      try consultation.answer(question.step.id, script.answer(question, in: consultation))
    }
    #expect(consultation.prompt.checkID == "anticoagulants_refer")
    let byNurse = #expect(throws: ConsultationError.self) {
      try consultation.override("anticoagulants_refer", reason: "fine", by: Fixture.nurse)
    }
    #expect(byNurse?.kind == .notAllowed)
    let blank = #expect(throws: ConsultationError.self) {
      try consultation.override("anticoagulants_refer", reason: "   ", by: Fixture.physician)
    }
    #expect(blank?.kind == .reasonRequired)
    #expect(consultation.prompt.checkID == "anticoagulants_refer")
  }

  @Test func aWarningIsAcknowledgedAndRecorded() throws {
    let clock = ManualClock(Fixture.morning)
    var consultation = try Fixture.start(["face"], clock: clock)
    #expect(try Script(overrides: ["herpes_history": .yesNo(true)]).run(&consultation, clock: clock) == .completed)
    guard case .acknowledged(let by, _)? = consultation.state.checks["herpes_reactivation_risk"]?.status else {
      Issue.record("the acknowledgement is not recorded")
      return
    }
    #expect(by == Fixture.nurse)
  }

  @Test func aFishAllergyExcludesSalmonDNAAndTheConsultationGoesOn() throws {
    let clock = ManualClock(Fixture.morning)
    var consultation = try Fixture.start(["face"], clock: clock)
    #expect(try Script(overrides: ["fish_allergy": .yesNo(true)]).run(&consultation, clock: clock) == .completed)
    #expect(consultation.state.excludedIngredients["salmon_dna"] == "face_salmon_dna_fish_allergy")
    #expect(consultation.record.excludedIngredients.map(\.id).contains("salmon_dna"))
  }

  // MARK: - Every contraindication of DOMAIN.md

  /// (step, answer, the outcome its check must have, areas)
  static let contraindications: [(String, Answer, CheckOutcome, [String])] = [
    ("pregnant_or_breastfeeding", .yesNo(true), .stop, ["face"]),
    ("age", .integer(17), .stop, ["scalp"]),
    ("area_infection_or_wound", .yesNo(true), .stop, ["body"]),
    ("active_herpes", .yesNo(true), .stop, ["eye"]),
    ("bleeding_disorder", .yesNo(true), .stop, ["face"]),
    ("anticoagulants", .yesNo(true), .refer, ["face"]),
    ("ingredient_allergies", .multipleChoice(["other_ingredient"]), .refer, ["scalp"]),
    ("ingredient_allergies", .multipleChoice(["hyaluronic_acid"]), .exclude, ["scalp"]),
    ("fish_allergy", .yesNo(true), .exclude, ["face"]),
    ("chronic_disease_uncontrolled", .yesNo(true), .refer, ["body"]),
    ("diabetes", .yesNo(true), .stop, ["scalp"]),
    ("cancer", .yesNo(true), .stop, ["face"]),
    ("autoimmune_disease", .yesNo(true), .stop, ["body"]),
    ("weakened_immunity", .yesNo(true), .stop, ["eye"]),
  ]

  @Test(arguments: Self.contraindications.indices)
  func eachContraindicationStopsOrRefersAsTheDomainSays(index: Int) throws {
    let (step, answer, outcome, areas) = Self.contraindications[index]
    let clock = ManualClock(Fixture.morning)
    var consultation = try Fixture.start(areas, clock: clock)
    let script = Script(overrides: [step: answer], physicianApproves: false)
    let result = try script.run(&consultation, clock: clock)
    let firedOutcomes = consultation.events.compactMap { event -> CheckOutcome? in
      if case .checkFired(_, let outcome) = event.kind { return outcome }
      return nil
    }
    #expect(firedOutcomes.contains(outcome), "\(step): no \(outcome) check fired")
    switch outcome {
    case .stop:
      #expect(result == .deferred)
      #expect(!entered(consultation).contains("injection"))
    case .refer:
      #expect(result == .referred)
      #expect(!entered(consultation).contains("injection"))
    case .exclude:
      #expect(result == .completed)
      #expect(!consultation.state.excludedIngredients.isEmpty)
    case .warn:
      #expect(result == .completed)
    }
  }

  // MARK: - Answers

  @Test func answersAreCheckedAndARefusedAnswerRecordsNothing() throws {
    var consultation = try Fixture.start(["eye"])
    #expect(consultation.prompt.stepID == "age")
    let before = consultation.events
    let wrong = #expect(throws: ConsultationError.self) { try consultation.answer("age", .text("forty")) }
    #expect(wrong?.kind == .wrongType)
    #expect(wrong?.message == "expected a whole number, not text")
    let range = #expect(throws: ConsultationError.self) { try consultation.answer("age", .integer(300)) }
    #expect(range?.kind == .outOfRange)
    let notCurrent = #expect(throws: ConsultationError.self) { try consultation.answer("diabetes", .yesNo(false)) }
    #expect(notCurrent?.kind == .notCurrent)
    let unknown = #expect(throws: ConsultationError.self) { try consultation.answer("diabetis", .yesNo(false)) }
    #expect(unknown?.kind == .unknown)
    #expect(unknown?.message.contains("did you mean 'diabetes'") == true)
    #expect(consultation.events == before)
  }

  @Test func anExpiredProductIsRefused() throws {
    var consultation = try Fixture.start(["face"])
    let script = Script()
    while case .question(let question) = consultation.prompt, question.step.id != "product" {
      try consultation.answer(question.step.id, script.answer(question, in: consultation))
      if case .wait(let wait) = consultation.prompt { _ = wait }
    }
    #expect(consultation.prompt.stepID == "product")
    let expired = Product(name: "Cocktail", lot: "L-9", expiry: CalendarDate(uncheckedISO: "2026-11-20"))
    let error = #expect(throws: ConsultationError.self) { try consultation.answer("product", .product(expired)) }
    #expect(error?.kind == .invalidAnswer)
    #expect(error?.message == "Cocktail lot L-9 expired on 2026-11-20; an expired product must not be used")
    let today = Product(name: "Cocktail", lot: "L-9", expiry: CalendarDate(uncheckedISO: "2026-11-21"))
    try consultation.answer("product", .product(today))
  }

  @Test func anAreaLimitIsEnforcedWithTheLimitAndTheRunningTotal() throws {
    var consultation = try Fixture.start(["eye", "face"])
    let script = Script()
    while case .question(let question) = consultation.prompt, question.step.id != "volume" {
      try consultation.answer(question.step.id, script.answer(question, in: consultation))
    }
    let tooMuch = #expect(throws: ConsultationError.self) {
      try consultation.answer(
        "volume", .volume([VolumeEntry(area: "eye", millilitres: 2.5), VolumeEntry(area: "face", millilitres: 1)]))
    }
    #expect(tooMuch?.kind == .limitExceeded)
    #expect(
      tooMuch?.message
        == "eye: 2.5 ml more would make 2.5 ml, over the limit of 2 ml per session (0 ml recorded so far)")
    let unnamed = #expect(throws: ConsultationError.self) {
      try consultation.answer("volume", .volume([VolumeEntry(millilitres: 1)]))
    }
    #expect(unnamed?.message == "say which area each volume is for: eye, face")
    let perPoint = #expect(throws: ConsultationError.self) {
      try consultation.answer("volume", .volume([VolumeEntry(area: "eye", millilitres: 1, points: 10)]))
    }
    #expect(perPoint?.kind == .limitExceeded)
    try consultation.answer("volume", .volume([VolumeEntry(area: "eye", millilitres: 1.5, points: 30)]))
    // A correction replaces the earlier volume instead of adding to it.
    try consultation.correct("volume", .volume([VolumeEntry(area: "eye", millilitres: 2, points: 40)]))
    #expect(consultation.record.volumes["eye"] == 2)
  }

  @Test func thePointsQuestionIsHeldAgainstTheAreasMostPoints() throws {
    var body = try Fixture.start(["body"])
    let script = Script(overrides: ["body_weight_stable": .yesNo(true)])
    while case .question(let question) = body.prompt, question.step.id != "injection_points" {
      try body.answer(question.step.id, script.answer(question, in: body))
    }
    let tooMany = #expect(throws: ConsultationError.self) { try body.answer("injection_points", .integer(60)) }
    #expect(tooMany?.kind == .limitExceeded)
    #expect(tooMany?.message == "body: 60 points is over the limit of 50 points per session")
    // The step's own input guard still refuses what no area would accept.
    let typo = #expect(throws: ConsultationError.self) { try body.answer("injection_points", .integer(-1)) }
    #expect(typo?.kind == .outOfRange)
    try body.answer("injection_points", .integer(50))

    var two = try Fixture.start(["body", "eye"])
    while case .question(let question) = two.prompt, question.step.id != "injection_points" {
      try two.answer(question.step.id, script.answer(question, in: two))
    }
    let together = #expect(throws: ConsultationError.self) { try two.answer("injection_points", .integer(91)) }
    #expect(
      together?.message
        == "91 points is over the limit of these areas together, 90 points per session (body 50, eye 40)")
    try two.answer("injection_points", .integer(90))
  }

  @Test func aVolumeOverTheAreasLimitNamesTheLimitNotTheInputGuard() throws {
    var consultation = try Fixture.start(["body"])
    let script = Script(overrides: ["body_weight_stable": .yesNo(true)])
    while case .question(let question) = consultation.prompt, question.step.id != "volume" {
      let answer = question.step.id == "injection_points" ? .integer(40) : script.answer(question, in: consultation)
      try consultation.answer(question.step.id, answer)
    }
    let over = #expect(throws: ConsultationError.self) {
      try consultation.answer("volume", .volume([VolumeEntry(area: "body", millilitres: 11)]))
    }
    #expect(over?.kind == .limitExceeded)
    #expect(
      over?.message == "body: 11 ml more would make 11 ml, over the limit of 10 ml per session (0 ml recorded so far)")
    // A volume without points of its own is spread over the points counted.
    let perPoint = #expect(throws: ConsultationError.self) {
      try consultation.answer("volume", .volume([VolumeEntry(area: "body", millilitres: 9)]))
    }
    #expect(perPoint?.kind == .limitExceeded)
    #expect(
      perPoint?.message
        == "body: 9 ml over the 40 points of 'injection_points' is 0.225 ml per point, more than the limit of 0.2 ml per point"
    )
    try consultation.answer("volume", .volume([VolumeEntry(area: "body", millilitres: 8)]))
    // Correcting the points afterwards is held against the volume recorded.
    let fewer = #expect(throws: ConsultationError.self) { try consultation.correct("injection_points", .integer(20)) }
    #expect(fewer?.kind == .limitExceeded)
    #expect(
      fewer?.message
        == "body: 8 ml over the 20 points of 'injection_points' is 0.4 ml per point, more than the limit of 0.2 ml per point"
    )
    try consultation.correct("injection_points", .integer(45))
  }

  /// A consultation of `areas` with the points counted as `points`, at the volume question.
  func atTheVolume(_ areas: [String], points: Int) throws -> Consultation {
    var consultation = try Fixture.start(areas)
    let script = Script(overrides: ["injection_points": .integer(points)])
    while case .question(let question) = consultation.prompt, question.step.id != "volume" {
      try consultation.answer(question.step.id, script.answer(question, in: consultation))
    }
    #expect(consultation.prompt.stepID == "volume")
    return consultation
  }

  @Test func theLimitPerPointCannotBeGotRoundInAnyOrder() throws {
    // With several areas the points counted cannot be shared out: each volume gives its own.
    var two = try atTheVolume(["eye", "face"], points: 1)
    let unshared = #expect(throws: ConsultationError.self) {
      try two.answer(
        "volume", .volume([VolumeEntry(area: "eye", millilitres: 2), VolumeEntry(area: "face", millilitres: 5)]))
    }
    #expect(unshared?.kind == .limitExceeded)
    #expect(
      unshared?.message
        == "with several areas, give each volume its points (as eye 2 ml over 40 points), so that each area's limit per point can be held"
    )
    // No points counted leaves nothing to spread a volume over.
    var none = try atTheVolume(["eye"], points: 0)
    let zero = #expect(throws: ConsultationError.self) {
      try none.answer("volume", .volume([VolumeEntry(millilitres: 2)]))
    }
    #expect(
      zero?.message
        == "eye: 2 ml has no points of its own, and 'injection_points' counts 0 points, so it cannot be held to the limit of 0.05 ml per point; give its points or correct the count"
    )
    // Correcting the count below the points the volumes give is refused.
    var eye = try atTheVolume(["eye"], points: 40)
    try eye.answer("volume", .volume([VolumeEntry(millilitres: 1.9, points: 38), VolumeEntry(millilitres: 0.1)]))
    let fewer = #expect(throws: ConsultationError.self) { try eye.correct("injection_points", .integer(2)) }
    #expect(
      fewer?.message == "the volumes give 38 points, more than the 2 of 'injection_points'; correct one of the two")
    let allGiven = #expect(throws: ConsultationError.self) { try eye.correct("injection_points", .integer(38)) }
    #expect(
      allGiven?.message.hasPrefix(
        "eye: 0.1 ml has no points of its own, and 'injection_points' counts 38 points, all given by the other volumes")
        == true)
    try eye.correct("injection_points", .integer(40))
    // The same rule whichever comes last: the volume answered after the count.
    var after = try atTheVolume(["eye"], points: 2)
    let spread = #expect(throws: ConsultationError.self) {
      try after.answer("volume", .volume([VolumeEntry(millilitres: 1.9, points: 38), VolumeEntry(millilitres: 0.1)]))
    }
    #expect(
      spread?.message == "the volumes give 38 points, more than the 2 of 'injection_points'; correct one of the two")
  }

  @Test func pointsTypedInAnySizeAreRefusedNotACrash() throws {
    var consultation = try atTheVolume(["eye"], points: 40)
    let huge = VolumeEntry(millilitres: 0.01, points: .max)
    let refused = #expect(throws: ConsultationError.self) { try consultation.answer("volume", .volume([huge, huge])) }
    #expect(refused?.kind == .limitExceeded)
    let typed = try #require(
      consultation.prompt.stepID.flatMap { id in
        consultation.workflow.stages.flatMap(\.steps).first { $0.step.id == id }?.step
      })
    #expect(throws: ConsultationError.self) {
      try consultation.answer(
        "volume",
        typed.parseAnswer(
          "eye 0.01 ml over 9223372036854775807 points, eye 0.01 ml over 9223372036854775807 points",
          now: Fixture.morning))
    }
  }

  /// Found by the fuzz target of answers files (Tests/Fuzz): a choice typed
  /// as the smallest Int overflowed when 1 was taken from it, and the run
  /// crashed, at the terminal as from a file.
  @Test func aChoiceTypedAsAnyNumberIsRefusedNotACrash() throws {
    let merged = try Fixture.merged(["face"])
    let steps = merged.stages.flatMap(\.steps).map(\.step)
    let choice = try #require(steps.first { $0.id == "skin_type" })
    let multiple = try #require(steps.first { $0.id == "face_concerns" })
    for typed in ["-9223372036854775808", "9223372036854775807", "0", "-1", "99999999999999999999"] {
      #expect(throws: ConsultationError.self) { try choice.parseAnswer(typed, now: Fixture.morning) }
      #expect(throws: ConsultationError.self) { try multiple.parseAnswer("1, " + typed, now: Fixture.morning) }
    }
    #expect(try choice.parseAnswer("1", now: Fixture.morning) == .choice("i"))
  }

  @Test func aReferralCannotEndAConsultationWhileAStopOnTheSameAnswerIsPending() throws {
    // A plugin whose referral reads the same answer as the workflow's pregnancy stop.
    let workflow = try #require(Fixture.shipped.sources.values.first { $0.name.hasSuffix("mesotherapy.yaml") })
    let plugin = SourceText(
      name: "doubled.yaml",
      text: """
        plugin: doubled
        title: Doubled
        workflow: mesotherapy
        version: 1
        procedure: { duration: 10m }
        stages:
          screening:
            checks:
              - id: doubled_pregnancy_refer
                when: pregnant_or_breastfeeding
                outcome: refer
                reason: Ask a physician.
        """)
    let catalog = Catalog(sources: [workflow, plugin])
    #expect(catalog.diagnostics.map(\.description) == [])
    let merged = try catalog.merged(workflow: "mesotherapy", areas: ["doubled"])
    let clock = ManualClock(Fixture.morning)
    var consultation = try Consultation(id: "C-1", workflow: merged, staff: Fixture.nurse, clock: clock)
    let script = Script(overrides: ["pregnant_or_breastfeeding": .yesNo(true)])
    while case .question(let question) = consultation.prompt {
      try consultation.answer(question.step.id, script.answer(question, in: consultation))
    }
    #expect(consultation.state.pending.sorted() == ["doubled_pregnancy_refer", "pregnancy_or_breastfeeding"])
    #expect(consultation.prompt.checkID == "pregnancy_or_breastfeeding", "the stop is shown first")
    let refused = #expect(throws: ConsultationError.self) { try consultation.end(because: "doubled_pregnancy_refer") }
    #expect(refused?.kind == .notAllowed)
    #expect(refused?.message.hasPrefix("stop 'pregnancy_or_breastfeeding' is also waiting") == true)
    #expect(consultation.state.outcome == nil)
    try consultation.end(because: "pregnancy_or_breastfeeding")
    #expect(consultation.state.outcome == .deferred)
  }

  // MARK: - Corrections

  @Test func aCorrectionClearsAStopThatCameFromAWrongAnswer() throws {
    var consultation = try Fixture.start(["face"])
    let script = Script(overrides: ["pregnant_or_breastfeeding": .yesNo(true)])
    while case .question(let question) = consultation.prompt {
      try consultation.answer(question.step.id, script.answer(question, in: consultation))
    }
    #expect(consultation.prompt.checkID == "pregnancy_or_breastfeeding")
    try consultation.correct("pregnant_or_breastfeeding", .yesNo(false))
    #expect(consultation.prompt.stepID == "area_infection_or_wound")
    #expect(consultation.state.checks["pregnancy_or_breastfeeding"]?.isActive == false)
    // Nothing is deleted: the first answer and the stop are still in the history.
    #expect(fired(consultation).contains("pregnancy_or_breastfeeding"))
    #expect(
      consultation.events.contains { $0.kind == .answered(step: "pregnant_or_breastfeeding", answer: .yesNo(true)) })
  }

  @Test func aCorrectionFiresTheChecksThatReadTheStep() throws {
    let clock = ManualClock(Fixture.morning)
    var consultation = try Fixture.start(["scalp"], clock: clock)
    let script = Script()
    while case .question(let question) = consultation.prompt, question.step.id != "cleansed" {
      try consultation.answer(question.step.id, script.answer(question, in: consultation))
    }
    try consultation.correct("diabetes", .yesNo(true))
    #expect(consultation.prompt.checkID == "diabetes_stop")
    let refused = #expect(throws: ConsultationError.self) { try consultation.answer("cleansed", .yesNo(true)) }
    #expect(refused?.kind == .notCurrent)
  }

  @Test func aCorrectionSetsAsideAnswersWhoseConditionNoLongerHolds() throws {
    var consultation = try Fixture.start(["scalp"])
    let script = Script(overrides: ["herpes_history": .yesNo(true)])
    while case .question(let question) = consultation.prompt, question.step.id != "bleeding_disorder" {
      try consultation.answer(question.step.id, script.answer(question, in: consultation))
      if let check = consultation.prompt.checkID { try consultation.acknowledge(check) }
    }
    #expect(consultation.state.answers["herpes_prevention"] != nil)
    try consultation.correct("herpes_history", .yesNo(false))
    #expect(consultation.state.answers["herpes_prevention"] == nil)
    #expect(consultation.events.contains { $0.kind == .setAside(step: "herpes_prevention") })
    #expect(consultation.state.checks["herpes_reactivation_risk"]?.isActive == false)
    #expect(consultation.prompt.stepID == "bleeding_disorder")
    // Corrected back, the step is asked again, with what it said before.
    try consultation.correct("herpes_history", .yesNo(true))
    if let check = consultation.prompt.checkID { try consultation.acknowledge(check) }
    guard case .question(let again) = consultation.prompt else {
      Issue.record("not asked again: \(consultation.prompt)")
      return
    }
    #expect(again.step.id == "herpes_prevention")
    #expect(again.previous == .text("recorded"))
    try consultation.answer("herpes_prevention", .text("Valaciclovir prescribed"))
    #expect(consultation.state.setAside["herpes_prevention"] == nil)
    #expect(consultation.prompt.stepID == "bleeding_disorder")
    if case .question(let next) = consultation.prompt { #expect(next.previous == nil) }
  }

  @Test func anUnansweredStepCannotBeCorrected() throws {
    var consultation = try Fixture.start([])
    let error = #expect(throws: ConsultationError.self) { try consultation.correct("diabetes", .yesNo(true)) }
    #expect(error?.kind == .notAnswered)
  }

  // MARK: - Waits

  @Test func theNumbingCreamWaitHoldsTheInjectionUntilItHasRun() throws {
    let clock = ManualClock(Fixture.morning)
    var consultation = try Fixture.start(["scalp"], clock: clock)
    let script = Script(overrides: [
      "cream_used": .yesNo(true), "cream_applied": .yesNo(true), "cream_removed": .yesNo(true),
    ])
    while case .question(let question) = consultation.prompt {
      try consultation.answer(question.step.id, script.answer(question, in: consultation))
      clock.advance(by: .minutes(1))
    }
    guard case .wait(let wait) = consultation.prompt else {
      Issue.record("no wait before the injection: \(consultation.prompt)")
      return
    }
    #expect(wait.stage == "injection")
    let appliedAt = try #require(consultation.state.answers["cream_applied"]?.at)
    #expect(wait.until == appliedAt + .hours(1))
    clock.advance(by: .minutes(10))
    let early = #expect(throws: ConsultationError.self) { try consultation.proceed() }
    #expect(early?.kind == .waitNotOver)
    let byNurse = #expect(throws: ConsultationError.self) {
      try consultation.overrideWait(reason: "busy", by: Fixture.nurse)
    }
    #expect(byNurse?.kind == .notAllowed)
    clock.set(wait.until)
    try consultation.proceed()
    #expect(consultation.state.stage == "injection")
    #expect(consultation.prompt.stepID == "cream_removed")
  }

  @Test func aPhysicianMayOverrideAWaitAndTheTimesAreRecorded() throws {
    let clock = ManualClock(Fixture.morning)
    var consultation = try Fixture.start(["face"], clock: clock)
    let script = Script(overrides: ["cream_used": .yesNo(true), "cream_applied": .yesNo(true)])
    while case .question(let question) = consultation.prompt {
      try consultation.answer(question.step.id, script.answer(question, in: consultation))
      if let check = consultation.prompt.checkID { try consultation.acknowledge(check) }
    }
    clock.advance(by: .minutes(20))
    try consultation.overrideWait(reason: "Cream applied at home an hour ago", by: Fixture.physician)
    let override = try #require(
      consultation.events.first { if case .waitOverridden = $0.kind { return true } else { return false } })
    #expect(override.actor == Fixture.physician)
    #expect(override.time == clock.now())
    #expect(consultation.state.stage == "injection")
  }

  // MARK: - Replay

  @Test(arguments: [[], ["face", "eye"], ["body"]])
  func replayingTheEventsGivesTheSameState(areas: [String]) throws {
    let clock = ManualClock(Fixture.morning)
    var consultation = try Fixture.start(areas, clock: clock)
    try Script(overrides: [
      "herpes_history": .yesNo(true), "anticoagulants": .yesNo(true), "fish_allergy": .yesNo(true),
    ])
    .run(&consultation, clock: clock)
    let replayed = try Consultation(replaying: consultation.events, workflow: Fixture.merged(areas), clock: clock)
    #expect(replayed.state == consultation.state)
    #expect(replayed.events == consultation.events)
  }

  @Test func replayRefusesOtherDefinitionsAndBrokenHistories() throws {
    let clock = ManualClock(Fixture.morning)
    var consultation = try Fixture.start(["face"], clock: clock)
    try Script().run(&consultation, clock: clock)
    let other = #expect(throws: ConsultationError.self) {
      try Consultation(replaying: consultation.events, workflow: Fixture.merged(["eye"]), clock: clock)
    }
    #expect(other?.kind == .invalidHistory)
    var gap = consultation.events
    gap.remove(at: 3)
    #expect(throws: ConsultationError.self) {
      try Consultation(replaying: gap, workflow: Fixture.merged(["face"]), clock: clock)
    }
    #expect(throws: ConsultationError.self) {
      try Consultation(replaying: [], workflow: Fixture.merged(["face"]), clock: clock)
    }
  }

  @Test func eventsSurviveAJSONRoundTrip() throws {
    let clock = ManualClock(Fixture.morning)
    var consultation = try Fixture.start(["face"], clock: clock)
    try Script(overrides: ["anticoagulants": .yesNo(true)]).run(&consultation, clock: clock)
    let data = try JSONEncoder().encode(consultation.events)
    let decoded = try JSONDecoder().decode([ConsultationEvent].self, from: data)
    #expect(decoded == consultation.events)
  }
}
