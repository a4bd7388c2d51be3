#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif
import GRDB
import Mesoflow
public import MesoflowStore

/// The embedded default store: one SQLite file, through GRDB.
///
/// The file is created readable and writable by its owner only (SQLite gives
/// its journal files the same mode). It runs in WAL mode with
/// `synchronous = FULL`, so a write has reached the disk when the call that
/// made it returns. The schema is in docs/STORE.md.
public final class SQLiteStore: ConsultationStore {
  private let queue: DatabaseQueue
  /// The database file.
  public let path: String

  /// Opens the store at `path`, creating the file and its folder when absent.
  ///
  /// - Throws: ``StoreError`` of kind `io` naming the path and the reason.
  public init(path: String) throws {
    self.path = path
    try Self.prepareFile(at: path)
    var configuration = Configuration()
    configuration.busyMode = .timeout(5)
    configuration.prepareDatabase { db in
      try db.execute(sql: "PRAGMA journal_mode = WAL")
      try db.execute(sql: "PRAGMA synchronous = FULL")
      try db.execute(sql: "PRAGMA foreign_keys = ON")
    }
    do {
      queue = try DatabaseQueue(path: path, configuration: configuration)
      try Self.migrator.migrate(queue)
    } catch {
      throw StoreError(.io, "\(path): cannot open the consultation store: \(Self.reason(error))")
    }
  }

