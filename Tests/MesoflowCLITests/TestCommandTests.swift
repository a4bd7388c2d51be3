import Foundation
import Testing

/// `mesoflow test`, run as a clinic lead would.
extension CLITests {
  @Test func theShippedScenariosAllPass() throws {
    let result = try run(["test"])
    #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    #expect(result.stderr == "")
    let last = result.stdout.split(separator: "\n").last.map(String.init) ?? ""
    #expect(last.hasSuffix(" passed, 0 failed"), "\(last)")
    let passed = Int(last.split(separator: " ").first ?? "") ?? 0
    #expect(passed >= 50)
    #expect(result.stdout.contains("Workflows/tests/screening.yaml\n"))
    #expect(result.stdout.contains("Plugins/tests/face/"))
  }

  @Test func aFailingScenarioShowsExpectedAgainstActualAndExitsOne() throws {
    let directory = try scratchCopy()
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("minor.yaml")
    try """
    areas: [face]
    scenarios:
      - name: A minor is treated, says this wrong scenario
        answers: { age: 16 }
        expect:
          outcome: completed
          not-fired: [under_18]
      - name: A minor is deferred
        answers: { age: 16 }
        expect:
          outcome: deferred
    """.write(to: file, atomically: true, encoding: .utf8)
    let result = try run(["test", "minor.yaml"], in: directory)
    #expect(result.status == 1)
    #expect(
      result.stdout == """
        minor.yaml
          FAIL  A minor is treated, says this wrong scenario (minor.yaml:3:5)
                minor.yaml:6:16
                - outcome: completed
                + outcome: deferred
                minor.yaml:7:18
                - not-fired: under_18
                + not-fired: present under_18 (fired: under_18)
          ok    A minor is deferred
        1 passed, 1 failed

        """)
  }

  /// The face plugin's screening with one more question, a yes-no with a
  /// referral, in place of the lines `  screening:` and `    checks:`.
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

  @Test func aScenarioStoppedByAQuestionItDoesNotAnswerSaysSoFirstAndNothingThatFollows() throws {
    let directory = try scratchCopy()
    defer { try? FileManager.default.removeItem(at: directory) }
    try replace(
      "  screening:\n    checks:\n", with: Self.isotretinoin, in: directory.appendingPathComponent("Plugins/face.yaml"))
    try """
    areas: [face]
    scenarios:
      - name: A complete face session
        answers:
          age: 34
          goals: Fresher skin
          skin_type: iii
          medications: none
          photos_taken: yes
          price_amount: 250
          price_currency: eur
          face_concerns: [fine_lines]
          pregnant_or_breastfeeding: no
          area_infection_or_wound: no
          active_herpes: no
          herpes_history: no
          bleeding_disorder: no
          anticoagulants: no
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
          not-fired: [face_isotretinoin_refer]
          aftercare: [face_no_makeup]
          follow-up-sessions: 2
          rejected: { age: 50 }
    """.write(to: directory.appendingPathComponent("course.yaml"), atomically: true, encoding: .utf8)
    let result = try run(["test", "course.yaml"], in: directory)
    #expect(result.status == 1)
    // The refusal that did not happen was before the stop, so it is still said.
    #expect(
      result.stdout == """
        course.yaml
          FAIL  A complete face session (course.yaml:3:5)
                course.yaml:4:5
                paused at step 'face_isotretinoin' (Has the patient taken isotretinoin in the last 6 months?), which the scenario does not answer; add a line such as `face_isotretinoin: no` to its answers
                course.yaml:51:24
                - rejected: '50' for age refused
                + rejected: accepted as 50
        Plugins/face.yaml:61:9: warning: refer check 'face_isotretinoin_refer' is never fired by any scenario; add one that fires it
              - id: face_isotretinoin_refer
                ^
        0 passed, 1 failed

        """)
    // The line it suggests is all the scenario lacks.
    try replace(
      "      review_booked: yes\n", with: "      review_booked: yes\n      face_isotretinoin: no\n",
      in: directory.appendingPathComponent("course.yaml"))
    try replace("\n      rejected: { age: 50 }", with: "", in: directory.appendingPathComponent("course.yaml"))
    let fixed = try run(["test", "course.yaml"], in: directory)
    #expect(fixed.status == 0, "\(fixed.stdout)")
    #expect(
      fixed.stdout.hasPrefix(
        "course.yaml\n  ok    A complete face session\nPlugins/face.yaml:61:9: warning: refer check"))
    #expect(fixed.stdout.hasSuffix("\n1 passed, 0 failed\n"))
  }

  @Test func aQuestionAddedToAPluginNeedsOneLineInTheAreasPatient() throws {
    let directory = try scratchCopy()
    defer { try? FileManager.default.removeItem(at: directory) }
    let shipped = try run(["test"], in: directory)
    #expect(shipped.status == 0)
    try replace(
      "  screening:\n    checks:\n", with: Self.isotretinoin, in: directory.appendingPathComponent("Plugins/face.yaml"))
    let stopped = try run(["test"], in: directory)
    #expect(stopped.status == 1)
    // Each failure is its one cause, naming the patient to answer it in.
    let lines = stopped.stdout.split(separator: "\n").map(String.init)
    let failures = lines.filter { $0.hasPrefix("  FAIL  ") }
    #expect(failures.count > 30)
    let causes = lines.filter { $0.hasPrefix("        paused at step 'face_isotretinoin'") }
    #expect(causes.count == failures.count)
    #expect(
      causes.allSatisfy {
        $0.contains("add a line such as `face_isotretinoin: no` to the answers of patient 'adult-face")
      })
    #expect(!stopped.stdout.contains("was never asked"))
    #expect(lines.filter { $0.hasPrefix("        - ") || $0.hasPrefix("        + ") }.isEmpty)
    // The one line, in the face's patient.
    try replace(
      "      face_concerns: [fine_lines]\n", with: "      face_concerns: [fine_lines]\n      face_isotretinoin: no\n",
      in: directory.appendingPathComponent("Plugins/tests/face/patients.yaml"))
    let answered = try run(["test"], in: directory)
    #expect(answered.status == 0, "\(answered.stdout)")
    #expect(answered.stdout.split(separator: "\n").last == shipped.stdout.split(separator: "\n").last)
    // The new referral has no scenario yet, and the command says so.
    #expect(
      answered.stdout.contains(
        "warning: refer check 'face_isotretinoin_refer' is never fired by any scenario; add one that fires it"))
  }

  @Test func aReferralOfANewPluginThatNoScenarioFiresIsAWarningAtTheCheck() throws {
    let directory = try scratchCopy()
    defer { try? FileManager.default.removeItem(at: directory) }
    try """
    plugin: neck
    title: Neck
    workflow: mesotherapy
    version: 1
    procedure: { duration: 10m..15m }
    stages:
      screening:
        steps:
          - id: neck_thyroid_surgery
            ask: Has the patient had thyroid surgery?
            type: yes-no
        checks:
          - id: neck_thyroid_surgery_refer
            when: neck_thyroid_surgery
            outcome: refer
            reason: A physician must approve treatment over a thyroid scar.

    """.write(to: directory.appendingPathComponent("Plugins/neck.yaml"), atomically: true, encoding: .utf8)
    let warning = """
      Plugins/neck.yaml:13:9: warning: refer check 'neck_thyroid_surgery_refer' is never fired by any scenario; add one that fires it
            - id: neck_thyroid_surgery_refer
              ^

      """
    // After the results, before the closing line; the exit code is still 0.
    let all = try run(["test"], in: directory)
    #expect(all.status == 0, "\(all.stdout)")
    #expect(
      all.stdout.hasSuffix(
        "  ok    A complete scalp session is treated, given its aftercare, and the rest of the course is booked\n"
          + warning + "103 passed, 0 failed\n"))
    #expect(all.stdout.components(separatedBy: "warning:").count == 2)
    // Files given: only the areas their scenarios choose are judged.
    let face = try run(["test", "Plugins/tests/face"], in: directory)
    #expect(face.status == 0)
    #expect(!face.stdout.contains("warning:"), "\(face.stdout)")
    // A scenario of the new area that does not fire the referral leaves it unexercised.
    let tests = directory.appendingPathComponent("Plugins/tests/neck")
    try FileManager.default.createDirectory(at: tests, withIntermediateDirectories: true)
    try """
    workflow: mesotherapy
    areas: [neck]
    include: ../../../Workflows/tests/patients.yaml
    patient: adult
    scenarios:
      - name: A patient without thyroid surgery is treated
        answers: { neck_thyroid_surgery: no }
        expect: { outcome: completed, not-fired: [neck_thyroid_surgery_refer] }

    """.write(to: tests.appendingPathComponent("course.yaml"), atomically: true, encoding: .utf8)
    let neck = try run(["test", "Plugins/tests/neck"], in: directory)
    #expect(neck.status == 0, "\(neck.stdout)")
    #expect(
      neck.stdout == "Plugins/tests/neck/course.yaml\n  ok    A patient without thyroid surgery is treated\n" + warning
        + "1 passed, 0 failed\n")
    // One that fires it, and the warning is gone.
    try """
    workflow: mesotherapy
    areas: [neck]
    include: ../../../Workflows/tests/patients.yaml
    patient: adult
    scenarios:
      - name: A patient after thyroid surgery is referred
        answers: { neck_thyroid_surgery: yes }
        expect: { outcome: referred, fired: [neck_thyroid_surgery_refer] }

    """.write(to: tests.appendingPathComponent("checks.yaml"), atomically: true, encoding: .utf8)
    let fired = try run(["test"], in: directory)
    #expect(fired.status == 0, "\(fired.stdout)")
    #expect(!fired.stdout.contains("warning:"), "\(fired.stdout)")
    #expect(fired.stdout.hasSuffix("105 passed, 0 failed\n"))
  }

  @Test func noCheckIsCalledUntestedWhileAScenarioFileCouldNotBeRead() throws {
    let directory = try scratchCopy()
    defer { try? FileManager.default.removeItem(at: directory) }
    try replace(
      "  screening:\n    checks:\n", with: Self.isotretinoin, in: directory.appendingPathComponent("Plugins/face.yaml"))
    let tests = directory.appendingPathComponent("tests")
    try FileManager.default.createDirectory(at: tests, withIntermediateDirectories: true)
    try """
    areas: [face]
    include: ../Plugins/tests/face/patients.yaml
    patient: adult-face
    scenarios:
      - name: treated
        answers: { face_isotretinoin: no }
        expect: { outcome: completed }

    """.write(to: tests.appendingPathComponent("a.yaml"), atomically: true, encoding: .utf8)
    let judged = try run(["test", "tests"], in: directory)
    #expect(judged.status == 0, "\(judged.stdout)")
    #expect(judged.stdout.contains("warning: refer check 'face_isotretinoin_refer' is never fired"))
    // A file that cannot be read may be the one that fires it.
    try FileManager.default.createSymbolicLink(
      atPath: tests.appendingPathComponent("b.yaml").path, withDestinationPath: "nowhere.yaml")
    let unread = try run(["test", "tests"], in: directory)
    #expect(unread.status == 1)
    #expect(unread.stderr.contains("tests/b.yaml:1:1: error: cannot read the scenario file"))
    #expect(!unread.stdout.contains("warning:"), "\(unread.stdout)")
  }

  @Test func patientsInAnIncludedFileAreSharedAndTheirProblemsShownOnceInTheirFile() throws {
    let directory = try scratchCopy()
    defer { try? FileManager.default.removeItem(at: directory) }
    let tests = directory.appendingPathComponent("tests")
    try FileManager.default.createDirectory(
      at: tests.appendingPathComponent("shared"), withIntermediateDirectories: true)
    try "patients:\n  adult:\n    answers: { age: 34, goals: Fresher skin, skin_type: iii, eye_contact_lenses: no }\n"
      .write(to: tests.appendingPathComponent("shared/patients.yaml"), atomically: true, encoding: .utf8)
    for name in ["a", "b"] {
      try """
      include: shared/patients.yaml
      areas: [face]
      patient: adult
      scenarios:
        - name: \(name)
          expect: { outcome: paused, asked: [medications] }

      """.write(to: tests.appendingPathComponent("\(name).yaml"), atomically: true, encoding: .utf8)
    }
    // A patient's answer the consultation lacks is shown at the patient, in its file.
    let result = try run(["test", "tests"], in: directory)
    #expect(result.status == 1)
    #expect(
      result.stdout == """
        tests/a.yaml
          FAIL  a (tests/a.yaml:5:5)
                tests/shared/patients.yaml:3:62: error: no step or check 'eye_contact_lenses' in this consultation; patient 'adult' gives it, and scenario 'a' extends that patient
                    answers: { age: 34, goals: Fresher skin, skin_type: iii, eye_contact_lenses: no }
                                                                             ^
        tests/b.yaml
          FAIL  b (tests/b.yaml:5:5)
                tests/shared/patients.yaml:3:62: error: no step or check 'eye_contact_lenses' in this consultation; patient 'adult' gives it, and scenario 'b' extends that patient
                    answers: { age: 34, goals: Fresher skin, skin_type: iii, eye_contact_lenses: no }
                                                                             ^
        0 passed, 2 failed

        """)
    // Fixed there, both pass, and the file of patients prints nothing of its own.
    try replace(", eye_contact_lenses: no", with: "", in: tests.appendingPathComponent("shared/patients.yaml"))
    let fixed = try run(["test", "tests"], in: directory)
    #expect(fixed.status == 0, "\(fixed.stdout)")
    #expect(fixed.stdout == "tests/a.yaml\n  ok    a\ntests/b.yaml\n  ok    b\n2 passed, 0 failed\n")
    // A problem in the file itself is shown once, where it is first read.
    try replace("skin_type: iii", with: "skin_type: ~", in: tests.appendingPathComponent("shared/patients.yaml"))
    let broken = try run(["test", "tests"], in: directory)
    #expect(broken.status == 1)
    #expect(
      broken.stdout == """
        tests/a.yaml
          FAIL  the file has errors; none of its scenarios ran
                tests/shared/patients.yaml:3:57: error: the answer is empty; write it, or leave the step out; `~` takes away an answer of a patient this one extends, and it extends none
                    answers: { age: 34, goals: Fresher skin, skin_type: ~ }
                                                                        ^
        tests/b.yaml
          FAIL  the file has errors; none of its scenarios ran
                the problems in tests/shared/patients.yaml are shown above
        tests/shared/patients.yaml
          FAIL  the file has errors; it holds patients for other files
                the problems in tests/shared/patients.yaml are shown above
        0 passed, 3 failed

        """)
  }

  @Test func aScenarioFileWithErrorsIsReportedAtTheirLocationAndFails() throws {
    let directory = try scratchCopy()
    defer { try? FileManager.default.removeItem(at: directory) }
    try "areas: [face]\nscenarios:\n  - name: typo\n    answers: { age: 34 }\n    expect: { outcom: completed }\n"
      .write(to: directory.appendingPathComponent("typo.yaml"), atomically: true, encoding: .utf8)
    try
      "areas: [face]\nscenarios:\n  - name: unknown step\n    answers: { agee: 34 }\n    expect: { outcome: paused }\n"
      .write(to: directory.appendingPathComponent("unknown.yaml"), atomically: true, encoding: .utf8)
    let result = try run(["test", "typo.yaml", "unknown.yaml"], in: directory)
    #expect(result.status == 1)
    #expect(result.stderr == "")
    #expect(
      result.stdout.hasPrefix(
        """
        typo.yaml
          FAIL  the file has errors; none of its scenarios ran
                typo.yaml:5:15: error: unknown key 'outcom' in 'expect' (did you mean 'outcome'?)
                    expect: { outcom: completed }
                              ^

        """))
    #expect(
      result.stdout.contains(
        "unknown.yaml:4:16: error: no step or check 'agee' in this consultation (did you mean 'age'?)"))
    #expect(result.stdout.hasSuffix("0 passed, 2 failed\n"))
  }

  @Test func withoutScenarioFilesTheCommandSaysWhereItLooked() throws {
    let directory = try scratchCopy()
    defer { try? FileManager.default.removeItem(at: directory) }
    try FileManager.default.removeItem(at: directory.appendingPathComponent("Workflows/tests"))
    try FileManager.default.removeItem(at: directory.appendingPathComponent("Plugins/tests"))
    let result = try run(["test"], in: directory)
    #expect(result.status == 64)
    #expect(result.stderr.contains("no scenario files (.yaml, .yml) in Workflows/tests or Plugins/tests"))
    let missing = try run(["test", "nosuch.yaml"], in: directory)
    #expect(missing.status == 64)
    #expect(missing.stderr.contains("no scenario file or folder 'nosuch.yaml'"))
  }
}
