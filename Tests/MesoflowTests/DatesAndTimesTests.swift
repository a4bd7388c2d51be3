import Foundation
import Mesoflow
import Testing

/// Dates and times in a consultation: the next session booked for a day in
/// the past is refused, a booked day carries the course, an unbooked course
/// is still to be booked, and every time follows the clinic's time zone by
/// its rules, not one fixed offset.
struct DatesAndTimesTests {
  /// Summer time ends at 01:00 UTC on 2026-10-25, as in Central Europe:
  /// UTC+2 before, UTC+1 after.
  static let changeover = Timestamp(CalendarDate(uncheckedISO: "2026-10-25"), hour: 1)
  static let zone = ClinicTimeZone(name: "Test/Central") { instant in instant < changeover ? 7200 : 3600 }
  /// 2026-10-20 08:00 UTC: 10:00 in the clinic, five days before the change.
  static let morning = Timestamp(CalendarDate(uncheckedISO: "2026-10-20"), hour: 8)

  /// A face consultation driven to its end, with `overrides` as answers.
  func completed(_ overrides: [String: Answer], zone: ClinicTimeZone = Self.zone) throws -> Consultation {
    let clock = ManualClock(Self.morning)
    var consultation = try Consultation(
      id: "tz", workflow: Fixture.merged(["face"]), staff: Fixture.nurse, clock: clock, timeZone: zone)
    #expect(try Script(overrides: overrides).run(&consultation, clock: clock) == .completed)
    return consultation
  }

  /// A face consultation driven up to `step`, not answering it.
  func upTo(_ step: String) throws -> Consultation {
    let clock = ManualClock(Self.morning)
    var consultation = try Consultation(
      id: "tz", workflow: Fixture.merged(["face"]), staff: Fixture.nurse, clock: clock, timeZone: Self.zone)
    let script = Script()
    for _ in 0..<200 {
      switch consultation.prompt {
      case .question(let question) where question.step.id == step: return consultation
      case .question(let question): try consultation.answer(question.step.id, script.answer(question, in: consultation))
      case .resolve(let alert): try consultation.acknowledge(alert.check.id)
      case .wait(let wait):
        clock.set(wait.until)
        try consultation.proceed()
      case .finished: break
      }
    }
    Issue.record("step \(step) was never asked")
    return consultation
  }

