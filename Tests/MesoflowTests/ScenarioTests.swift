import Foundation
import MesoflowYAML
import Testing

@testable import Mesoflow

/// Scenario files: how they are read, and what running one reports.
@Suite struct ScenarioTests {
  func file(_ text: String) -> ScenarioFile {
    ScenarioFile(source: SourceText(name: "s.yaml", text: text))
  }

  func only(_ text: String) throws -> Scenario {
    let file = file(text)
    #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
    return try #require(file.scenarios.first)
  }

  func run(_ text: String) throws -> ScenarioResult {
    try only(text).run(in: Fixture.shipped)
  }

  /// The answers of a healthy adult face patient up to the end of screening.
  static let screenedFace = """
          age: 34
          goals: Fresher skin
          skin_type: iii
          medications: none
          photos_taken: yes
          price_amount: 250
          price_currency: eur
          face_concerns: [fine_lines]
          face_recent_treatments: none
          pregnant_or_breastfeeding: no
          area_infection_or_wound: no
          active_herpes: no
          herpes_history: no
          bleeding_disorder: no
          ingredient_allergies: [no_known_ingredient_allergy]
          allergy_prone: no
          fish_allergy: no
          chronic_disease_uncontrolled: no
          diabetes: no
          cancer: no
          autoimmune_disease: no
          weakened_immunity: no
          anaesthetic_allergy: no
          g6pd_deficiency: no
          methaemoglobin_drugs: no
          class_iii_antiarrhythmics: no
          consent: Jane Doe
    """

  // MARK: - Reading

  @Test func fileDefaultsApplyToEachScenarioAndScenariosOverrideThem() throws {
    let file = file(
      """
      workflow: mesotherapy
      areas: [face]
      role: nurse
      date: 2026-03-02
      scenarios:
        - name: defaults
          expect: { outcome: paused }
        - name: own
          areas: [eye, face]
          role: physician
          date: 2026-04-01
          expect: { outcome: deferred }
      """)
    #expect(file.diagnostics.isEmpty)
    #expect(file.scenarios.count == 2)
    let first = file.scenarios[0]
    let second = file.scenarios[1]
    #expect(first.workflow == "mesotherapy")
    #expect(first.areas == ["face"])
    #expect(first.role == .staff)
    #expect(first.date == CalendarDate(year: 2026, month: 3, day: 2))
    #expect(first.expect.outcome == .paused)
    #expect(second.areas == ["eye", "face"])
    #expect(second.role == .physician)
    #expect(second.date == CalendarDate(year: 2026, month: 4, day: 1))
    #expect(second.expect.outcome == .ended(.deferred))
    #expect(first.location == SourceLocation(file: "s.yaml", line: 6, column: 5))
  }

