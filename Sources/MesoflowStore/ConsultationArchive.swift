public import Mesoflow
import MesoflowYAML

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Keeps consultations in a ``ConsultationStore``: encodes their events,
/// links them in a SHA-256 hash chain, rebuilds a consultation under the
/// definitions it started with, and verifies what was stored.
///
/// ```swift
/// let archive = ConsultationArchive(store: try SQLiteStore(path: "clinic.sqlite"))
/// var cursor = try archive.begin(consultation, definitions: sources)
/// try consultation.answer("age", .integer(34))
/// try archive.save(consultation, cursor: &cursor)   // durable before the next question
/// ```
public struct ConsultationArchive: Sendable {
  /// Where the consultations are kept.
  public let store: any ConsultationStore

  /// Creates an archive over `store`.
  public init(store: any ConsultationStore) { self.store = store }

  /// How far a consultation has been saved: the caller keeps it between saves.
  public struct Cursor: Sendable, Hashable {
    /// The consultation's id.
    public let id: String
    /// The number of events stored.
    public internal(set) var savedCount: Int
    /// The hash of the last stored event (the chain's head), in hex.
    public var head: String { link.description }
    var link: SHA256Digest
  }

  /// Starts keeping a new consultation: its definitions and its events so far.
  ///
  /// - Parameters:
  ///   - consultation: The consultation, as it stands; its events so far are
  ///     stored with it.
  ///   - definitions: The sources of the workflow and plugins it was
  ///     merged from, so that it can be resumed under them after they change.
  ///     Empty for definitions built in Swift; open those with a workflow.
  /// - Returns: How far it has been saved, for the next ``save(_:cursor:)``.
  /// - Throws: The store's error, such as ``StoreError`` of kind
  ///   `alreadyExists` when the id is taken.
  public func begin(_ consultation: Consultation, definitions: [DefinitionSource]) throws -> Cursor {
    let id = consultation.state.start.id
    var cursor = Cursor(id: id, savedCount: 0, link: Self.genesis(id))
    let events = try encode(consultation.events[...], cursor: &cursor)
    try store.create(ConsultationSummary(consultation), definitions: definitions, events: events)
    return cursor
  }

  /// Stores the events of `consultation` recorded since the last save, with
  /// its new summary. Nothing happens when there are none.
  public func save(_ consultation: Consultation, cursor: inout Cursor) throws {
    guard consultation.events.count > cursor.savedCount else { return }
    var next = cursor
    let events = try encode(consultation.events[cursor.savedCount...], cursor: &next)
    try store.append(events, summary: ConsultationSummary(consultation))
    cursor = next
  }

  /// Rebuilds a stored consultation.
  ///
  /// - Parameters:
  ///   - id: The consultation's id.
  ///   - clock: The clock it goes on with.
  ///   - workflow: The merged definitions to replay under; by default those
  ///     rebuilt from the stored sources.
  /// - Throws: ``StoreError`` of kind `notFound`, or `corrupt` when the
  ///   stored events break the hash chain, or they or the definitions cannot
  ///   be read back or replayed.
  public func open(_ id: String, clock: any ConsultationClock, workflow: MergedWorkflow? = nil) throws -> (
    Consultation, Cursor
  ) {
    guard let summary = try store.summary(id) else { throw StoreError(.notFound, "no consultation has the id '\(id)'") }
    let merged = try workflow ?? definitions(of: summary)
    let stored = try store.events(id)
    var link = Self.genesis(id)
    var events: [ConsultationEvent] = []
    events.reserveCapacity(stored.count)
    let decoder = JSONDecoder()
    for row in stored {
      link = Self.link(link, row.json)
      guard link.description == row.chainHash else {
        throw StoreError(
          .corrupt,
          "consultation '\(id)', event \(row.sequence): it does not match the hash chain, so it was edited after it was recorded; mesoflow verify shows every problem"
        )
      }
      do {
        events.append(try decoder.decode(ConsultationEvent.self, from: Data(row.json.utf8)))
      } catch {
        throw StoreError(.corrupt, "consultation '\(id)', event \(row.sequence): cannot be read (\(error))")
      }
    }
    do {
      let consultation = try Consultation(
        replaying: events, workflow: merged, clock: clock, timeZone: Self.timeZone(of: events))
      return (consultation, Cursor(id: id, savedCount: stored.count, link: link))
    } catch {
      throw StoreError(.corrupt, "consultation '\(id)': \(error.message)")
    }
  }