  @Test func aNextSessionBookedForADayInThePastIsRefused() throws {
    var consultation = try upTo("next_session_date")
    let past = #expect(throws: ConsultationError.self) {
      try consultation.answer("next_session_date", .date(CalendarDate(uncheckedISO: "2026-10-19")))
    }
    #expect(past?.kind == .outOfRange)
    #expect(past?.message == "2026-10-19 is in the past; the date must be today (2026-10-20) or later")
    #expect(consultation.state.answers["next_session_date"] == nil)
    guard case .question(let question) = consultation.prompt else {
      Issue.record("not asked any more")
      return
    }
    #expect(question.step.inputHint == "a date, YYYY-MM-DD, today or later")
    // Nor sooner than the course's interval after today's treatment.
    let soon = #expect(throws: ConsultationError.self) {
      try consultation.answer("next_session_date", .date(CalendarDate(uncheckedISO: "2026-11-02")))
    }
    #expect(soon?.kind == .outOfRange)
    #expect(
      soon?.message
        == "2026-11-02 is too soon: the course's sessions are 2w apart, so the next one is on 2026-11-03 or later")
    try consultation.answer("next_session_date", .date(CalendarDate(uncheckedISO: "2026-11-03")))
  }

  @Test func theLongestCourseOfTheAreasSetsTheEarliestNextSession() throws {
    // The body's course is every 4 weeks, the face's every 2: four weeks it is.
    let clock = ManualClock(Self.morning)
    var consultation = try Consultation(
      id: "tz", workflow: Fixture.merged(["body", "face"]), staff: Fixture.nurse, clock: clock, timeZone: Self.zone)
    let script = Script(overrides: ["body_weight_stable": .yesNo(true)])
    for _ in 0..<200 {
      guard case .question(let question) = consultation.prompt, question.step.id != "next_session_date" else { break }
      try consultation.answer(question.step.id, script.answer(question, in: consultation))
      if case .wait(let wait) = consultation.prompt {
        clock.set(wait.until)
        try consultation.proceed()
      }
    }
    #expect(consultation.prompt.stepID == "next_session_date")
    let soon = #expect(throws: ConsultationError.self) {
      try consultation.answer("next_session_date", .date(CalendarDate(uncheckedISO: "2026-11-16")))
    }
    #expect(
      soon?.message
        == "2026-11-16 is too soon: the course's sessions are 4w apart, so the next one is on 2026-11-17 or later")
  }

  @Test func anIntervalOfPartDaysIsNeverDueEarly() throws {
    var workflow = try Fixture.merged([]).workflow
    workflow.followUp = FollowUpPlan(course: .init(sessions: 2, interval: TimeSpan(seconds: 36 * 3600)))
    let merged = MergedWorkflow(workflow: workflow, areas: [])
    // 36 hours after 20:00 is 08:00 two days later.
    let late = Timestamp(CalendarDate(uncheckedISO: "2026-11-21"), hour: 20)
    #expect(
      merged.followUpSchedule(treatedAt: late, timeZone: .utc).first?.date == CalendarDate(uncheckedISO: "2026-11-23"))
  }

  @Test func theCourseContinuesFromTheBookedSession() throws {
    let consultation = try completed([
      "next_session_booked": .yesNo(true), "next_session_date": .date(CalendarDate(uncheckedISO: "2026-11-05")),
    ])
    let schedule = consultation.record.followUp.map { ($0.date?.description ?? "-", $0.isBooked, "\($0.kind)") }
    #expect(schedule.map(\.0) == ["2026-11-05", "2026-11-19", "2027-01-12", "2027-02-11"])
    #expect(schedule.map(\.1) == [true, false, false, false])
    #expect(consultation.record.description.contains("  - 2026-11-05 (booked): session 2 of 3 (face)\n"))
    #expect(consultation.record.description.contains("  - 2026-11-19: session 3 of 3 (face)\n"))
  }

  @Test func anUnbookedCourseIsStillToBeBooked() throws {
    let consultation = try completed(["next_session_booked": .yesNo(false)])
    let record = consultation.record
    #expect(
      record.followUp.map { $0.date?.description ?? "to be booked" } == [
        "2027-01-12", "to be booked", "to be booked", "to be booked",
      ])
    // Each still says by when it falls due, counted from the treatment.
    #expect(record.followUp.map(\.dueDate.description) == ["2027-01-12", "2026-11-03", "2026-11-17", "2027-02-09"])
    #expect(record.description.contains("  - to be booked (due 2026-11-03): session 2 of 3 (face)\n"))
    #expect(record.description.contains("  - to be booked (due 2027-02-09): maintenance, then every 12w (face)\n"))
    // The safety review keeps its day: it is counted from the treatment.
    #expect(record.description.contains("  - 2027-01-12: safety review (face)\n"))
  }

  @Test func timesFollowTheClinicsZoneAcrossTheChangeOfSummerTime() throws {
    let consultation = try completed([:])
    let record = consultation.record
    let treatedAt = try #require(record.treatedAt)
    #expect(Self.zone.format(treatedAt).hasPrefix("2026-10-20 1"))
    // Two weeks of sun protection end at the same local time of day, an hour
    // later in UTC terms, because the clinic's clocks went back in between.
    let sun = try #require(record.aftercare.first { $0.id == "sun_protection" }?.endsAt)
    #expect(sun.seconds(since: treatedAt) == 14 * 86_400 + 3600)
    #expect(Self.zone.format(sun).suffix(5) == Self.zone.format(treatedAt).suffix(5))
    #expect(Self.zone.format(sun).hasPrefix("2026-11-03 "))
    // A day's window is a calendar day too; hours are elapsed time.
    let water = try #require(record.aftercare.first { $0.id == "no_water_on_area" }?.endsAt)
    #expect(water.seconds(since: treatedAt) == 86_400)
    // The consent's time in the record is local, not UTC.
    let consent = try #require(record.answers.first { $0.step.id == "consent" })
    guard case .consent(let signed) = consent.answer.answer else {
      Issue.record("no consent")
      return
    }
    #expect(record.description.contains("  - consent: signed by Patient Zoe at \(Self.zone.format(signed.signedAt))\n"))
    #expect(Self.zone.format(signed.signedAt).hasPrefix("2026-10-20 10:"))
    #expect(record.description.contains("Times in Test/Central\n"))
  }

  @Test func theZoneIsRecordedByNameAndReplayedByItsRule() throws {
    let consultation = try completed([:])
    guard case .started(let start) = consultation.events.first?.kind else {
      Issue.record("no start")
      return
    }
    #expect(start.timeZone == "Test/Central")
    #expect(start.utcOffset == 7200)
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    let json = String(decoding: try encoder.encode(consultation.events[0]), as: UTF8.self)
    #expect(json.contains(#""staff":{"name":"Nurse Ada","role":"staff"},"timeZone":"Test/Central","utcOffset":7200,"#))
    let clock = ManualClock(Self.morning)
    let replayed = try Consultation(
      replaying: consultation.events, workflow: consultation.workflow, clock: clock, timeZone: Self.zone)
    #expect(replayed.record.description == consultation.record.description)
    // Without the rule, the record keeps to the offset recorded at the start.
    let fixed = try Consultation(replaying: consultation.events, workflow: consultation.workflow, clock: clock)
    #expect(fixed.timeZone.description == "UTC+02:00")
    let sun = fixed.record.aftercare.first { $0.id == "sun_protection" }?.endsAt
    let treatedAt = try #require(fixed.record.treatedAt)
    #expect(sun.map { $0.seconds(since: treatedAt) } == 14 * 86_400)
  }

  @Test func aWindowOfWholeDaysNeverEndsEarly() {
    // Summer time begins at 01:00 UTC on 2026-03-29: UTC+1 before, UTC+2 after.
    let spring = Timestamp(CalendarDate(uncheckedISO: "2026-03-29"), hour: 1)
    let zone = ClinicTimeZone(name: "Test/Spring") { $0 < spring ? 3600 : 7200 }
    let treated = Timestamp(CalendarDate(uncheckedISO: "2026-03-28"), hour: 9)  // 10:00 local
    // 24 hours across the night the clocks go forward are still 24 hours.
    let day = zone.adding(TimeSpan(seconds: 86_400), to: treated)
    #expect(day.seconds(since: treated) == 86_400)
    #expect(zone.format(day) == "2026-03-29 11:00")
    // Across the night they go back, the same local time is the later one: 25 hours.
    let saturday = Self.morning + TimeSpan(seconds: 4 * 86_400)
    #expect(Self.zone.adding(TimeSpan(seconds: 86_400), to: saturday).seconds(since: saturday) == 86_400 + 3600)
  }

  @Test func aDamagedInstantIsShownNotTrapped() {
    for instant in [Timestamp(millisecondsSinceEpoch: .min), Timestamp(millisecondsSinceEpoch: .max)] {
      #expect(!Self.zone.format(instant).isEmpty)
      #expect(!instant.description.isEmpty)
      #expect(ClinicTimeZone.fixed(utcOffset: -3600).date(of: instant) >= CalendarDate(year: 1, month: 1, day: 1)!)
    }
  }

  @Test func aFixedOffsetIsNamedByItsOffset() {
    #expect(ClinicTimeZone.utc.description == "UTC")
    #expect(ClinicTimeZone.fixed(utcOffset: -(3 * 3600 + 1800)).description == "UTC-03:30")
    #expect(ClinicTimeZone.fixed(utcOffset: 3600).name == nil)
  }
}
