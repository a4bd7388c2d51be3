import Foundation
import Mesoflow
import MesoflowSQLite
import MesoflowStore
import MesoflowYAML
import Testing

/// The archive over both stores: what is saved comes back exactly, under the
/// definitions it started with, and any edit behind its back is found.
struct ArchiveTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
  static let catalog = Catalog.load(paths: [
    root.appendingPathComponent("Workflows").path, root.appendingPathComponent("Plugins").path,
  ])
  // swift-format-ignore: NeverForceUnwrap
  static let morning = Timestamp(CalendarDate(year: 2026, month: 11, day: 21)!, hour: 9)
  static let nurse = Clinician(name: "Nurse Ada", role: .staff)

  enum Kind: String, CaseIterable { case memory, sqlite }

  static func store(_ kind: Kind) throws -> any ConsultationStore {
    switch kind {
    case .memory: return MemoryStore()
    case .sqlite: return try SQLiteStore(path: temporaryPath())
    }
  }

  static func temporaryPath() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("mesoflow-store-\(UUID().uuidString)/c.sqlite").path
  }

  static func sources(_ areas: [String]) -> [DefinitionSource] {
    (["workflow:mesotherapy"] + areas.map { "plugin:\($0)" }).compactMap { catalog.sources[$0] }.map {
      DefinitionSource(name: $0.name, text: String(decoding: $0.bytes, as: UTF8.self))
    }
  }

  /// A consultation of `areas` with its first answers, saved after each.
  static func started(
    _ archive: ConsultationArchive, id: String = "c1", areas: [String] = ["face"], clock: ManualClock
  ) throws -> (Consultation, ConsultationArchive.Cursor) {
    let merged = try catalog.merged(workflow: "mesotherapy", areas: areas)
    var consultation = try Consultation(id: id, workflow: merged, staff: nurse, clock: clock, patient: "P-17")
    var cursor = try archive.begin(consultation, definitions: sources(areas))
    for (step, answer) in [
      ("age", Answer.integer(34)), ("goals", .text("Fresher skin")), ("skin_type", .choice("iii")),
    ] {
      clock.advance(by: TimeSpan(seconds: 20))
      try consultation.answer(step, answer)
      try archive.save(consultation, cursor: &cursor)
    }
    try consultation.note("Prefers afternoon sessions", about: "goals")
    try consultation.pause()
    try archive.save(consultation, cursor: &cursor)
    return (consultation, cursor)
  }

  @Test(arguments: Kind.allCases) func whatIsSavedComesBackExactly(_ kind: Kind) throws {
    let archive = ConsultationArchive(store: try Self.store(kind))
    let clock = ManualClock(Self.morning)
    let (consultation, cursor) = try Self.started(archive, clock: clock)
    let (reopened, reopenedCursor) = try archive.open("c1", clock: clock)
    #expect(reopened.events == consultation.events)
    #expect(reopened.state == consultation.state)
    #expect(reopenedCursor == cursor)
    let summary = try #require(try archive.store.summary("c1"))
    #expect(summary == ConsultationSummary(consultation))
    #expect(summary.patient == "P-17")
    #expect(summary.status == .open)
    #expect(reopened.state.isPaused)
    #expect(reopened.state.notes.map(\.text) == ["Prefers afternoon sessions"])
  }

  @Test(arguments: Kind.allCases) func aResumedConsultationGoesOnAndStaysIntact(_ kind: Kind) throws {
    let archive = ConsultationArchive(store: try Self.store(kind))
    let clock = ManualClock(Self.morning)
    _ = try Self.started(archive, clock: clock)
    var (consultation, cursor) = try archive.open("c1", clock: clock)
    try consultation.resume(by: Clinician(name: "Dr Lane", role: .physician))
    try consultation.answer("medications", .text("none"))
    try archive.save(consultation, cursor: &cursor)
    #expect(try archive.store.events("c1").count == consultation.events.count)
    let results = try archive.verify()
    #expect(results.map(\.problems) == [[]])
    #expect(results.first?.head == cursor.head)
  }

  @Test func aConsultationResumesUnderTheDefinitionsItStartedWith() throws {
    let archive = ConsultationArchive(store: MemoryStore())
    let clock = ManualClock(Self.morning)
    _ = try Self.started(archive, clock: clock)
    // The clinic edits the workflow afterwards: a new question in the first stage.
    let edited = try #require(Self.catalog.sources["workflow:mesotherapy"])
    let text = String(decoding: edited.bytes, as: UTF8.self).replacingOccurrences(
      of: "version: 1", with: "version: 2")
    let newCatalog = Catalog(
      sources: [SourceText(name: edited.name, text: text)]
        + Self.sources(["face"]).dropFirst().map {
          SourceText(name: $0.name, text: $0.text)
        })
    let newWorkflow = try newCatalog.merged(workflow: "mesotherapy", areas: ["face"])
    #expect(throws: StoreError.self) { try archive.open("c1", clock: clock, workflow: newWorkflow) }
    let (reopened, _) = try archive.open("c1", clock: clock)
    #expect(reopened.workflow.workflow.version == 1)
  }

  @Test func anEditedEventIsFoundAndRefused() throws {
    let store = MemoryStore()
    let archive = ConsultationArchive(store: store)
    let clock = ManualClock(Self.morning)
    _ = try Self.started(archive, clock: clock)
    let events = try store.events("c1")
    let answered = try #require(events.first { $0.json.contains("\"integer\":34") })
    store.tamper("c1", sequence: answered.sequence, json: answered.json.replacingOccurrences(of: "34", with: "17"))
    let result = try #require(try archive.verify("c1").first)
    #expect(
      result.problems == [
        "event \(answered.sequence) does not match the hash chain: it was edited or replaced after it was recorded"
      ])
    #expect(throws: StoreError.self) { try archive.open("c1", clock: clock) }
  }

  @Test func anEditedSummaryIsFound() throws {
    let store = MemoryStore()
    let archive = ConsultationArchive(store: store)
    let clock = ManualClock(Self.morning)
    let (consultation, _) = try Self.started(archive, clock: clock)
    var summary = ConsultationSummary(consultation)
    summary.status = .completed
    try store.append([], summary: summary)
    let result = try #require(try archive.verify("c1").first)
    #expect(result.problems == ["the summary's status is 'completed' but the events say 'open': it was edited"])
  }

  @Test(arguments: Kind.allCases) func twoWritersCannotBothAppendTheSameEvent(_ kind: Kind) throws {
    let archive = ConsultationArchive(store: try Self.store(kind))
    let clock = ManualClock(Self.morning)
    let (consultation, cursor) = try Self.started(archive, clock: clock)
    var first = consultation
    var second = consultation
    var firstCursor = cursor
    var secondCursor = cursor
    try first.resume()
    try second.resume()
    try archive.save(first, cursor: &firstCursor)
    #expect(throws: StoreError.self) { try archive.save(second, cursor: &secondCursor) }
    #expect(secondCursor == cursor, "a failed save leaves the cursor where it was")
  }

  @Test(arguments: Kind.allCases) func idsAreUniqueAndUnknownIdsAreClearErrors(_ kind: Kind) throws {
    let archive = ConsultationArchive(store: try Self.store(kind))
    let clock = ManualClock(Self.morning)
    _ = try Self.started(archive, clock: clock)
    #expect(throws: StoreError(.alreadyExists, "a consultation with the id 'c1' exists already")) {
      _ = try Self.started(archive, clock: clock)
    }
    #expect(throws: StoreError(.notFound, "no consultation has the id 'nope'")) {
      _ = try archive.open("nope", clock: clock)
    }
  }

  @Test(arguments: Kind.allCases) func listsFilterByStatusAndFollowUpDate(_ kind: Kind) throws {
    let archive = ConsultationArchive(store: try Self.store(kind))
    let clock = ManualClock(Self.morning)
    _ = try Self.started(archive, id: "open-one", clock: clock)
    let listing = try archive.store.summaries(ConsultationFilter(status: .open))
    #expect(listing.damaged.isEmpty)
    let summaries = listing.summaries
    #expect(summaries.map(\.id) == ["open-one"])
    #expect(try archive.store.summaries(ConsultationFilter(status: .completed)) == ConsultationListing(summaries: []))
    var summary = try #require(summaries.first)
    #expect(ConsultationFilter(followUpBefore: CalendarDate(year: 2027, month: 1, day: 1)).admits(summary) == false)
    summary.followUps = [CalendarDate(year: 2026, month: 12, day: 5)!]
    #expect(ConsultationFilter(followUpBefore: CalendarDate(year: 2027, month: 1, day: 1)).admits(summary))
    #expect(!ConsultationFilter(followUpBefore: CalendarDate(year: 2026, month: 12, day: 5)).admits(summary))
  }

  @Test func theSQLiteFileIsTheOwnersOnlyAndDurable() throws {
    let path = Self.temporaryPath()
    let archive = ConsultationArchive(store: try SQLiteStore(path: path))
    _ = try Self.started(archive, clock: ManualClock(Self.morning))
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
    let folder = (path as NSString).deletingLastPathComponent
    let folderAttributes = try FileManager.default.attributesOfItem(atPath: folder)
    #expect((folderAttributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)
    // A second store on the same file sees everything the first committed.
    let again = ConsultationArchive(store: try SQLiteStore(path: path))
    #expect(try again.verify().map(\.problems) == [[]])
  }

  @Test func anUnopenableStoreSaysWhereAndWhy() throws {
    #expect(throws: StoreError.self) { _ = try SQLiteStore(path: "/proc/mesoflow/cannot/c.sqlite") }
    do {
      _ = try SQLiteStore(path: "/proc/mesoflow/cannot/c.sqlite")
    } catch let error as StoreError {
      #expect(error.message.hasPrefix("/proc/mesoflow"))
      #expect(error.kind == .io)
    }
  }
}