  /// The time zone the consultation's start names, as this system's
  /// database has it (its recorded offset where the system lacks the name).
  static func timeZone(of events: [ConsultationEvent]) -> ClinicTimeZone? {
    guard let first = events.first, case .started(let start) = first.kind else { return nil }
    return .recorded(by: start)
  }

  /// The workflow a stored consultation started with, merged again from its
  /// stored sources.
  public func definitions(of summary: ConsultationSummary) throws -> MergedWorkflow {
    let sources = try store.definitions(summary.id)
    guard !sources.isEmpty else {
      throw StoreError(
        .corrupt, "consultation '\(summary.id)' was started with definitions built in Swift; open it with its workflow")
    }
    let catalog = Catalog(sources: sources.map { SourceText(name: $0.name, text: $0.text) })
    if let problem = catalog.diagnostics.first(where: { $0.severity == .error }) {
      throw StoreError(.corrupt, "consultation '\(summary.id)': its stored definitions do not load: \(problem)")
    }
    do {
      return try catalog.merged(workflow: summary.workflow, areas: summary.areas)
    } catch {
      throw StoreError(.corrupt, "consultation '\(summary.id)': \(error.message)")
    }
  }

  // MARK: - Verifying

  /// What ``verify(_:)`` found about one consultation.
  public struct Verification: Sendable, Hashable {
    /// The consultation's id.
    public var id: String
    /// Every problem found; empty when the record is intact.
    public var problems: [String]
    /// The number of events checked.
    public var eventCount: Int
    /// The hash of the last event: written down elsewhere, it shows later
    /// that the whole chain was not rewritten.
    public var head: String

    /// Whether nothing was found.
    public var isIntact: Bool { problems.isEmpty }
  }

  /// Checks stored consultations: the hash of each definition source, every
  /// link of the event chain, that the events replay, and that the summary
  /// agrees with them.
  ///
  /// A consultation whose stored rows cannot be read back (a value of the
  /// wrong type, say) is reported with that problem, and the others are
  /// still checked.
  ///
  /// - Parameter id: One consultation, or every one when `nil`.
  /// - Throws: ``StoreError`` of kind `notFound` for an unknown `id`, or
  ///   when the store itself cannot be read.
  public func verify(_ id: String? = nil) throws -> [Verification] {
    guard let id else {
      let listing = try store.summaries(ConsultationFilter())
      return try listing.summaries.map { try verifyOne($0.id) }
        + listing.damaged.map { try verifyOne($0.id, damaged: $0.error) }
    }
    do {
      guard try store.summary(id) != nil else { throw StoreError(.notFound, "no consultation has the id '\(id)'") }
    } catch let error as StoreError where error.kind == .corrupt {
      return [try verifyOne(id, damaged: error)]
    }
    return [try verifyOne(id)]
  }

