import Mesoflow
import Synchronization

/// A store that keeps everything in memory: for tests, previews and
/// integrators who persist elsewhere. Nothing survives the process.
public final class MemoryStore: ConsultationStore {
  private struct Entry {
    var summary: ConsultationSummary
    var definitions: [DefinitionSource]
    var events: [StoredEvent]
  }

  private let entries = Mutex<[String: Entry]>([:])

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
}