  @Test func everyProblemInAFileIsReportedWithItsLocation() {
    let file = file(
      """
      scenarios:
        - name: one
          areas: face
          role: surgeon
          date: 5 March
          expect:
            outcome: finished
            folow-up-sessions: 2
        - answers: { age: 3 }
          expect: {}
      """)
    #expect(file.scenarios.isEmpty)
    #expect(
      file.diagnostics.map(\.description) == [
        "s.yaml:4:11: error: unknown role 'surgeon'; expected staff (or nurse) or physician",
        "s.yaml:5:11: error: '5 March' is not a date; write YYYY-MM-DD",
        "s.yaml:8:7: error: unknown key 'folow-up-sessions' in 'expect' (did you mean 'follow-up-sessions'?)",
        "s.yaml:7:16: error: unknown outcome 'finished'; expected one of: completed, deferred, referred, paused",
        "s.yaml:9:5: error: a scenario is missing required key 'name'",
        "s.yaml:9:5: error: a scenario is missing required key 'areas' (give it here or at the top of the file)",
        "s.yaml:10:13: error: 'expect' says nothing to check; give at least one expectation (outcome, stage, fired, ...)",
      ])
  }

  @Test func aFileWithoutScenariosSaysSo() {
    #expect(file("").diagnostics.map(\.description) == ["s.yaml:1:1: error: a scenario file needs a 'scenarios' list"])
    #expect(
      file("workflow: mesotherapy\n").diagnostics.map(\.description) == [
        "s.yaml:1:1: error: a scenario file is missing required key 'scenarios'"
      ])
    #expect(file("scenarios: [\n").diagnostics.first?.location.line == 2)
  }

  // MARK: - Running

  @Test func aStopEndsTheConsultationAsExpected() throws {
    let result = try run(
      """
      scenarios:
        - name: under 18
          areas: [face]
          answers: { age: 17 }
          expect:
            outcome: deferred
            stage: consultation
            fired: [under_18]
            not-fired: [pregnancy_or_breastfeeding]
            rejected: { age: [150, -1, seventeen] }
      """)
    #expect(result.passed, "\(result.mismatches) \(result.diagnostics)")
    #expect(result.outcome == .deferred)
    #expect(result.stage == "consultation")
  }

  @Test func eachExpectationThatFailsIsReportedWithExpectedAndActual() throws {
    let result = try run(
      """
      scenarios:
        - name: wrong on purpose
          areas: [face]
          answers: { age: 16 }
          expect:
            outcome: completed
            stage: screening
            fired: [pregnancy_or_breastfeeding]
            not-fired: [under_18]
            asked: [age]
            rejected: { age: 50 }
      """)
    #expect(!result.passed)
    #expect(result.outcome == .deferred)
    #expect(result.pausedAt == nil)
    #expect(result.unanswered == nil)
    #expect(
      result.mismatches.map(\.description) == [
        "rejected: expected '50' for age refused, got accepted as 50",
        "outcome: expected completed, got deferred",
        "stage: expected screening, got consultation",
        "fired: expected pregnancy_or_breastfeeding, got missing pregnancy_or_breastfeeding (fired: under_18)",
        "not-fired: expected under_18, got present under_18 (fired: under_18)",
      ])
    // `asked` holds.
    #expect(result.mismatches[0].location == SourceLocation(file: "s.yaml", line: 11, column: 24))
    #expect(result.mismatches[1].location == SourceLocation(file: "s.yaml", line: 6, column: 16))
  }

  @Test func aPauseTheScenarioExpectsIsNoCauseButAPauseElsewhereIs() throws {
    // The scenario means to stop at skin_type: the pause is what it tests,
    // and a check that should have fired before it is reported as such.
    let intended = try run(
      """
      scenarios:
        - name: pauses where it says
          areas: [face]
          answers: { age: 34, goals: Fresher skin }
          expect: { outcome: paused, stage: consultation, fired: [under_18] }
      """)
    #expect(intended.unanswered == nil)
    #expect(intended.mismatches.map(\.description) == ["fired: expected under_18, got missing under_18 (fired: none)"])
    // Here it means to pause in screening, with answers it never reaches:
    // the unanswered skin_type comes first, and nothing that follows from it.
    let elsewhere = try run(
      """
      scenarios:
        - name: pauses too early
          areas: [face]
          answers: { age: 34, goals: Fresher skin, medications: none }
          expect: { outcome: paused, stage: screening, fired: [under_18] }
      """)
    #expect(
      elsewhere.unanswered?.description
        == "paused at step 'skin_type' (What is the patient's skin type (Fitzpatrick)?), which the scenario does not answer; add a line such as `skin_type: i` to its answers"
    )
    #expect(elsewhere.unanswered?.location == SourceLocation(file: "s.yaml", line: 4, column: 5))
    #expect(elsewhere.mismatches.isEmpty, "\(elsewhere.mismatches)")
    #expect(!elsewhere.passed)
  }

  @Test func idsTheConsultationLacksAreErrorsWithASuggestion() throws {
    let result = try run(
      """
      scenarios:
        - name: typos
          areas: [face]
          answers: { agee: 34 }
          expect:
            fired: [under18]
            stage: screeening
      """)
    #expect(!result.passed)
    #expect(
      result.diagnostics.map(\.description) == [
        "s.yaml:4:16: error: no step or check 'agee' in this consultation (did you mean 'age'?)",
        "s.yaml:7:14: error: no stage 'screeening' in this consultation (did you mean 'screening'?)",
        "s.yaml:6:15: error: no check 'under18' in this consultation (did you mean 'under_18'?)",
      ])
  }

  @Test func anUnknownAreaIsReportedAtTheAreas() throws {
    let result = try run("scenarios:\n  - name: x\n    areas: [elbow]\n    expect: { outcome: paused }\n")
    #expect(result.diagnostics.count == 1)
    #expect(result.diagnostics.first?.location == SourceLocation(file: "s.yaml", line: 3, column: 12))
  }

  @Test func aReferralIsApprovedOnlyByAPhysician() throws {
    let approved = """
      scenarios:
        - name: approved
          areas: [face]
          role: ROLE
          answers:
      \(Self.screenedFace)
            anticoagulants: yes
            anticoagulants_refer: { approve: INR checked by the prescriber }
            cleansed: yes
            cream_used: no
          expect:
            fired: [anticoagulants_refer]
            outcome: paused
            stage: injection
      """
    let physician = try run(approved.replacingOccurrences(of: "ROLE", with: "physician"))
    #expect(physician.passed, "\(physician.mismatches)")
    let nurse = try run(approved.replacingOccurrences(of: "ROLE", with: "nurse"))
    #expect(!nurse.passed)
    #expect(nurse.mismatches.first?.key == "answers")
    #expect(nurse.mismatches.first?.actual.hasPrefix("refused: ") == true)
    let declined = try run(
      approved.replacingOccurrences(of: "ROLE", with: "physician")
        .replacingOccurrences(of: "      anticoagulants_refer: { approve: INR checked by the prescriber }\n", with: ""))
    #expect(declined.outcome == .referred)
  }

  @Test func aWaitIsWaitedOutOrEndedEarlyByAPhysician() throws {
    let scenario = """
      scenarios:
        - name: cream
          areas: [face]
          role: ROLE
          answers:
      \(Self.screenedFace)
            anticoagulants: no
            cleansed: yes
            cream_used: yes
            cream_applied: yes
            OVERRIDE
          expect:
            outcome: paused
            stage: injection
            asked: [cream_removed]
      """
    let waited = try run(
      scenario.replacingOccurrences(of: "ROLE", with: "staff").replacingOccurrences(of: "OVERRIDE", with: ""))
    #expect(waited.passed, "\(waited.mismatches)")
    #expect(waited.pausedAt == "cream_removed")
    let overridden = try run(
      scenario.replacingOccurrences(of: "ROLE", with: "physician")
        .replacingOccurrences(of: "OVERRIDE", with: "override-wait: The patient cannot stay"))
    #expect(overridden.passed, "\(overridden.mismatches)")
    let refused = try run(
      scenario.replacingOccurrences(of: "ROLE", with: "staff")
        .replacingOccurrences(of: "OVERRIDE", with: "override-wait: The patient cannot stay"))
    #expect(refused.mismatches.first?.key == "answers")
    #expect(refused.mismatches.first?.actual.hasPrefix("refused: ") == true)
  }

  @Test func limitsAftercareAndFollowUpAreCompared() throws {
    let complete = """
      scenarios:
        - name: complete
          areas: [face]
          answers:
      \(Self.screenedFace)
            anticoagulants: no
            cleansed: yes
            cream_used: no
            product: { name: Dermaheal SR, lot: A123, expiry: 2099-12-31 }
            vial_type: single_dose
            cold_chain_ok: yes
            injection_points: 40
            volume: 2
            technique_confirmed: yes
            prescriber: Dr Ana Silva
            aftercare_sheet_given: yes
            next_session_booked: yes
            next_session_date: 2026-01-19
            review_booked: yes
          expect:
            outcome: completed
            stage: follow_up
            not-asked: [cream_applied]
            aftercare: [no_water_on_area, face_no_makeup]
            follow-up-sessions: SESSIONS
            limit-refused: { volume: LIMIT }
      """
    let passing = try run(
      complete.replacingOccurrences(of: "SESSIONS", with: "2").replacingOccurrences(of: "LIMIT", with: "9"))
    #expect(passing.passed, "\(passing.mismatches) \(passing.diagnostics)")
    let failing = try run(
      complete.replacingOccurrences(of: "SESSIONS", with: "5").replacingOccurrences(of: "LIMIT", with: "abc"))
    #expect(
      failing.mismatches.map(\.description) == [
        "limit-refused: expected 'abc' for volume refused by a limit, got refused: \(failing.mismatches.first?.actual.dropFirst("refused: ".count) ?? "")",
        "follow-up-sessions: expected 5, got 2",
      ])
  }
}

