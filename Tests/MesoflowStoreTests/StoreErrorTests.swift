import Foundation
import Mesoflow
import MesoflowSQLite
import MesoflowStore
import Testing

/// Each failure of a store gives the kind a program tells it apart by, on
/// both stores.
struct StoreErrorTests {
  typealias Kind = ArchiveTests.Kind

  func kind(of work: () throws -> Void) -> StoreError.Kind? {
    do {
      try work()
      return nil
    } catch let error as StoreError {
      return error.kind
    } catch {
      Issue.record("not a store error: \(error)")
      return nil
    }
  }

  @Test(arguments: Kind.allCases) func anUnknownIdIsNotFound(_ kind: Kind) throws {
    let archive = ConsultationArchive(store: try ArchiveTests.store(kind))
    #expect(self.kind { _ = try archive.open("nope", clock: ManualClock(ArchiveTests.morning)) } == .notFound)
    #expect(self.kind { _ = try archive.verify("nope") } == .notFound)
  }

  @Test(arguments: Kind.allCases) func aTakenIdAlreadyExists(_ kind: Kind) throws {
    let archive = ConsultationArchive(store: try ArchiveTests.store(kind))
    let clock = ManualClock(ArchiveTests.morning)
    _ = try ArchiveTests.started(archive, clock: clock)
    #expect(self.kind { _ = try ArchiveTests.started(archive, clock: clock) } == .alreadyExists)
  }

  @Test(arguments: Kind.allCases) func aSecondWriterConflicts(_ kind: Kind) throws {
    let archive = ConsultationArchive(store: try ArchiveTests.store(kind))
    let clock = ManualClock(ArchiveTests.morning)
    let (consultation, cursor) = try ArchiveTests.started(archive, clock: clock)
    var first = consultation
    var second = consultation
    var firstCursor = cursor
    var secondCursor = cursor
    try first.resume()
    try second.resume()
    try archive.save(first, cursor: &firstCursor)
    #expect(self.kind { try archive.save(second, cursor: &secondCursor) } == .conflict)
  }

  @Test func anEditedEventIsCorrupt() throws {
    let store = MemoryStore()
    let archive = ConsultationArchive(store: store)
    let clock = ManualClock(ArchiveTests.morning)
    _ = try ArchiveTests.started(archive, clock: clock)
    let answered = try #require(try store.events("c1").first { $0.json.contains("\"integer\":34") })
    store.tamper("c1", sequence: answered.sequence, json: answered.json.replacingOccurrences(of: "34", with: "17"))
    #expect(self.kind { _ = try archive.open("c1", clock: clock) } == .corrupt)
  }

  @Test func aStoreThatCannotBeOpenedIsIO() {
    #expect(self.kind { _ = try SQLiteStore(path: "/proc/mesoflow/cannot/c.sqlite") } == .io)
  }

  @Test func eachKindIsNamedAsItsMemberIsSpelt() {
    let kinds: [StoreError.Kind] = [.notFound, .alreadyExists, .conflict, .corrupt, .io]
    #expect(kinds.map(\.description) == ["notFound", "alreadyExists", "conflict", "corrupt", "io"])
    #expect(Set(kinds).count == kinds.count)
  }
}
