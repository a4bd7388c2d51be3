import Foundation
import Mesoflow
import MesoflowStore
import Testing

/// Named time zones from the system's database, and a stored consultation
/// that goes on in the zone it was recorded in.
struct TimeZoneTests {
  // swift-format-ignore: NeverForceUnwrap
  static let winter = Timestamp(CalendarDate(year: 2026, month: 1, day: 15)!, hour: 12)
  // swift-format-ignore: NeverForceUnwrap
  static let summer = Timestamp(CalendarDate(year: 2026, month: 7, day: 15)!, hour: 12)

  @Test func aNamedZoneFollowsItsDaylightSavingRules() throws {
    let berlin = try #require(ClinicTimeZone.named("Europe/Berlin"))
    #expect(berlin.name == "Europe/Berlin")
    #expect(berlin.utcOffset(at: Self.winter) == 3600)
    #expect(berlin.utcOffset(at: Self.summer) == 7200)
    #expect(berlin.format(Self.summer) == "2026-07-15 14:00")
    let newYork = try #require(ClinicTimeZone.named("America/New_York"))
    #expect(newYork.utcOffset(at: Self.winter) == -5 * 3600)
    // Two weeks from a summer afternoon into winter: the same local hour.
    let october = Timestamp(CalendarDate(year: 2026, month: 10, day: 20)!, hour: 12)
    #expect(berlin.format(berlin.adding(TimeSpan(seconds: 14 * 86_400), to: october)) == "2026-11-03 14:00")
  }

  @Test func aNameTheSystemDoesNotKnowIsRefused() {
    #expect(ClinicTimeZone.named("Europe/Berln") == nil)
    #expect(ClinicTimeZone.named("") == nil)
    #expect(ClinicTimeZone.named("GMT+1") == nil, "an offset is not a zone's name")
    #expect(ClinicTimeZone.named("UTC+01:00") == nil)
    #expect(ClinicTimeZone.knownNames.contains("Europe/Berlin"))
  }

  @Test func theNamesOfUTCInTheDatabaseAreZonesToo() throws {
    // This machine's own zone is often Etc/UTC; it must be one that can be recorded.
    for name in ["UTC", "Etc/UTC"] {
      let zone = try #require(ClinicTimeZone.named(name), "\(name)")
      #expect(zone.utcOffset(at: Self.summer) == 0)
      #expect(zone.name != nil)
    }
    #expect(ClinicTimeZone.system.name != nil || ClinicTimeZone.system.utcOffset(at: Self.summer) == 0)
  }

  @Test func aRecordGoesOnInTheZoneItNamesOrAtItsRecordedOffset() throws {
    let start = ConsultationStart(
      id: "c", workflow: "w", workflowVersion: 1, definitionHash: "h", areas: [],
      staff: Clinician(name: "Nurse Ada", role: .staff), utcOffset: 7200, timeZone: "Europe/Berlin")
    #expect(ClinicTimeZone.recorded(by: start).name == "Europe/Berlin")
    var older = start
    older.timeZone = nil
    #expect(ClinicTimeZone.recorded(by: older).description == "UTC+02:00")
    var unknown = start
    unknown.timeZone = "Mars/Olympus_Mons"
    #expect(ClinicTimeZone.recorded(by: unknown).description == "UTC+02:00")
  }

  @Test(arguments: ArchiveTests.Kind.allCases)
  func aStoredConsultationReopensInItsNamedZone(_ kind: ArchiveTests.Kind) throws {
    let archive = ConsultationArchive(store: try ArchiveTests.store(kind))
    let clock = ManualClock(Self.summer)
    let berlin = try #require(ClinicTimeZone.named("Europe/Berlin"))
    let merged = try ArchiveTests.catalog.merged(workflow: "mesotherapy", areas: ["face"])
    var consultation = try Consultation(
      id: "tz1", workflow: merged, staff: ArchiveTests.nurse, clock: clock, timeZone: berlin)
    var cursor = try archive.begin(consultation, definitions: ArchiveTests.sources(["face"]))
    try consultation.answer("age", .integer(34))
    try archive.save(consultation, cursor: &cursor)
    let (reopened, _) = try archive.open("tz1", clock: clock)
    #expect(reopened.timeZone.name == "Europe/Berlin")
    #expect(reopened.timeZone.utcOffset(at: Self.winter) == 3600)
    #expect(reopened.record.description == consultation.record.description)
    #expect(try archive.verify("tz1").allSatisfy(\.isIntact))
  }
}