extension ScenarioTests {
  @Test func answersTheConsultationNeverUsesFailTheScenario() throws {
    let result = try run(
      """
      scenarios:
        - name: the age defers before pregnancy is asked
          areas: [face]
          answers:
            age: 17
            pregnant_or_breastfeeding: yes
            override-wait: No time
          expect: { outcome: deferred }
      """)
    #expect(result.outcome == .deferred)
    #expect(
      result.mismatches.map(\.description) == [
        "answers: expected 'pregnant_or_breastfeeding' used, got the step was never asked, so this answer tests nothing",
        "answers: expected 'override-wait' used, got no wait began, so this answer tests nothing",
      ])
    #expect(result.mismatches.first?.location == SourceLocation(file: "s.yaml", line: 6, column: 7))
  }

  @Test func entriesForChecksMustResolveThemTheWayTheirOutcomeAllows() throws {
    let result = try run(
      """
      scenarios:
        - name: wrong resolutions
          areas: [face]
          answers:
            age: 34
            under_18: { approve: Looks older }
            anticoagulants_refer: approve
            dark_skin_pigmentation: maybe
          expect: { outcome: paused }
      """)
    #expect(
      result.diagnostics.map(\.description) == [
        "s.yaml:6:7: error: 'under_18' is a stop, which nobody can pass; remove this entry (the scenario ends the consultation when it fires)",
        "s.yaml:7:29: error: resolve referral 'anticoagulants_refer' with { approve: REASON } (a physician) or { end: NOTE }",
        "s.yaml:8:31: error: a scenario acknowledges 'dark_skin_pigmentation' by itself; write 'acknowledged' or remove this entry",
      ])
  }

  @Test func anEmptyAnswerIsAnErrorNotTheText() {
    let file = file(
      "areas: [face]\nscenarios:\n  - name: empty\n    answers: { age: 34, goals: ~ }\n    expect: { outcome: paused }\n"
    )
    #expect(
      file.diagnostics.map(\.description) == [
        "s.yaml:4:32: error: the answer is empty; write it, or leave the step out (an optional step is then skipped); `~` takes away an answer of the patient a scenario extends, and this one extends none"
      ])
  }
}