  private static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1") { db in
      try db.execute(
        sql: """
          CREATE TABLE consultation (
            id TEXT PRIMARY KEY NOT NULL,
            patient TEXT,
            workflow TEXT NOT NULL,
            areas TEXT NOT NULL,
            staff TEXT NOT NULL,
            started_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            status TEXT NOT NULL,
            event_count INTEGER NOT NULL,
            follow_ups TEXT NOT NULL,
            definition_hash TEXT NOT NULL
          );
          CREATE INDEX consultation_status ON consultation(status, started_at);
          CREATE TABLE source (
            sha256 TEXT PRIMARY KEY NOT NULL,
            text TEXT NOT NULL
          );
          CREATE TABLE consultation_source (
            consultation_id TEXT NOT NULL REFERENCES consultation(id),
            position INTEGER NOT NULL,
            name TEXT NOT NULL,
            sha256 TEXT NOT NULL REFERENCES source(sha256),
            PRIMARY KEY (consultation_id, position)
          );
          CREATE TABLE event (
            consultation_id TEXT NOT NULL REFERENCES consultation(id),
            sequence INTEGER NOT NULL,
            json TEXT NOT NULL,
            chain_hash TEXT NOT NULL,
            PRIMARY KEY (consultation_id, sequence)
          ) WITHOUT ROWID;
          """)
    }
    return migrator
  }

  public func create(_ summary: ConsultationSummary, definitions: [DefinitionSource], events: [StoredEvent]) throws {
    try write(summary.id) { db in
      if try Bool.fetchOne(db, sql: "SELECT 1 FROM consultation WHERE id = ?", arguments: [summary.id]) == true {
        throw StoreError(.alreadyExists, "a consultation with the id '\(summary.id)' exists already")
      }
      try db.execute(
        sql: """
          INSERT INTO consultation (id, patient, workflow, areas, staff, started_at, updated_at, status,
            event_count, follow_ups, definition_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          """,
        arguments: [
          summary.id, summary.patient, summary.workflow, summary.areas.joined(separator: ","), summary.staff,
          summary.startedAt.millisecondsSinceEpoch, summary.updatedAt.millisecondsSinceEpoch, summary.status.rawValue,
          summary.eventCount, summary.followUps.map(\.description).joined(separator: ","), summary.definitionHash,
        ])
      for (position, source) in definitions.enumerated() {
        try db.execute(
          sql: "INSERT OR IGNORE INTO source (sha256, text) VALUES (?, ?)", arguments: [source.sha256, source.text])
        try db.execute(
          sql: "INSERT INTO consultation_source (consultation_id, position, name, sha256) VALUES (?, ?, ?, ?)",
          arguments: [summary.id, position, source.name, source.sha256])
      }
      try Self.insert(events, for: summary.id, db)
    }
  }

  public func append(_ events: [StoredEvent], summary: ConsultationSummary) throws {
    try write(summary.id) { db in
      guard let count = try Int.fetchOne(db, sql: "SELECT event_count FROM consultation WHERE id = ?", arguments: [summary.id])
      else { throw StoreError(.notFound, "no consultation has the id '\(summary.id)'") }
      if let first = events.first, first.sequence != count + 1 {
        throw StoreError(
          .conflict, "consultation '\(summary.id)' has \(count) events, so the next is \(count + 1), not \(first.sequence)")
      }
      try Self.insert(events, for: summary.id, db)
      try db.execute(
        sql: """
          UPDATE consultation SET updated_at = ?, status = ?, event_count = ?, follow_ups = ? WHERE id = ?
          """,
        arguments: [
          summary.updatedAt.millisecondsSinceEpoch, summary.status.rawValue, summary.eventCount,
          summary.followUps.map(\.description).joined(separator: ","), summary.id,
        ])
    }
  }

  private static func insert(_ events: [StoredEvent], for id: String, _ db: Database) throws {
    let statement = try db.cachedStatement(
      sql: "INSERT INTO event (consultation_id, sequence, json, chain_hash) VALUES (?, ?, ?, ?)")
    for event in events {
      try statement.execute(arguments: [id, event.sequence, event.json, event.chainHash])
    }
  }

  public func summary(_ id: String) throws -> ConsultationSummary? {
    try read { db in
      try Row.fetchOne(db, sql: "SELECT * FROM consultation WHERE id = ?", arguments: [id]).map(Self.summary)
    }
  }

  public func summaries(_ filter: ConsultationFilter) throws -> [ConsultationSummary] {
    try read { db in
      var sql = "SELECT * FROM consultation"
      var arguments: StatementArguments = []
      if let status = filter.status {
        sql += " WHERE status = ?"
        arguments += [status.rawValue]
      }
      sql += " ORDER BY started_at, id"
      return try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.summary).filter(filter.admits)
    }
  }

  public func definitions(_ id: String) throws -> [DefinitionSource] {
    try read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT cs.name, s.text, cs.sha256 FROM consultation_source cs JOIN source s ON s.sha256 = cs.sha256
          WHERE cs.consultation_id = ? ORDER BY cs.position
          """, arguments: [id]
      ).map { row in DefinitionSource(name: row[0], text: row[1], sha256: row[2]) }
    }
  }

  public func events(_ id: String) throws -> [StoredEvent] {
    try read { db in
      try Row.fetchAll(
        db, sql: "SELECT sequence, json, chain_hash FROM event WHERE consultation_id = ? ORDER BY sequence",
        arguments: [id]
      ).map { row in StoredEvent(sequence: row[0], json: row[1], chainHash: row[2]) }
    }
  }

  private static func summary(_ row: Row) -> ConsultationSummary {
    let areas: String = row["areas"]
    let followUps: String = row["follow_ups"]
    let status: String = row["status"]
    return ConsultationSummary(
      id: row["id"], patient: row["patient"], workflow: row["workflow"],
      areas: areas.split(separator: ",").map(String.init), staff: row["staff"],
      startedAt: Timestamp(millisecondsSinceEpoch: row["started_at"]),
      updatedAt: Timestamp(millisecondsSinceEpoch: row["updated_at"]),
      // An edited status that names no status reads as open; verify reports it.
      status: ConsultationStatus(rawValue: status) ?? .open, eventCount: row["event_count"],
      followUps: followUps.split(separator: ",").compactMap { CalendarDate(iso: $0) },
      definitionHash: row["definition_hash"])
  }

  // MARK: - Access

  private func write(_ id: String, _ work: (Database) throws -> Void) throws {
    do {
      try queue.write(work)
    } catch let error as StoreError {
      throw error
    } catch {
      throw StoreError(.io, "\(path): cannot record consultation '\(id)': \(Self.reason(error))")
    }
  }

  private func read<T>(_ work: (Database) throws -> T) throws -> T {
    do {
      return try queue.read(work)
    } catch let error as StoreError {
      throw error
    } catch {
      throw StoreError(.io, "\(path): cannot read the consultation store: \(Self.reason(error))")
    }
  }

  private static func reason(_ error: any Error) -> String {
    if let error = error as? DatabaseError { return error.message ?? "\(error.resultCode)" }
    return "\(error)"
  }

  /// Creates the folder (owner only) and an empty file readable by its owner
  /// only, unless the file exists.
  private static func prepareFile(at path: String) throws {
    let folder = PathName.parent(of: path)
    if folder != "." { try makeFolders(folder) }
    let fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
    if fd >= 0 {
      close(fd)
    } else if errno != EEXIST {
      throw StoreError(.io, "\(path): cannot create the consultation store: \(String(cString: strerror(errno)))")
    }
  }

  private static func makeFolders(_ folder: String) throws {
    var built = folder.hasPrefix("/") ? "" : "."
    for part in folder.split(separator: "/") {
      built += "/" + part
      if mkdir(built, 0o700) != 0, errno != EEXIST {
        throw StoreError(.io, "\(built): cannot create the store's folder: \(String(cString: strerror(errno)))")
      }
    }
  }
}
