import Mesoflow

/// Shared fixtures for the engine tests. The shipped definitions are read once
/// from disk here; the engine itself is then driven in memory, with a manual
/// clock, and does no I/O.
enum Fixture {
  static let shipped: Catalog = ShippedDefinitionTests.shipped()

  static let nurse = Clinician(name: "Nurse Ada", role: .staff)
  static let physician = Clinician(name: "Dr Grace Lane", role: .physician)
  /// 2026-11-21 09:00 UTC.
  static let morning = Timestamp(CalendarDate(uncheckedISO: "2026-11-21"), hour: 9)

  static func merged(_ areas: [String]) throws -> MergedWorkflow {
    try shipped.merged(workflow: "mesotherapy", areas: areas)
  }

  static func start(_ areas: [String], clock: ManualClock = ManualClock(morning)) throws -> Consultation {
    try Consultation(id: "test", workflow: merged(areas), staff: nurse, clock: clock)
  }
}

extension CalendarDate {
  init(uncheckedISO text: String) {
    // swift-format-ignore: NeverForceUnwrap
    self = CalendarDate(iso: text) ?? CalendarDate(year: 2000, month: 1, day: 1)!
  }
}

/// Answers a consultation of the shipped workflow as a healthy adult patient
/// would, except for the answers given in `overrides`.
struct Script {
  /// Answers that differ from a healthy patient's.
  var overrides: [String: Answer] = [:]
  /// What to do with a referral: a physician overrides it when `true`.
  var physicianApproves = true
  /// What to do with a stop: end the consultation (the only thing allowed).
  /// Steps answered "yes" by default: confirmations and bookings.
  static let yesByDefault: Set<String> = [
    "photos_taken", "cleansed", "cream_removed", "cold_chain_ok", "technique_confirmed", "aftercare_sheet_given",
    "next_session_booked", "review_booked",
  ]

  func answer(_ question: Question, in consultation: Consultation) -> Answer {
    if let answer = overrides[question.step.id] { return answer }
    let now = consultation.clock.now()
    let today = now.date(utcOffset: 0)
    switch question.step.answer {
    case .yesNo: return .yesNo(Self.yesByDefault.contains(question.step.id))
    case .integer(let bounds):
      if question.step.id == "age" { return .integer(35) }
      // Each area's volume is given over 20 points (below), so the count covers them all.
      if question.step.countsInjectionPoints { return .integer(20 * max(1, consultation.state.start.areas.count)) }
      return .integer(Int(max(bounds.min ?? 0, min(bounds.max ?? 20, 20))))
    case .decimal(let bounds): return .decimal(max(bounds.min ?? 0, min(bounds.max ?? 100, 100)))
    case .text: return .text("recorded")
    case .choice(let options): return .choice(options.first?.id ?? "")
    case .multipleChoice: return .multipleChoice([])
    // Five weeks on: after every shipped course's interval.
    case .date: return .date(CalendarDate(daysSinceEpoch: today.daysSinceEpoch + 35) ?? today)
    case .consent: return .consent(Consent(signedBy: "Patient Zoe", signedAt: now))
    case .product:
      return .product(
        Product(name: "Cocktail", lot: "L-1", expiry: CalendarDate(daysSinceEpoch: today.daysSinceEpoch + 365) ?? today)
      )
    case .volume:
      let areas = consultation.state.start.areas
      if areas.isEmpty { return .volume([VolumeEntry(millilitres: 1)]) }
      return .volume(areas.map { VolumeEntry(area: $0, millilitres: 1, points: 20) })
    }
  }

  /// Runs the consultation to its end. Warnings are acknowledged, stops end
  /// it, referrals are overridden or declined; waits are waited out.
  @discardableResult
  func run(_ consultation: inout Consultation, clock: ManualClock, limit: Int = 500) throws -> Outcome? {
    for _ in 0..<limit {
      switch consultation.prompt {
      case .question(let question):
        try consultation.answer(question.step.id, answer(question, in: consultation))
        clock.advance(by: TimeSpan(seconds: 30))
      case .resolve(let alert):
        switch alert.check.outcome {
        case .warn, .exclude: try consultation.acknowledge(alert.check.id)
        case .stop: try consultation.end(because: alert.check.id)
        case .refer:
          if physicianApproves {
            try consultation.override(alert.check.id, reason: "Reviewed and approved", by: Fixture.physician)
          } else {
            try consultation.end(because: alert.check.id, note: "No physician available")
          }
        }
      case .wait(let wait):
        clock.set(wait.until)
        try consultation.proceed()
      case .finished(let outcome):
        return outcome
      }
    }
    return nil
  }
}