extension ScenarioTests {
  @Test func aDefinitionFileIsNotReadAsScenarios() {
    let workflow = file("workflow: demo\ntitle: Demo\nstages: []\n")
    #expect(
      workflow.diagnostics.map(\.description) == [
        "s.yaml:1:1: error: this is a workflow definition, not a scenario file; scenario files live in Workflows/tests and Plugins/tests"
      ])
    #expect(file("plugin: arm\n").diagnostics.count == 1)
    // A scenario file may still name its workflow first.
    #expect(
      file("workflow: mesotherapy\nareas: [face]\nscenarios:\n  - name: x\n    expect: { outcome: paused }\n")
        .diagnostics.isEmpty)
  }
}

/// A scenario that stops at a question it does not answer says so first,
/// with the line to add, and not the expectations that fail because of it.
extension ScenarioTests {
  /// The face plugin's screening with one more question, a yes-no with a
  /// referral, as a clinic lead would add it: it replaces the lines
  /// `  screening:` and `    checks:`.
  static let isotretinoin = """
      screening:
        steps:
          - id: face_isotretinoin
            ask: Has the patient taken isotretinoin in the last 6 months?
            type: yes-no
        checks:
          - id: face_isotretinoin_refer
            when: face_isotretinoin
            outcome: refer
            reason: Isotretinoin in the last 6 months slows healing; a physician must approve.

    """

  /// The shipped definitions, with the face plugin's text edited by `edit`.
  static func shipped(editingFace edit: (String) -> String) throws -> Catalog {
    let root = ShippedDefinitionTests.root
    var sources: [SourceText] = []
    for path in [
      "Workflows/mesotherapy.yaml", "Plugins/body.yaml", "Plugins/eye.yaml", "Plugins/face.yaml", "Plugins/scalp.yaml",
    ] {
      let text = try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
      sources.append(SourceText(name: path, text: path.hasSuffix("face.yaml") ? edit(text) : text))
    }
    let catalog = Catalog(sources: sources)
    #expect(catalog.diagnostics.isEmpty, "\(catalog.diagnostics)")
    return catalog
  }

  static let withIsotretinoin: Catalog? = try? shipped {
    $0.replacingOccurrences(of: "  screening:\n    checks:\n", with: isotretinoin)
  }

  static let completeFace = """
    scenarios:
      - name: complete
        areas: [face]
        answers:
    \(screenedFace)
          anticoagulants: no
          cleansed: yes
          cream_used: no
          product: { name: Dermaheal SR, lot: A123, expiry: 2099-12-31 }
          vial_type: single_dose
          cold_chain_ok: yes
          injection_points: 40
          volume: 2
          technique_confirmed: yes
          prescriber: Dr Ana Silva
          aftercare_sheet_given: yes
          next_session_booked: yes
          next_session_date: 2026-01-19
          review_booked: yes
        expect:
          outcome: completed
          stage: follow_up
          fired: [no_baseline_photos]
          not-fired: [dark_skin_pigmentation]
          asked: [cleansed]
          excluded: [salmon_dna]
          aftercare: [face_no_makeup]
          follow-up-sessions: 2
          rejected: { volume: 50, age: 50 }
          limit-refused: { volume: 9 }
    """

  @Test func aQuestionTheScenarioDoesNotAnswerIsTheFirstCauseAndItsConsequencesAreNotListed() throws {
    let catalog = try #require(Self.withIsotretinoin)
    #expect(catalog.plugins["face"]?.stages.contains { $0.steps.contains { $0.id == "face_isotretinoin" } } == true)
    // Expectations that fail whatever the plugin: photos taken, nothing
    // excluded; and one refusal that is genuinely accepted (an age of 50).
    let scenario = try only(Self.completeFace)
    let shipped = scenario.run(in: Fixture.shipped)
    #expect(shipped.unanswered == nil)
    #expect(
      shipped.mismatches.map(\.description) == [
        "rejected: expected '50' for age refused, got accepted as 50",
        "fired: expected no_baseline_photos, got missing no_baseline_photos (fired: none)",
        "excluded: expected salmon_dna, got missing salmon_dna (got: none)",
      ])

