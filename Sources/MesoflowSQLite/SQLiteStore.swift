import GRDB
import Mesoflow
public import MesoflowStore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The embedded default store: one SQLite file, through GRDB.
///
/// The file is created readable and writable by its owner only (SQLite gives
/// its journal files the same mode). It runs in WAL mode with
/// `synchronous = FULL`, so a write has reached the disk when the call that
/// made it returns. The schema is in docs/STORE.md.
public final class SQLiteStore: ConsultationStore, AccountStore {
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
    // Clinic accounts and their audit log. The password column holds an
    // Argon2id hash, never a password.
    migrator.registerMigration("v2-accounts") { db in
      try db.execute(
        sql: """
          CREATE TABLE account (
            name TEXT PRIMARY KEY NOT NULL,
            full_name TEXT NOT NULL,
            role TEXT NOT NULL,
            enabled INTEGER NOT NULL,
            password_hash TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            failed_attempts INTEGER NOT NULL,
            locked_until INTEGER
          ) WITHOUT ROWID;
          CREATE TABLE audit (
            sequence INTEGER PRIMARY KEY NOT NULL,
            json TEXT NOT NULL,
            chain_hash TEXT NOT NULL
          );
          """)
    }
    return migrator
  }

  public func create(_ summary: ConsultationSummary, definitions: [DefinitionSource], events: [StoredEvent]) throws {
    try write("consultation '\(summary.id)'") { db in
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
    try write("consultation '\(summary.id)'") { db in
      guard
        let row = try Row.fetchOne(
          db, sql: "SELECT event_count FROM consultation WHERE id = ?", arguments: [summary.id])
      else { throw StoreError(.notFound, "no consultation has the id '\(summary.id)'") }
      let count = try StoredRow(row, "consultation '\(summary.id)'").int("event_count")
      if let first = events.first, first.sequence != count + 1 {
        throw StoreError(
          .conflict,
          "consultation '\(summary.id)' has \(count) events, so the next is \(count + 1), not \(first.sequence)")
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
      try Row.fetchOne(db, sql: "SELECT rowid AS row_number, * FROM consultation WHERE id = ?", arguments: [id])
        .map(Self.summary)
    }
  }

  public func summaries(_ filter: ConsultationFilter) throws -> ConsultationListing {
    try read { db in
      // Filtered here rather than in SQL: a damaged row is listed whatever the filter.
      var listing = ConsultationListing(summaries: [])
      let rows = try Row.fetchAll(db, sql: "SELECT rowid AS row_number, * FROM consultation ORDER BY started_at, id")
      for row in rows {
        do {
          let summary = try Self.summary(row)
          if filter.admits(summary) { listing.summaries.append(summary) }
        } catch let error as StoreError where error.kind == .corrupt {
          listing.damaged.append(ConsultationListing.Damaged(id: Self.label(row), error: error))
        }
      }
      return listing
    }
  }

  public func definitions(_ id: String) throws -> [DefinitionSource] {
    try read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT cs.position, cs.name, s.text, cs.sha256
          FROM consultation_source cs JOIN source s ON s.sha256 = cs.sha256
          WHERE cs.consultation_id = ? ORDER BY cs.position
          """, arguments: [id]
      ).map { row in
        let position = (try? StoredRow(row, "consultation '\(id)'").int("position")).map { " \($0 + 1)" } ?? ""
        let stored = StoredRow(row, "consultation '\(id)'", "its definition source\(position)")
        return DefinitionSource(
          name: try stored.text("name"), text: try stored.text("text"), sha256: try stored.text("sha256"))
      }
    }
  }

  public func events(_ id: String) throws -> [StoredEvent] {
    try read { db in
      try Row.fetchAll(
        db, sql: "SELECT sequence, json, chain_hash FROM event WHERE consultation_id = ? ORDER BY sequence",
        arguments: [id]
      ).map { row in
        let sequence = try StoredRow(row, "consultation '\(id)'", "an event").int("sequence")
        let stored = StoredRow(row, "consultation '\(id)'", "event \(sequence)")
        return StoredEvent(
          sequence: sequence, json: try stored.text("json"), chainHash: try stored.text("chain_hash"))
      }
    }
  }

  /// Reads a summary row, or throws `corrupt` naming the consultation and
  /// the column that holds a value of the wrong type.
  private static func summary(_ row: Row) throws -> ConsultationSummary {
    let id = try StoredRow(row, "the consultation at \(label(row))").text("id")
    let stored = StoredRow(row, "consultation '\(id)'")
    let status = try stored.text("status")
    return ConsultationSummary(
      id: id, patient: try stored.optionalText("patient"), workflow: try stored.text("workflow"),
      areas: try stored.text("areas").split(separator: ",").map(String.init), staff: try stored.text("staff"),
      startedAt: Timestamp(millisecondsSinceEpoch: try stored.int64("started_at")),
      updatedAt: Timestamp(millisecondsSinceEpoch: try stored.int64("updated_at")),
      // An edited status that names no status reads as open; verify reports it.
      status: ConsultationStatus(rawValue: status) ?? .open, eventCount: try stored.int("event_count"),
      followUps: try stored.text("follow_ups").split(separator: ",").compactMap { CalendarDate(iso: $0) },
      definitionHash: try stored.text("definition_hash"))
  }

  /// How a summary row is named: by its id when that is text, else by its rowid.
  private static func label(_ row: Row) -> String {
    if let value = try? row.decode(DatabaseValue.self, forColumn: "id"), let id = String.fromDatabaseValue(value) {
      return id
    }
    let number = (try? row.decode(DatabaseValue.self, forColumn: "row_number")).flatMap(Int64.fromDatabaseValue)
    return "rowid \(number.map(String.init) ?? "?")"
  }

  // MARK: - Accounts

  public func accounts() throws -> [StoredAccount] {
    try read { db in try Row.fetchAll(db, sql: "SELECT * FROM account ORDER BY name").map(Self.account) }
  }

  public func account(named name: String) throws -> StoredAccount? {
    try read { db in
      try Row.fetchOne(db, sql: "SELECT * FROM account WHERE name = ?", arguments: [name]).map(Self.account)
    }
  }

  public func lastAuditEntry() throws -> StoredEvent? {
    try read { db in
      try Row.fetchOne(db, sql: "SELECT sequence, json, chain_hash FROM audit ORDER BY sequence DESC LIMIT 1")
        .map(Self.auditEntry)
    }
  }

  public func auditEntries() throws -> [StoredEvent] {
    try read { db in
      try Row.fetchAll(db, sql: "SELECT sequence, json, chain_hash FROM audit ORDER BY sequence").map(Self.auditEntry)
    }
  }

  public func commit(_ entries: [StoredEvent], accounts: [StoredAccount]) throws {
    try write("the audit log") { db in
      let last = try Int.fetchOne(db, sql: "SELECT MAX(sequence) FROM audit") ?? 0
      for (offset, entry) in entries.enumerated() where entry.sequence != last + offset + 1 {
        throw StoreError(
          .conflict, "the audit log has \(last) entries, so the next is \(last + offset + 1), not \(entry.sequence)")
      }
      for entry in entries {
        try db.execute(
          sql: "INSERT INTO audit (sequence, json, chain_hash) VALUES (?, ?, ?)",
          arguments: [entry.sequence, entry.json, entry.chainHash])
      }
      for account in accounts {
        try db.execute(
          sql: """
            INSERT OR REPLACE INTO account (name, full_name, role, enabled, password_hash, created_at,
              failed_attempts, locked_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """,
          arguments: [
            account.name, account.fullName, account.role.rawValue, account.isEnabled ? 1 : 0, account.passwordHash,
            account.createdAt.millisecondsSinceEpoch, account.failedAttempts,
            account.lockedUntil?.millisecondsSinceEpoch,
          ])
      }
    }
  }

  /// Reads an account row, or throws `corrupt` naming the account and the column.
  private static func account(_ row: Row) throws -> StoredAccount {
    let name = try StoredRow(row, "an account", "its row").text("name")
    let stored = StoredRow(row, "account '\(name)'", "its row")
    let role = try stored.text("role")
    guard let accountRole = AccountRole(rawValue: role) else {
      throw StoreError(.corrupt, "account '\(name)' is damaged: column role holds '\(role)', which is no role")
    }
    return StoredAccount(
      name: name, fullName: try stored.text("full_name"), role: accountRole,
      isEnabled: try stored.int64("enabled") != 0, passwordHash: try stored.text("password_hash"),
      createdAt: Timestamp(millisecondsSinceEpoch: try stored.int64("created_at")),
      failedAttempts: try stored.int("failed_attempts"),
      lockedUntil: try stored.optionalInt64("locked_until").map(Timestamp.init(millisecondsSinceEpoch:)))
  }

  private static func auditEntry(_ row: Row) throws -> StoredEvent {
    let sequence = try StoredRow(row, "the audit log", "an entry").int("sequence")
    let stored = StoredRow(row, "the audit log", "entry \(sequence)")
    return StoredEvent(sequence: sequence, json: try stored.text("json"), chainHash: try stored.text("chain_hash"))
  }

  // MARK: - Access

  /// Runs `work` in a write transaction; `what` names what it records.
  private func write(_ what: String, _ work: (Database) throws -> Void) throws {
    do {
      try queue.write(work)
    } catch let error as StoreError {
      throw error
    } catch {
      throw StoreError(.io, "\(path): cannot record \(what): \(Self.reason(error))")
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

/// One stored row, read column by column: a value of the wrong type (a row
/// edited with the sqlite3 tool, say) becomes a ``StoreError`` of kind
/// `corrupt` naming the consultation and the column, never a crash.
///
/// Text is read as GRDB reads it (text, or a blob of UTF-8). An integer
/// column must hold an integer: GRDB would truncate a real and SQLite's
/// column functions would read `'abc'` as 0, and the engine writes neither.
private struct StoredRow {
  let row: Row
  /// Whose row it is: `consultation 'ID'`.
  let owner: String
  /// What the row is of the consultation's: `its summary`, `event 3`.
  let part: String

  init(_ row: Row, _ owner: String, _ part: String = "its summary") {
    self.row = row
    self.owner = owner
    self.part = part
  }

  func text(_ column: String) throws -> String { try value(column, expected: "text", String.fromDatabaseValue) }

  func optionalText(_ column: String) throws -> String? {
    try value(column, expected: "text or NULL") { value -> String?? in
      value.isNull ? .some(nil) : String.fromDatabaseValue(value).map(Optional.some)
    }
  }

  func int64(_ column: String) throws -> Int64 {
    try value(column, expected: "an integer") { value in
      if case .int64(let integer) = value.storage { return integer }
      return nil
    }
  }

  func optionalInt64(_ column: String) throws -> Int64? {
    try value(column, expected: "an integer or NULL") { value -> Int64?? in
      if value.isNull { return .some(nil) }
      if case .int64(let integer) = value.storage { return .some(integer) }
      return nil
    }
  }

  func int(_ column: String) throws -> Int {
    let integer = try int64(column)
    guard let value = Int(exactly: integer) else {
      throw StoreError(.corrupt, "\(owner) is damaged: column \(column) of \(part) holds \(integer), out of range")
    }
    return value
  }

  /// The column's value converted by `convert`, which returns `nil` when it is of the wrong type.
  private func value<T>(_ column: String, expected: String, _ convert: (DatabaseValue) -> T?) throws -> T {
    guard let stored = try? row.decode(DatabaseValue.self, forColumn: column) else {
      throw StoreError(.corrupt, "\(owner) is damaged: column \(column) of \(part) is missing")
    }
    guard let value = convert(stored) else {
      let held: String
      switch stored.storage {
      case .null: held = "NULL"
      case .int64: held = "an integer"
      case .double: held = "a real number"
      case .string: held = "text"
      case .blob: held = expected.hasPrefix("text") ? "a blob that is not UTF-8" : "a blob"
      }
      throw StoreError(
        .corrupt, "\(owner) is damaged: column \(column) of \(part) holds \(held) where \(expected) belongs")
    }
    return value
  }
}