  /// - Parameter damaged: Why the consultation's summary cannot be read, when
  ///   the listing found out already.
  private func verifyOne(_ id: String, damaged: StoreError? = nil) throws -> Verification {
    var problems: [String] = []
    /// Runs one read of the store; a damaged row becomes a problem, and `nil`.
    func reading<T>(_ work: () throws -> T) throws -> T? {
      do {
        return try work()
      } catch let error as StoreError where error.kind == .corrupt {
        problems.append(error.message)
        return nil
      }
    }
    var stored: ConsultationSummary?
    if let damaged {
      problems.append(damaged.message)
    } else {
      switch try reading({ try store.summary(id) }) {
      case .some(nil):
        return Verification(
          id: id, problems: ["the consultation disappeared during the check"], eventCount: 0, head: "")
      case .some(.some(let summary)): stored = summary
      case nil: break
      }
    }
    let sources = try reading { try store.definitions(id) } ?? []
    for source in sources where SHA256.hash(source.text).description != source.sha256 {
      problems.append("definition source '\(source.name)' does not match its recorded hash: it was edited")
    }
    let readable = try reading { try store.events(id) }
    let rows = readable ?? []
    var link = Self.genesis(id)
    var events: [ConsultationEvent] = []
    let decoder = JSONDecoder()
    var chainBroken = readable == nil
    for (index, row) in rows.enumerated() {
      if row.sequence != index + 1 {
        problems.append("event \(index + 1) is missing (the next stored is \(row.sequence)): events were deleted")
        chainBroken = true
        break
      }
      link = Self.link(link, row.json)
      if link.description != row.chainHash {
        problems.append(
          "event \(row.sequence) does not match the hash chain: it was edited or replaced after it was recorded")
        chainBroken = true
        break
      }
      guard let event = try? decoder.decode(ConsultationEvent.self, from: Data(row.json.utf8)),
        event.sequence == row.sequence
      else {
        problems.append("event \(row.sequence) cannot be read as an event")
        chainBroken = true
        break
      }
      events.append(event)
    }
    // Replayed only under intact stored sources and a readable summary;
    // Swift-built definitions are not stored, so those consultations are
    // checked by their chain alone.
    if let stored, !chainBroken, problems.isEmpty, !sources.isEmpty {
      do {
        let merged = try definitions(of: stored)
        let consultation = try Consultation(
          replaying: events, workflow: merged, clock: FixedClock(stored.updatedAt), timeZone: Self.timeZone(of: events))
        let actual = ConsultationSummary(consultation)
        problems += Self.differences(stored: stored, actual: actual)
      } catch let error as StoreError {
        problems.append(error.message)
      } catch {
        problems.append("the events do not replay: \(error)")
      }
    }
    return Verification(id: id, problems: problems, eventCount: rows.count, head: link.description)
  }

  static func differences(stored: ConsultationSummary, actual: ConsultationSummary) -> [String] {
    var problems: [String] = []
    func compare<T: Equatable>(_ name: String, _ a: T, _ b: T) {
      if a != b { problems.append("the summary's \(name) is '\(a)' but the events say '\(b)': it was edited") }
    }
    compare("status", stored.status.rawValue, actual.status.rawValue)
    compare("patient", stored.patient ?? "", actual.patient ?? "")
    compare("workflow", stored.workflow, actual.workflow)
    compare("areas", stored.areas.joined(separator: ","), actual.areas.joined(separator: ","))
    compare("staff", stored.staff, actual.staff)
    compare("start time", stored.startedAt.description, actual.startedAt.description)
    compare("last event time", stored.updatedAt.description, actual.updatedAt.description)
    compare("event count", stored.eventCount, actual.eventCount)
    compare(
      "follow-up dates", stored.followUps.map(\.description).joined(separator: ","),
      actual.followUps.map(\.description).joined(separator: ","))
    compare("definition hash", stored.definitionHash, actual.definitionHash)
    return problems
  }

  // MARK: - The chain

  /// The link before the first event: bound to the consultation's id, so
  /// that events cannot be moved from one consultation to another.
  static func genesis(_ id: String) -> SHA256Digest { SHA256.hash("mesoflow event chain v1\n" + id) }

  /// The link after `json`: SHA-256 over the previous link's 32 bytes and the json's UTF-8.
  static func link(_ previous: SHA256Digest, _ json: String) -> SHA256Digest {
    var hasher = SHA256()
    hasher.update(previous.bytes)
    hasher.update(json)
    return hasher.finalize()
  }

  private func encode(_ events: ArraySlice<ConsultationEvent>, cursor: inout Cursor) throws -> [StoredEvent] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var stored: [StoredEvent] = []
    stored.reserveCapacity(events.count)
    for event in events {
      let json = String(decoding: try encoder.encode(event), as: UTF8.self)
      cursor.link = Self.link(cursor.link, json)
      cursor.savedCount += 1
      stored.append(StoredEvent(sequence: event.sequence, json: json, chainHash: cursor.link.description))
    }
    return stored
  }
}

/// A clock that always reads one instant: replays for verification never
/// need the time.
struct FixedClock: ConsultationClock {
  let instant: Timestamp
  init(_ instant: Timestamp) { self.instant = instant }
  func now() -> Timestamp { instant }
}
