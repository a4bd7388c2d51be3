import Foundation
import Mesoflow
import MesoflowSQLite
import MesoflowStore
import Testing

/// Rows edited to the wrong type with the sqlite3 tool: each read says which
/// consultation and which column is damaged, and the other consultations are
/// still listed and verified.
struct DamagedRowTests {
  /// A SQLite store holding two saved consultations, `c1` and `c2`.
  static func twoConsultations() throws -> (path: String, archive: ConsultationArchive) {
    let path = ArchiveTests.temporaryPath()
    let archive = ConsultationArchive(store: try SQLiteStore(path: path))
    let clock = ManualClock(ArchiveTests.morning)
    _ = try ArchiveTests.started(archive, id: "c1", clock: clock)
    clock.advance(by: TimeSpan(seconds: 60))
    _ = try ArchiveTests.started(archive, id: "c2", areas: ["eye"], clock: clock)
    #expect(try archive.verify().map(\.problems) == [[], []])
    return (path, archive)
  }

  /// Runs SQL on the store's file with the sqlite3 tool, as someone behind the engine's back would.
  static func sqlite3(_ path: String, _ sql: String) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["sqlite3", path, sql]
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0, "sqlite3: \(message)")
  }

  /// Drops a column's NOT NULL, so that the sqlite3 tool can set it to NULL.
  static func allowNull(_ path: String, table: String, column: String) throws {
    try sqlite3(
      path,
      """
      PRAGMA writable_schema = ON;
      UPDATE sqlite_schema SET sql = replace(sql, '\(column) TEXT NOT NULL', '\(column) TEXT') WHERE name = '\(table)';
      """)
  }

  static func corrupt(_ message: String) -> StoreError { StoreError(.corrupt, message) }

  @Test(arguments: [
    ("event_count = 'abc'", "column event_count of its summary holds text where an integer belongs"),
    ("started_at = 'x'", "column started_at of its summary holds text where an integer belongs"),
    ("updated_at = 1.5", "column updated_at of its summary holds a real number where an integer belongs"),
    ("staff = X'FFFE'", "column staff of its summary holds a blob that is not UTF-8 where text belongs"),
    ("patient = X'FF'", "column patient of its summary holds a blob that is not UTF-8 where text or NULL belongs"),
  ])
  func aSummaryColumnOfTheWrongTypeNamesTheConsultationAndTheColumn(_ change: String, _ problem: String) throws {
    let (path, archive) = try Self.twoConsultations()
    try Self.sqlite3(path, "UPDATE consultation SET \(change) WHERE id = 'c1'")
    let error = Self.corrupt("consultation 'c1' is damaged: \(problem)")
    #expect(throws: error) { _ = try archive.store.summary("c1") }
    #expect(throws: error) { _ = try archive.open("c1", clock: ManualClock(ArchiveTests.morning)) }
    #expect(try archive.store.summary("c2")?.id == "c2")

    // The list names the damaged one apart and goes on with the others, whatever the filter.
    let listing = try archive.store.summaries(ConsultationFilter())
    #expect(listing.summaries.map(\.id) == ["c2"])
    #expect(listing.damaged == [ConsultationListing.Damaged(id: "c1", error: error)])
    let completed = try archive.store.summaries(ConsultationFilter(status: .completed))
    #expect(completed.summaries.isEmpty)
    #expect(completed.damaged.map(\.id) == ["c1"])

    let results = try archive.verify()
    #expect(results.map(\.id) == ["c2", "c1"])
    #expect(results.map(\.problems) == [[], [error.message]])
    #expect(try archive.verify("c1").map(\.problems) == [[error.message]])
  }

  @Test func aSummaryWhoseIdIsUnreadableIsNamedByItsRowid() throws {
    let (path, archive) = try Self.twoConsultations()
    try Self.sqlite3(path, "UPDATE consultation SET id = X'FF' WHERE id = 'c1'")
    let listing = try archive.store.summaries(ConsultationFilter())
    #expect(listing.summaries.map(\.id) == ["c2"])
    let damaged = try #require(listing.damaged.first)
    #expect(listing.damaged.count == 1)
    #expect(damaged.id == "rowid 1")
    #expect(
      damaged.error
        == Self.corrupt(
          "the consultation at rowid 1 is damaged: "
            + "column id of its summary holds a blob that is not UTF-8 where text belongs"))
    let results = try archive.verify()
    #expect(results.map(\.id) == ["c2", "rowid 1"])
    #expect(results.map(\.isIntact) == [true, false])
  }

  @Test(arguments: [
    ("sequence = 'abc'", "column sequence of an event holds text where an integer belongs"),
    ("json = X'FFFE'", "column json of event 3 holds a blob that is not UTF-8 where text belongs"),
    ("chain_hash = X'FF'", "column chain_hash of event 3 holds a blob that is not UTF-8 where text belongs"),
    ("json = NULL", "column json of event 3 holds NULL where text belongs"),
  ])
  func anEventColumnOfTheWrongTypeNamesTheConsultationAndTheColumn(_ change: String, _ problem: String) throws {
    let (path, archive) = try Self.twoConsultations()
    if change.hasSuffix("NULL") { try Self.allowNull(path, table: "event", column: "json") }
    try Self.sqlite3(path, "UPDATE event SET \(change) WHERE consultation_id = 'c1' AND sequence = 3")
    let error = Self.corrupt("consultation 'c1' is damaged: \(problem)")
    #expect(throws: error) { _ = try archive.store.events("c1") }
    #expect(throws: error) { _ = try archive.open("c1", clock: ManualClock(ArchiveTests.morning)) }
    #expect(try archive.store.summaries(ConsultationFilter()).summaries.map(\.id) == ["c1", "c2"])
    let results = try archive.verify()
    #expect(results.map(\.id) == ["c1", "c2"])
    #expect(results.map(\.problems) == [[error.message], []])
  }

  @Test func aDefinitionSourceOfTheWrongTypeNamesTheConsultationAndTheColumn() throws {
    let (path, archive) = try Self.twoConsultations()
    try Self.sqlite3(path, "UPDATE consultation_source SET name = X'FF' WHERE consultation_id = 'c2' AND position = 1")
    let error = Self.corrupt(
      "consultation 'c2' is damaged: "
        + "column name of its definition source 2 holds a blob that is not UTF-8 where text belongs")
    #expect(throws: error) { _ = try archive.store.definitions("c2") }
    #expect(throws: error) { _ = try archive.open("c2", clock: ManualClock(ArchiveTests.morning)) }
    #expect(try archive.verify().map(\.problems) == [[], [error.message]])
  }

  @Test func aDamagedCountRefusesAnAppendInsteadOfMisreadingIt() throws {
    let (path, archive) = try Self.twoConsultations()
    var (consultation, cursor) = try archive.open("c1", clock: ManualClock(ArchiveTests.morning))
    try Self.sqlite3(path, "UPDATE consultation SET event_count = 'abc' WHERE id = 'c1'")
    try consultation.resume()
    let error = Self.corrupt(
      "consultation 'c1' is damaged: column event_count of its summary holds text where an integer belongs")
    #expect(throws: error) { try archive.save(consultation, cursor: &cursor) }
  }
}
