import Foundation
import Mesoflow
import MesoflowYAML
import Testing

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
          answers: { age: 40 }
          expect:
            outcome: deferred
            stage: screening
            fired: [under_18]
            asked: [goals]
            rejected: { age: 50 }
      """)
    #expect(!result.passed)
    #expect(result.outcome == nil)
    #expect(result.pausedAt == "goals")
    #expect(
      result.mismatches.map(\.description) == [
        "rejected: expected '50' for age refused, got accepted as 50",
        "outcome: expected deferred, got paused at step goals",
        "stage: expected screening, got consultation",
        "fired: expected under_18, got missing under_18 (fired: none)",
      ])
    // `asked` holds: the question the scenario paused at was asked.
    #expect(result.mismatches[0].location == SourceLocation(file: "s.yaml", line: 10, column: 24))
    #expect(result.mismatches[1].location == SourceLocation(file: "s.yaml", line: 6, column: 16))
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
    let declined = try run(approved.replacingOccurrences(of: "ROLE", with: "physician")
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
    let waited = try run(scenario.replacingOccurrences(of: "ROLE", with: "staff").replacingOccurrences(of: "OVERRIDE", with: ""))
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
    let passing = try run(complete.replacingOccurrences(of: "SESSIONS", with: "2").replacingOccurrences(of: "LIMIT", with: "9"))
    #expect(passing.passed, "\(passing.mismatches) \(passing.diagnostics)")
    let failing = try run(complete.replacingOccurrences(of: "SESSIONS", with: "5").replacingOccurrences(of: "LIMIT", with: "abc"))
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
    let file = file("areas: [face]\nscenarios:\n  - name: empty\n    answers: { age: 34, goals: ~ }\n    expect: { outcome: paused }\n")
    #expect(
      file.diagnostics.map(\.description) == [
        "s.yaml:4:32: error: the answer is empty; write it, or leave the step out (an optional step is then skipped)"
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
    #expect(file("workflow: mesotherapy\nareas: [face]\nscenarios:\n  - name: x\n    expect: { outcome: paused }\n").diagnostics.isEmpty)
  }
}
