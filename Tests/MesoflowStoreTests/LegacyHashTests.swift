import Foundation
import Mesoflow
import MesoflowStore
import Testing

/// Consultations stored before version 2 of the definition hash carry the
/// version 1 hash in their `started` event and summary. They resume, go on
/// and verify under the definitions they started with, and nothing stored
/// is rewritten.
struct LegacyHashTests {
  /// Stores `consultation` as a build before version 2 did: the same events
  /// as the same JSON, chained as docs/STORE.md says, but with `hash` (the
  /// version 1 hash of its definitions) in its start and its summary.
  /// Written through the store protocol, since the archive writes only the
  /// current hash.
  static func storeAsBeforeVersion2(
    _ consultation: Consultation, hash: String, in store: any ConsultationStore, definitions: [DefinitionSource]
  ) throws {
    let id = consultation.state.start.id
    let current = consultation.workflow.definitionHash
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var link = SHA256.hash("mesoflow event chain v1\n" + id)
    var stored: [StoredEvent] = []
    for event in consultation.events {
      var json = String(decoding: try encoder.encode(event), as: UTF8.self)
      if event.sequence == 1 {
        let recorded = "\"definitionHash\":\"\(current)\""
        #expect(json.contains(recorded))
        json = json.replacingOccurrences(of: recorded, with: "\"definitionHash\":\"\(hash)\"")
      }
      var hasher = SHA256()
      hasher.update(link.bytes)
      hasher.update(json)
      link = hasher.finalize()
      stored.append(StoredEvent(sequence: event.sequence, json: json, chainHash: link.description))
    }
    var summary = ConsultationSummary(consultation)
    summary.definitionHash = hash
    try store.create(summary, definitions: definitions, events: stored)
  }

  /// A consultation of the face with its first answers, not yet stored.
  static func begun(clock: ManualClock) throws -> Consultation {
    let merged = try ArchiveTests.catalog.merged(workflow: "mesotherapy", areas: ["face"])
    var consultation = try Consultation(
      id: "c1", workflow: merged, staff: ArchiveTests.nurse, clock: clock, patient: "P-17")
    for (step, answer) in [
      ("age", Answer.integer(34)), ("goals", .text("Fresher skin")), ("skin_type", .choice("iii")),
    ] {
      clock.advance(by: TimeSpan(seconds: 20))
      try consultation.answer(step, answer)
    }
    try consultation.pause()
    return consultation
  }

  @Test(arguments: ArchiveTests.Kind.allCases)
  func aConsultationStoredUnderTheVersion1HashResumesAndVerifies(_ kind: ArchiveTests.Kind) throws {
    let store = try ArchiveTests.store(kind)
    let archive = ConsultationArchive(store: store)
    let clock = ManualClock(ArchiveTests.morning)
    let original = try Self.begun(clock: clock)
    let legacy = original.workflow.legacyDefinitionHash
    #expect(legacy.count == 64 && legacy != original.workflow.definitionHash)
    try Self.storeAsBeforeVersion2(original, hash: legacy, in: store, definitions: ArchiveTests.sources(["face"]))
    let storedBefore = try store.events("c1")

    #expect(try archive.verify().map(\.problems) == [[]])
    var (consultation, cursor) = try archive.open("c1", clock: clock)
    #expect(consultation.state.start.definitionHash == legacy)
    #expect(consultation.events.dropFirst() == original.events.dropFirst())
    #expect(consultation.state.answers.keys.sorted() == ["age", "goals", "skin_type"])

    try consultation.resume()
    clock.advance(by: TimeSpan(seconds: 20))
    try consultation.answer("medications", .text("none"))
    try archive.save(consultation, cursor: &cursor)
    let results = try archive.verify("c1")
    #expect(results.map(\.problems) == [[]])
    #expect(results.first?.head == cursor.head)

    // Nothing stored was rewritten: the old events are as they were, the
    // summary still names the version 1 hash, and the new events go on the same chain.
    let storedAfter = try store.events("c1")
    #expect(Array(storedAfter.prefix(storedBefore.count)) == storedBefore)
    #expect(storedAfter.count == consultation.events.count)
    #expect(try store.summary("c1")?.definitionHash == legacy)
    let (reopened, _) = try archive.open("c1", clock: clock)
    #expect(reopened.state == consultation.state)
  }

  @Test(arguments: ArchiveTests.Kind.allCases)
  func aVersion1HashOfOtherDefinitionsIsRefused(_ kind: ArchiveTests.Kind) throws {
    let store = try ArchiveTests.store(kind)
    let archive = ConsultationArchive(store: store)
    let clock = ManualClock(ArchiveTests.morning)
    let original = try Self.begun(clock: clock)
    let other = try ArchiveTests.catalog.merged(workflow: "mesotherapy", areas: ["eye"]).legacyDefinitionHash
    try Self.storeAsBeforeVersion2(original, hash: other, in: store, definitions: ArchiveTests.sources(["face"]))
    #expect(throws: StoreError.self) { try archive.open("c1", clock: clock) }
    let problems = try #require(try archive.verify("c1").first).problems
    #expect(problems.count == 1)
    #expect(problems.first?.contains("recorded with other definitions (hash \(other)") == true)
  }
}