    let result = scenario.run(in: catalog)
    #expect(result.pausedAt == "face_isotretinoin")
    #expect(
      result.unanswered?.description
        == "paused at step 'face_isotretinoin' (Has the patient taken isotretinoin in the last 6 months?), which the scenario does not answer; add a line such as `face_isotretinoin: no` to its answers"
    )
    #expect(result.unanswered?.location == SourceLocation(file: "s.yaml", line: 4, column: 5))
    // What happened before the stop is still wrong and still said; the
    // outcome, stage, steps never asked, checks that never fired, the answers
    // never used and the refusals never tried follow from the stop.
    #expect(result.mismatches.map(\.description) == ["rejected: expected '50' for age refused, got accepted as 50"])
    #expect(!result.passed)

    // With the line added, the scenario fails only as it does without the question.
    let answered = try only(
      Self.completeFace.replacingOccurrences(
        of: "      review_booked: yes\n", with: "      review_booked: yes\n      face_isotretinoin: no\n")
    )
    .run(in: catalog)
    #expect(answered.unanswered == nil)
    #expect(answered.mismatches.map(\.description) == shipped.mismatches.map(\.description))
  }

  @Test func theLineToAddHasAnAnswerOfTheStepsType() throws {
    let day = try #require(CalendarDate(year: 2026, month: 1, day: 5))
    let options = [ChoiceOption(id: "first", label: "First"), ChoiceOption(id: "second", label: "Second")]
    let examples: [(AnswerType, String)] = [
      (.yesNo, "no"),
      (.integer(NumberBounds(min: 18, max: 120)), "18"),
      (.integer(NumberBounds(min: 0.5, max: 3)), "1"),
      (.integer(NumberBounds(max: -5)), "-5"),
      (.decimal(NumberBounds(min: 0.25)), "0.25"),
      (.decimal(NumberBounds()), "0"),
      (.text(maxLength: 10), "none"),
      (.choice(options), "first"),
      (.multipleChoice(options), "[first]"),
      (.date(.any), "2026-01-05"),
      (.date(DateBounds(earliest: .today)), "2026-01-05"),
      (.date(DateBounds(earliest: .day(CalendarDate(year: 2026, month: 3, day: 1)!))), "2026-03-01"),
      (.date(DateBounds(latest: .day(CalendarDate(year: 2025, month: 12, day: 31)!))), "2025-12-31"),
      (.consent(statement: nil), "Jane Doe"),
      (.product, "{ name: PRODUCT, lot: LOT, expiry: 2027-12-31 }"),
      (.volume(max: 0.5), "0.5"),
      (.volume(max: nil), "1"),
    ]
    for (type, example) in examples {
      let step = Step(id: "x", prompt: "X?", answer: type)
      #expect(step.exampleAnswer(on: day) == example, "\(type)")
      // Each example is an answer the step takes.
      #expect(
        (try? step.parseAnswer(
          try AnswerText.text(of: Self.node(example), SourceText(name: "x", text: example)),
          now: Timestamp(day, hour: 9))) != nil, "\(type)")
    }
  }

  static func node(_ text: String) throws -> Node {
    try #require(try YAML.load(SourceText(name: "x", text: text)).root)
  }

  @Test func aScenarioWithNoOutcomeExpectedIsStoppedByAnUnansweredQuestionToo() throws {
    let result = try only(
      """
      scenarios:
        - name: no outcome
          areas: [face]
          answers:
      \(Self.screenedFace)
            anticoagulants: no
          expect: { not-asked: [cream_applied], asked: [cleansed] }
      """
    ).run(in: try #require(Self.withIsotretinoin))
    #expect(result.unanswered?.step == "face_isotretinoin")
    #expect(result.mismatches.isEmpty)
  }
}

/// Patients: named answers that scenarios extend, so that a question added to
/// a definition is answered once, not once per scenario.
extension ScenarioTests {
  /// A complete face patient, as a `patients` entry named `face-adult`.
  static let patients = """
    patients:
      adult:
        answers:
    \(screenedFace.replacingOccurrences(of: "      face_concerns: [fine_lines]\n      face_recent_treatments: none\n", with: ""))
          anticoagulants: no
          cleansed: yes
          cream_used: no
          product: { name: Dermaheal SR, lot: A123, expiry: 2099-12-31 }
          vial_type: single_dose
          cold_chain_ok: yes
          injection_points: 40
          volume: 2
          technique_confirmed: yes
          prescriber: Dr Ana Silva
          aftercare_sheet_given: yes
          next_session_booked: yes
          next_session_date: 2026-01-19
          review_booked: yes
      face-adult:
        extends: adult
        answers:
          face_concerns: [fine_lines]

    """

