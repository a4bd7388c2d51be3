import Mesoflow
import MesoflowStore
import Synchronization
import Testing

/// The durable session over both stores: each input is stored before it
/// returns, a reopened session is the same, and a commit that fails leaves
/// nothing unsaved in the session.
struct SessionTests {
  typealias Kind = ArchiveTests.Kind

  /// A store whose writes can be made to fail, over a memory store.
  final class FailingStore: ConsultationStore {
    let inner = MemoryStore()
    let failsAppends = Mutex(false)

    func create(_ summary: ConsultationSummary, definitions: [DefinitionSource], events: [StoredEvent]) throws {
      try inner.create(summary, definitions: definitions, events: events)
    }

    func append(_ events: [StoredEvent], summary: ConsultationSummary) throws {
      if failsAppends.withLock({ $0 }) { throw StoreError(.io, "the disk is full") }
      try inner.append(events, summary: summary)
    }

    func summary(_ id: String) throws -> ConsultationSummary? { try inner.summary(id) }
    func summaries(_ filter: ConsultationFilter) throws -> ConsultationListing { try inner.summaries(filter) }
    func definitions(_ id: String) throws -> [DefinitionSource] { try inner.definitions(id) }
    func events(_ id: String) throws -> [StoredEvent] { try inner.events(id) }
  }

  static func begin(_ archive: ConsultationArchive, clock: ManualClock) throws -> ConsultationSession {
    let merged = try ArchiveTests.catalog.merged(workflow: "mesotherapy", areas: ["face"])
    let consultation = try Consultation(
      id: "s1", workflow: merged, staff: ArchiveTests.nurse, clock: clock, patient: "P-17")
    return try ConsultationSession.begin(consultation, definitions: ArchiveTests.sources(["face"]), in: archive)
  }

  /// The step the session asks, or `nil`.
  static func asked(_ session: ConsultationSession) -> String? {
    guard case .question(let question) = session.prompt else { return nil }
    return question.step.id
  }

  @Test(arguments: Kind.allCases) func everyInputIsStoredBeforeItReturns(_ kind: Kind) throws {
    let store = try ArchiveTests.store(kind)
    let archive = ConsultationArchive(store: store)
    let clock = ManualClock(ArchiveTests.morning)
    var session = try Self.begin(archive, clock: clock)
    #expect(session.id == "s1")
    #expect(try store.events("s1").count == session.consultation.events.count)
    #expect(Self.asked(session) == "age")

    try session.answer("age", .integer(34))
    #expect(try store.events("s1").count == session.consultation.events.count)
    try session.answer("goals", .text("Fresher skin"))
    try session.note("Prefers afternoon sessions", about: "goals")
    #expect(try store.events("s1").count == session.consultation.events.count)
    try session.correct("age", .integer(35))
    try session.pause()
    #expect(try store.events("s1").count == session.consultation.events.count)
    #expect(session.cursor.savedCount == session.consultation.events.count)
    #expect(try store.summary("s1") == ConsultationSummary(session.consultation))

    // Reopened, it is the same consultation, and goes on where it was.
    var reopened = try ConsultationSession.open("s1", in: archive, clock: clock)
    #expect(reopened.consultation.events == session.consultation.events)
    #expect(reopened.consultation.state == session.consultation.state)
    #expect(reopened.cursor == session.cursor)
    #expect(Self.asked(reopened) == Self.asked(session))
    try reopened.resume(by: Clinician(name: "Dr Lane", role: .physician))
    try reopened.answer("skin_type", .choice("iii"))
    #expect(try store.events("s1").count == reopened.consultation.events.count)
    #expect(try archive.verify("s1").map(\.problems) == [[]])
  }

  @Test func aRefusedInputRecordsNothing() throws {
    let store = MemoryStore()
    var session = try Self.begin(ConsultationArchive(store: store), clock: ManualClock(ArchiveTests.morning))
    let before = session.consultation.events
    #expect {
      try session.answer("goals", .text("Fresher skin"))
    } throws: { error in
      guard case .refused(let refusal) = error as? ConsultationSession.Failure else { return false }
      return refusal.kind == .notCurrent
    }
    #expect(session.consultation.events == before)
    #expect(try store.events("s1").count == before.count)
  }

  @Test func aFailedCommitLeavesTheSessionAsLastSaved() throws {
    let store = FailingStore()
    let archive = ConsultationArchive(store: store)
    let clock = ManualClock(ArchiveTests.morning)
    var session = try Self.begin(archive, clock: clock)
    try session.answer("age", .integer(34))
    let saved = session.consultation.events
    let cursor = session.cursor

    store.failsAppends.withLock { $0 = true }
    #expect {
      try session.answer("goals", .text("Fresher skin"))
    } throws: { error in
      guard case .notSaved(let cause) = error as? ConsultationSession.Failure else { return false }
      return (cause as? StoreError) == StoreError(.io, "the disk is full")
    }
    // Nothing of the answer is left to be shown as accepted.
    #expect(session.consultation.events == saved)
    #expect(session.cursor == cursor)
    #expect(Self.asked(session) == "goals")
    #expect(session.consultation.state.answers["goals"] == nil)
    #expect(throws: ConsultationSession.Failure.self) { try session.note("A note the disk refuses") }
    #expect(session.consultation.state.notes.isEmpty)
    #expect(try store.events("s1").count == saved.count)

    // Once the store works again the same input goes through.
    store.failsAppends.withLock { $0 = false }
    try session.answer("goals", .text("Fresher skin"))
    let reopened = try ConsultationSession.open("s1", in: archive, clock: clock)
    #expect(reopened.consultation.events == session.consultation.events)
    #expect(Self.asked(reopened) == "skin_type")
  }

  @Test func twoCopiesThatBothSaveDoNotOverwriteEachOther() throws {
    let store = MemoryStore()
    var first = try Self.begin(ConsultationArchive(store: store), clock: ManualClock(ArchiveTests.morning))
    var second = first
    try first.answer("age", .integer(34))
    #expect {
      try second.answer("age", .integer(71))
    } throws: { error in
      guard case .notSaved(let cause) = error as? ConsultationSession.Failure else { return false }
      return (cause as? StoreError)?.kind == .conflict
    }
    #expect(second.consultation.state.answers["age"] == nil)
    #expect(try store.events("s1").count == first.consultation.events.count)
  }
}
