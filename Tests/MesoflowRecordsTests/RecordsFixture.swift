import Foundation
import Mesoflow
import Testing

/// The consultations the document tests read, built in process: a small
/// workflow and area written here (so that the expected documents change
/// only with this file), and the shipped definitions. A consultation is
/// driven with a manual clock and finishes in the same few milliseconds,
/// whatever the machine.
enum RecordsFixture {
  /// A workflow with one area: a step of each kind a record shows, an
  /// aftercare item with a window and one without, and a course with a
  /// review. Markup, separators and quotes in its texts are on purpose.
  static let workflowText = """
    workflow: clinic
    title: Clinic & "care"
    version: 2
    start: intake
    procedure: treat
    outcomes:
      completed:
        title: Completed
    stages:
      - id: intake
        title: Intake
        duration: 5m
        steps:
          - id: age
            ask: How old is the patient?
            type: integer
            min: 0
            max: 120
          - id: goals
            ask: What are the goals | wishes?
            type: text
        checks:
          - id: older
            when: age > 60
            outcome: warn
            reason: Older skin heals more slowly.
        next: treat
      - id: treat
        title: Treatment
        duration: 10m
        steps:
          - id: product
            ask: Which product?
            type: product
        next: follow_up
      - id: follow_up
        title: Follow-up
        steps:
          - id: next_date
            ask: Date of the next session.
            type: date
            optional: true
        end: completed
    aftercare:
      - id: no_sun
        text: Keep out of the <strong>sun</strong> & wind.
        for: 2w
      - id: gentle
        text: Be gentle; it's "normal" to be red.
    follow-up:
      next-session: next_date
      course:
        sessions: 3
        interval: 2w
      review:
        after: 6w
        reason: Check for late lumps, bumps; and a\\b.
    """

  static let pluginText = """
    plugin: patch
    title: Patch <area>
    workflow: clinic
    version: 1
    procedure:
      duration: 15m
    stages:
      intake:
        steps:
          - id: patch_scar
            ask: Any scar on the patch?
            type: yes-no
    aftercare:
      - id: patch_dry
        text: Keep the patch dry.
        for: 24h
    """

  static let catalog = Catalog(sources: [
    SourceText(name: "clinic.yaml", text: workflowText), SourceText(name: "patch.yaml", text: pluginText),
  ])

  static func merged(_ catalog: Catalog = catalog, workflow: String = "clinic", areas: [String] = ["patch"]) throws
    -> MergedWorkflow
  {
    #expect(catalog.diagnostics.map(\.description) == [])
    return try catalog.merged(workflow: workflow, areas: areas)
  }

  /// The repository: Workflows/ and Plugins/ are read from it.
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  static let shipped = Catalog.load(paths: [
    root.appendingPathComponent("Workflows").path, root.appendingPathComponent("Plugins").path,
  ])

  static let nurse = Clinician(name: "Nurse <Ada>", role: .staff)
  /// 2026-11-21 09:00 UTC.
  static let morning = Timestamp(millisecondsSinceEpoch: 1_795_251_600_000)

  /// The day `days` after ``morning``'s.
  static func day(_ days: Int) throws -> CalendarDate {
    try #require(CalendarDate(daysSinceEpoch: morning.date(utcOffset: 0).daysSinceEpoch + days))
  }

  /// The answers that finish the fixture's consultation, and a product for
  /// the shipped definitions'.
  static func answers() throws -> [String: Answer] {
    [
      "age": .integer(34),
      "goals": .text("Smoother | softer\nskin"),
      "patch_scar": .yesNo(false),
      "product": .product(Product(name: "Serum <b>1</b> & \"2\"", lot: "L-1, 'A'", expiry: try day(365))),
      "next_date": .date(try day(21)),
    ]
  }

  /// A consultation of `merged`, started at ``morning`` for patient `P-17`
  /// and answered from `answers` (30 seconds an answer) until it finishes
  /// or the answers run out, the steps in `skipping` skipped; warnings are
  /// acknowledged and a note is taken on the first step. With
  /// `healthyByDefault`, a step `answers` leaves out is answered as a
  /// healthy adult would (for the shipped definitions). `resolve`, when
  /// given, resolves every check that fires instead, and returns false to
  /// leave the consultation where it is.
  static func consultation(
    _ merged: MergedWorkflow, answers: [String: Answer]? = nil, skipping: Set<String> = [],
    healthyByDefault: Bool = false, note: String? = "Prefers <afternoons> & tea", id: String = "20261121-TEST01",
    timeZone: ClinicTimeZone = .utc, resolve: ((inout Consultation, CheckAlert) throws -> Bool)? = nil
  ) throws -> Consultation {
    let answers = try answers ?? Self.answers()
    let clock = ManualClock(morning)
    var consultation = try Consultation(
      id: id, workflow: merged, staff: nurse, clock: clock, timeZone: timeZone, patient: "P-17")
    if let note { try consultation.note(note, about: "age") }
    for _ in 0..<500 {
      switch consultation.prompt {
      case .question(let question):
        if skipping.contains(question.step.id) {
          try consultation.skip(question.step.id)
          continue
        }
        guard
          let answer = answers[question.step.id]
            ?? (healthyByDefault ? defaultAnswer(question.step, consultation) : nil)
        else {
          return consultation
        }
        clock.advance(by: TimeSpan(seconds: 30))
        try consultation.answer(question.step.id, answer)
      case .resolve(let alert):
        if let resolve {
          guard try resolve(&consultation, alert) else { return consultation }
          continue
        }
        guard alert.check.outcome == .warn || alert.check.outcome == .exclude else { return consultation }
        try consultation.acknowledge(alert.check.id)
      case .wait(let wait):
        clock.set(wait.until)
        try consultation.proceed()
      case .finished:
        return consultation
      }
    }
    Issue.record("the consultation did not finish")
    return consultation
  }

  /// What a healthy adult answers to a step of the shipped definitions;
  /// `nil` where the fixture must say.
  static func defaultAnswer(_ step: Step, _ consultation: Consultation) -> Answer? {
    let now = consultation.clock.now()
    let today = now.date(utcOffset: 0)
    switch step.answer {
    case .yesNo:
      let yes: Set = [
        "photos_taken", "cleansed", "technique_confirmed", "cold_chain_ok", "aftercare_sheet_given",
        "next_session_booked", "review_booked",
      ]
      return .yesNo(yes.contains(step.id))
    case .integer(let bounds):
      let points = 20 * max(1, consultation.state.start.areas.count)
      return .integer(step.countsInjectionPoints ? points : Int(max(bounds.min ?? 0, min(bounds.max ?? 34, 34))))
    case .decimal(let bounds): return .decimal(max(bounds.min ?? 0, min(bounds.max ?? 100, 100)))
    case .text: return .text("none")
    case .choice(let options): return options.first.map { .choice($0.id) }
    case .multipleChoice(let options):
      return .multipleChoice(options.first { $0.id.hasPrefix("no_") }.map { [$0.id] } ?? [])
    case .date: return CalendarDate(daysSinceEpoch: today.daysSinceEpoch + 35).map(Answer.date)
    case .consent: return .consent(Consent(signedBy: "Patient Zoe", signedAt: now))
    case .product: return nil
    case .volume:
      return .volume(consultation.state.start.areas.map { VolumeEntry(area: $0, millilitres: 1, points: 20) })
    }
  }
}