  func read(_ files: [String: String]) -> (String) -> SourceText? {
    { path in files[path].map { SourceText(name: path, text: $0) } }
  }

  @Test func aScenarioExtendsAPatientAndOverridesAndAddsToItsAnswers() throws {
    let file = file(
      Self.patients + """
        areas: [face]
        scenarios:
          - name: complete
            patient: face-adult
            expect: { outcome: completed, follow-up-sessions: 2 }
          - name: older, on apixaban, referred
            patient: face-adult
            answers:
              age: 67
              anticoagulants: yes
            expect: { outcome: referred, fired: [anticoagulants_refer] }
          - name: approved by a physician
            patient: face-adult
            role: physician
            answers:
              anticoagulants: yes
              anticoagulants_refer: { approve: Reviewed with the prescriber }
            expect: { outcome: completed, fired: [anticoagulants_refer] }
        """)
    #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
    #expect(file.patients.keys.sorted() == ["adult", "face-adult"])
    #expect(file.scenarios.map(\.patient) == ["face-adult", "face-adult", "face-adult"])
    let older = file.scenarios[1]
    #expect(older.answer("age")?.text == "67")
    #expect(older.answer("age")?.patient == nil)
    #expect(older.answer("goals")?.patient == "adult")
    #expect(older.answer("face_concerns")?.patient == "face-adult")
    #expect(older.answers.filter { $0.key == "age" }.count == 1)
    for scenario in file.scenarios {
      let result = scenario.run(in: Fixture.shipped)
      #expect(result.passed, "\(scenario.name): \(result.mismatches) \(result.diagnostics)")
    }
  }

