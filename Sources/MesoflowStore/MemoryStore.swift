import Mesoflow
import Synchronization

/// A store that keeps everything in memory: for tests, previews and
/// integrators who persist elsewhere. Nothing survives the process.
public final class MemoryStore: ConsultationStore, AccountStore {
  private struct Entry {
    var summary: ConsultationSummary
    var definitions: [DefinitionSource]
    var events: [StoredEvent]
  }

  private let entries = Mutex<[String: Entry]>([:])

  private struct Accounts {
    var byName: [String: StoredAccount] = [:]
    var audit: [StoredEvent] = []
  }

  private let accountState = Mutex(Accounts())

  /// Creates an empty store.
  public init() {}

  public func create(_ summary: ConsultationSummary, definitions: [DefinitionSource], events: [StoredEvent]) throws {
    try entries.withLock { entries in
      guard entries[summary.id] == nil else {
        throw StoreError(.alreadyExists, "a consultation with the id '\(summary.id)' exists already")
      }
      entries[summary.id] = Entry(summary: summary, definitions: definitions, events: events)
    }
  }

  public func append(_ events: [StoredEvent], summary: ConsultationSummary) throws {
    try entries.withLock { entries in
      guard var entry = entries[summary.id] else {
        throw StoreError(.notFound, "no consultation has the id '\(summary.id)'")
      }
      for event in events {
        guard event.sequence == entry.events.count + 1 else {
          throw StoreError(.conflict, "consultation '\(summary.id)' already has an event \(event.sequence)")
        }
        entry.events.append(event)
      }
      entry.summary = summary
      entries[summary.id] = entry
    }
  }

  public func summary(_ id: String) throws -> ConsultationSummary? { entries.withLock { $0[id]?.summary } }

  public func summaries(_ filter: ConsultationFilter) throws -> ConsultationListing {
    // Nothing kept in memory can be damaged: every summary is readable.
    let summaries = entries.withLock { entries in
      entries.values.map(\.summary).filter(filter.admits).sorted { ($0.startedAt, $0.id) < ($1.startedAt, $1.id) }
    }
    return ConsultationListing(summaries: summaries)
  }

  public func definitions(_ id: String) throws -> [DefinitionSource] {
    try entries.withLock { entries in
      guard let entry = entries[id] else { throw StoreError(.notFound, "no consultation has the id '\(id)'") }
      return entry.definitions
    }
  }

  public func events(_ id: String) throws -> [StoredEvent] {
    try entries.withLock { entries in
      guard let entry = entries[id] else { throw StoreError(.notFound, "no consultation has the id '\(id)'") }
      return entry.events
    }
  }

  /// Replaces one stored event's json, keeping its hash: what someone
  /// editing the store behind the engine's back does. For tests of
  /// ``ConsultationArchive/verify(_:)``.
  package func tamper(_ id: String, sequence: Int, json: String) {
    entries.withLock { entries in
      guard let index = entries[id]?.events.firstIndex(where: { $0.sequence == sequence }) else { return }
      entries[id]?.events[index].json = json
    }
  }

  // MARK: - Accounts

  public func accounts() throws -> [StoredAccount] {
    accountState.withLock { $0.byName.values.sorted { $0.name < $1.name } }
  }

  public func account(named name: String) throws -> StoredAccount? { accountState.withLock { $0.byName[name] } }

  public func lastAuditEntry() throws -> StoredEvent? { accountState.withLock { $0.audit.last } }

  public func auditEntries() throws -> [StoredEvent] { accountState.withLock { $0.audit } }

  public func commit(_ entries: [StoredEvent], accounts: [StoredAccount]) throws {
    try accountState.withLock { state in
      for (offset, entry) in entries.enumerated() where entry.sequence != state.audit.count + offset + 1 {
        throw StoreError(.conflict, "the audit log already has an entry \(entry.sequence)")
      }
      state.audit += entries
      for account in accounts { state.byName[account.name] = account }
    }
  }

  /// Replaces one audit entry's json, keeping its hash. For tests of
  /// ``AccountDirectory/verifyAuditLog()``.
  package func tamperAudit(sequence: Int, json: String) {
    accountState.withLock { state in
      guard let index = state.audit.firstIndex(where: { $0.sequence == sequence }) else { return }
      state.audit[index].json = json
    }
  }
}