  @Test func aPatientsAnswersNeedNotAllBeUsedButTheScenariosOwnMust() throws {
    let file = file(
      Self.patients + """
        areas: [face]
        scenarios:
          - name: deferred at 17, with answers for a whole course inherited
            patient: face-adult
            answers: { age: 17 }
            expect: { outcome: deferred, fired: [under_18] }
          - name: its own answer after the stop tests nothing
            patient: face-adult
            answers: { age: 17, diabetes: yes }
            expect: { outcome: deferred, fired: [under_18] }
        """)
    #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
    let deferred = file.scenarios[0].run(in: Fixture.shipped)
    #expect(deferred.passed, "\(deferred.mismatches)")
    let strict = file.scenarios[1].run(in: Fixture.shipped)
    #expect(
      strict.mismatches.map(\.description) == [
        "answers: expected 'diabetes' used, got the step was never asked, so this answer tests nothing"
      ])
  }

  @Test func aScenarioTakesAnAnswerAwayWithANullAndStopsThere() throws {
    let file = file(
      Self.patients + """
        areas: [face]
        patient: face-adult
        scenarios:
          - name: allergic to polynucleotides, paused before allergy_prone
            answers:
              ingredient_allergies: [polynucleotides]
              allergy_prone: ~
            expect: { outcome: paused, stage: screening, asked: [allergy_prone], fired: [face_allergy_polynucleotides] }
          - name: recent treatments left out are skipped
            answers:
              face_recent_treatments: ~
            expect: { outcome: completed }
          - name: taking away an answer the consultation never reaches tests nothing
            answers:
              age: 16
              cleansed: ~
            expect: { outcome: deferred }
        """)
    #expect(
      file.diagnostics.map(\.description) == [
        "s.yaml:57:7: error: patient 'face-adult' does not answer 'face_recent_treatments', so there is no answer to take away; remove this line"
      ])
    let fixed = self.file(
      file.sources["s.yaml"].map { String(decoding: $0.bytes, as: UTF8.self) }?
        .replacingOccurrences(
          of: "      face_recent_treatments: ~\n", with: "      face_recent_treatments: Filler in 2025\n") ?? "")
    #expect(fixed.diagnostics.isEmpty, "\(fixed.diagnostics)")
    let paused = fixed.scenarios[0]
    #expect(paused.patient == "face-adult")
    #expect(paused.answer("allergy_prone") == nil)
    #expect(paused.removed.map(\.key) == ["allergy_prone"])
    let result = paused.run(in: Fixture.shipped)
    #expect(result.passed, "\(result.mismatches)")
    #expect(result.pausedAt == "allergy_prone")
    #expect(fixed.scenarios[1].run(in: Fixture.shipped).passed)
    #expect(
      fixed.scenarios[2].run(in: Fixture.shipped).mismatches.map(\.description) == [
        "answers: expected 'cleansed' asked and left unanswered, got the step was never asked, so taking its answer away tests nothing"
      ])
  }

  @Test func aScenarioNamesNoPatientWithANullWhateverTheFilesDefault() throws {
    let file = file(
      """
      patients:
        adult: { answers: { age: 34 } }
      areas: [face]
      patient: adult
      scenarios:
        - name: the file's patient
          expect: { outcome: paused, asked: [goals] }
        - name: its own
          patient: ~
          answers: { age: 17 }
          expect: { outcome: deferred }
        - name: none, so nothing to take away
          patient: ~
          answers: { age: ~ }
          expect: { outcome: paused }
      """)
    #expect(
      file.diagnostics.map(\.description) == [
        "s.yaml:14:21: error: the answer is empty; write it, or leave the step out (an optional step is then skipped); `~` takes away an answer of the patient a scenario extends, and this one extends none"
      ])
    #expect(file.scenarios.map(\.patient) == ["adult", nil])
    #expect(file.scenarios.map { $0.answers.map(\.patient) } == [["adult"], [nil]])
  }

  @Test func aPatientExtendsOthersInOrderAndMayTakeAnswersAway() throws {
    let file = file(
      """
      patients:
        one:
          answers: { age: 30, goals: Fresher skin, skin_type: ii }
        two:
          answers: { age: 40, medications: none }
        both:
          extends: [one, two]
          answers: { skin_type: ~, photos_taken: yes }
      areas: [face]
      scenarios:
        - name: x
          patient: both
          expect: { outcome: paused }
      """)
    #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
    let scenario = try #require(file.scenarios.first)
    #expect(
      scenario.answers.map { "\($0.key)=\($0.text) (\($0.patient ?? "-"))" } == [
        "age=40 (two)", "goals=Fresher skin (one)", "medications=none (two)", "photos_taken=yes (both)",
      ])
    #expect(scenario.run(in: Fixture.shipped).pausedAt == "skin_type")
  }

  @Test func everyProblemWithPatientsIsReportedWhereItIsWritten() {
    let file = file(
      """
      patients:
        base:
          answers: { age: 34, goals: ~ }
        loop-a:
          extends: loop-b
          answers: { age: 40 }
        loop-b:
          extends: loop-a
        lost:
          extends: bsae
          answers: { age: 50 }
        greedy:
          extends: base
          answers: { skin_type: ~ }
        empty: {}
        Bad name!: { answers: { age: 1 } }
      areas: [face]
      scenarios:
        - name: unknown patient
          patient: bas
          expect: { outcome: paused }
        - name: no patient
          answers: { age: ~ }
          expect: { outcome: paused }
      """)
    #expect(
      file.diagnostics.map(\.description) == [
        "s.yaml:3:32: error: the answer is empty; write it, or leave the step out; `~` takes away an answer of a patient this one extends, and it extends none",
        "s.yaml:15:3: error: patient 'empty' gives no answers; give it 'answers', and 'extends' to build on another patient",
        "s.yaml:16:3: error: 'Bad name!' is not a valid patient name; a name starts with a letter and holds only letters, digits, '_' and '-'",
        "s.yaml:8:14: error: patients extend each other in a cycle: loop-a → loop-b → loop-a",
        "s.yaml:10:14: error: no patient 'bsae' (did you mean 'base'?)",
        "s.yaml:14:16: error: patient 'greedy' takes away the answer to 'skin_type', which no patient it extends gives; remove this line",
        "s.yaml:20:14: error: no patient 'bas' (did you mean 'base'?)",
        "s.yaml:23:21: error: the answer is empty; write it, or leave the step out (an optional step is then skipped); `~` takes away an answer of the patient a scenario extends, and this one extends none",
      ])
  }

  @Test func anAnswerOfAPatientTheConsultationLacksIsReportedAtThePatient() throws {
    let file = file(
      """
      patients:
        adult:
          answers: { age: 34, face_concerns: [fine_lines], eye_contact_lenses: no }
      areas: [face]
      scenarios:
        - name: face only
          patient: adult
          expect: { outcome: paused }
      """)
    let result = try #require(file.scenarios.first).run(in: Fixture.shipped)
    #expect(
      result.diagnostics.map(\.description) == [
        "s.yaml:3:54: error: no step or check 'eye_contact_lenses' in this consultation; patient 'adult' gives it, and scenario 'face only' extends that patient"
      ])
  }

  @Test func patientsComeFromIncludedFilesWithTheirProblemsLocatedThere() throws {
    let files = [
      "tests/patients.yaml": "patients:\n  adult:\n    answers: { age: 34, goals: Fresher skin }\n",
      "plugins/face/patients.yaml":
        "include: ../../tests/patients.yaml\npatients:\n  face-adult:\n    extends: adult\n    answers: { skin_type: iii }\n",
    ]
    let file = ScenarioFile(
      source: SourceText(
        name: "tests/screening.yaml",
        text:
          "include: [../plugins/face/patients.yaml, patients.yaml]\nareas: [face]\npatient: face-adult\nscenarios:\n  - name: x\n    expect: { outcome: paused, asked: [medications] }\n"
      ),
      reading: read(files))
    #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
    #expect(
      file.sources.keys.sorted() == ["plugins/face/patients.yaml", "tests/patients.yaml", "tests/screening.yaml"])
    #expect(!file.holdsOnlyPatients)
    let scenario = try #require(file.scenarios.first)
    #expect(scenario.answers.map(\.key) == ["age", "goals", "skin_type"])
    #expect(
      scenario.answer("skin_type")?.keyLocation
        == SourceLocation(file: "plugins/face/patients.yaml", line: 5, column: 16))
    #expect(scenario.run(in: Fixture.shipped).passed)

    // A file of patients alone is no scenario file.
    let alone = ScenarioFile(
      source: SourceText(name: "plugins/face/patients.yaml", text: files["plugins/face/patients.yaml"] ?? ""),
      reading: read(files))
    #expect(alone.holdsOnlyPatients)
    #expect(alone.diagnostics.isEmpty, "\(alone.diagnostics)")
    #expect(alone.scenarios.isEmpty)

    // Problems in an included file are reported in it, at their place.
    let broken = [
      "p.yaml": "include: q.yaml\npatients:\n  adult:\n    extends: nobody\n    answers: { age: 34 }\nscenarios: []\n",
      "q.yaml": "include: p.yaml\npatients:\n  other: { answers: { age: ~ } }\n",
    ]
    let including = ScenarioFile(
      source: SourceText(
        name: "s.yaml",
        text:
          "include: [p.yaml, missing.yaml, s.yaml]\nareas: [face]\nscenarios:\n  - name: x\n    patient: adult\n    expect: { outcome: paused }\n"
      ),
      reading: read(broken))
    #expect(
      including.diagnostics.map(\.description) == [
        "p.yaml:6:1: error: an included file gives only its patients, so 'scenarios' here is not read; keep only 'patients' and 'include' in it",
        "q.yaml:1:10: error: 'p.yaml' includes itself: p.yaml → q.yaml → p.yaml",
        "q.yaml:3:28: error: the answer is empty; write it, or leave the step out; `~` takes away an answer of a patient this one extends, and it extends none",
        "s.yaml:1:19: error: cannot read the included file 'missing.yaml' (looked for missing.yaml)",
        "s.yaml:1:33: error: 's.yaml' includes itself: s.yaml → s.yaml",
        "p.yaml:4:14: error: no patient 'nobody'",
      ])
    // Each quotes the line of its own file.
    #expect(
      including.diagnostics.map(\.sourceLine).prefix(3) == [
        "scenarios: []", "include: p.yaml", "  other: { answers: { age: ~ } }",
      ])
    #expect(including.diagnostics.last?.sourceLine == "    extends: nobody")
  }

  @Test func aFileOfPatientsSaysWhatItDoesNotUse() {
    let file = file("areas: [face]\npatient: adult\npatients:\n  adult: { answers: { age: 34 } }\n")
    #expect(file.holdsOnlyPatients)
    #expect(
      file.diagnostics.map(\.description) == [
        "s.yaml:1:1: error: a file with no 'scenarios' holds patients for others to include, so 'areas' here is not used",
        "s.yaml:2:1: error: a file with no 'scenarios' holds patients for others to include, so 'patient' here is not used",
      ])
  }

  @Test func anUnansweredQuestionOfAScenarioWithAPatientPointsAtThePatient() throws {
    let catalog = try #require(Self.withIsotretinoin)
    let scenario = try only(
      Self.patients + """
        areas: [face]
        scenarios:
          - name: complete
            patient: face-adult
            expect: { outcome: completed }
        """)
    let result = scenario.run(in: catalog)
    #expect(
      result.unanswered?.description
        == "paused at step 'face_isotretinoin' (Has the patient taken isotretinoin in the last 6 months?), which the scenario does not answer; add a line such as `face_isotretinoin: no` to the answers of patient 'face-adult', which it extends, or to its own"
    )
    #expect(result.unanswered?.location == SourceLocation(file: "s.yaml", line: 45, column: 5))
    #expect(result.mismatches.isEmpty)
  }
}
