public import Mesoflow

/// Where consultations are kept: their events, the definitions they started
/// with, and a summary for finding them.
///
/// A store keeps what it is given and hands it back unchanged; it needs no
/// knowledge of the engine. The hash chain, replay and verification live in
/// ``ConsultationArchive``, which works over any store. `SQLiteStore` (in
/// `MesoflowSQLite`) is the embedded default; ``MemoryStore`` keeps
/// everything in memory, for tests and previews.
///
/// Every method that writes must have made its change durable when it returns:
/// staff are shown the next question only after it does.
public protocol ConsultationStore: Sendable {
  /// Records a new consultation: its summary, the definitions it started
  /// with and its first events, all or nothing.
  ///
  /// - Throws: ``StoreError`` of kind `alreadyExists` when the id is taken.
  func create(_ summary: ConsultationSummary, definitions: [DefinitionSource], events: [StoredEvent]) throws

  /// Appends events to a consultation and replaces its summary, all or
  /// nothing. The events continue the sequence already stored.
  ///
  /// - Throws: ``StoreError`` of kind `notFound`, or `conflict` when an
  ///   event's sequence number is already taken.
  func append(_ events: [StoredEvent], summary: ConsultationSummary) throws

  /// The summary of one consultation, or `nil`.
  ///
  /// - Throws: ``StoreError`` of kind `corrupt`, naming the consultation and
  ///   the column, when its stored summary cannot be read back.
  func summary(_ id: String) throws -> ConsultationSummary?

  /// The summaries that pass `filter`, oldest first, and apart from them the
  /// consultations whose stored summary cannot be read back.
  ///
  /// One damaged row does not hide the others: it is listed in
  /// ``ConsultationListing/damaged`` whatever the filter, since nothing it
  /// holds can be trusted to filter it by. The method throws only when the
  /// store itself cannot be read.
  func summaries(_ filter: ConsultationFilter) throws -> ConsultationListing

  /// The definitions a consultation started with, in the order given.
  ///
  /// - Throws: ``StoreError`` of kind `corrupt`, naming the consultation and
  ///   the column, when one cannot be read back.
  func definitions(_ id: String) throws -> [DefinitionSource]

  /// A consultation's events in sequence order.
  ///
  /// - Throws: ``StoreError`` of kind `corrupt`, naming the consultation and
  ///   the column, when one cannot be read back.
  func events(_ id: String) throws -> [StoredEvent]
}

/// What a store lists: the summaries it could read and the consultations it
/// could not.
public struct ConsultationListing: Sendable, Hashable {
  /// A consultation whose stored summary cannot be read back.
  public struct Damaged: Sendable, Hashable {
    /// The consultation's id; `rowid N` when the id itself cannot be read.
    public var id: String
    /// The error of kind `corrupt`, naming the consultation and the column.
    public var error: StoreError

    /// Creates an entry.
    public init(id: String, error: StoreError) {
      self.id = id
      self.error = error
    }
  }

  /// The summaries that pass the filter, oldest first.
  public var summaries: [ConsultationSummary]
  /// The consultations that cannot be read, whatever the filter.
  public var damaged: [Damaged]

  /// Creates a listing.
  public init(summaries: [ConsultationSummary], damaged: [Damaged] = []) {
    self.summaries = summaries
    self.damaged = damaged
  }
}

/// One event as stored: its JSON and its link in the hash chain.
public struct StoredEvent: Sendable, Hashable {
  /// The event's position, from 1.
  public var sequence: Int
  /// The event's JSON (see docs/STORE.md), exactly as hashed.
  public var json: String
  /// SHA-256 in hex over the previous link's hash and `json`.
  public var chainHash: String

  /// Creates a stored event.
  public init(sequence: Int, json: String, chainHash: String) {
    self.sequence = sequence
    self.json = json
    self.chainHash = chainHash
  }
}

/// A definition file a consultation started with, kept whole.
public struct DefinitionSource: Sendable, Hashable {
  /// The file's name when it was read (`Workflows/mesotherapy.yaml`).
  public var name: String
  /// Its content.
  public var text: String
  /// SHA-256 of `text` in hex.
  public var sha256: String

  /// Creates a source, computing its hash.
  public init(name: String, text: String) {
    self.name = name
    self.text = text
    sha256 = SHA256.hash(text).description
  }

  /// Creates a source with the hash it was stored with.
  public init(name: String, text: String, sha256: String) {
    self.name = name
    self.text = text
    self.sha256 = sha256
  }
}

/// Where a consultation stands, for lists.
public enum ConsultationStatus: String, Sendable, Hashable, CaseIterable, Codable {
  /// Not ended: in progress, paused or interrupted.
  case open
  /// Ended as completed.
  case completed
  /// Ended as deferred.
  case deferred
  /// Ended as referred.
  case referred

  /// The status of a consultation that ended with `outcome`, or is open.
  public init(_ outcome: Outcome?) {
    switch outcome {
    case nil: self = .open
    case .completed: self = .completed
    case .deferred: self = .deferred
    case .referred: self = .referred
    }
  }
}

/// What a store keeps about a consultation to find it without replaying it.
/// ``ConsultationArchive/verify(_:)`` checks it against the events.
public struct ConsultationSummary: Sendable, Hashable {
  /// The consultation's id.
  public var id: String
  /// The clinic's patient identifier, if given.
  public var patient: String?
  /// The workflow's id.
  public var workflow: String
  /// The areas covered.
  public var areas: [String]
  /// Who started it.
  public var staff: String
  /// When it started.
  public var startedAt: Timestamp
  /// When its latest event happened.
  public var updatedAt: Timestamp
  /// Where it stands.
  public var status: ConsultationStatus
  /// The number of events.
  public var eventCount: Int
  /// The follow-up dates, once treated.
  public var followUps: [CalendarDate]
  /// The hash of the merged definitions it started with.
  public var definitionHash: String

  /// Creates a summary.
  public init(
    id: String, patient: String?, workflow: String, areas: [String], staff: String, startedAt: Timestamp,
    updatedAt: Timestamp, status: ConsultationStatus, eventCount: Int, followUps: [CalendarDate],
    definitionHash: String
  ) {
    self.id = id
    self.patient = patient
    self.workflow = workflow
    self.areas = areas
    self.staff = staff
    self.startedAt = startedAt
    self.updatedAt = updatedAt
    self.status = status
    self.eventCount = eventCount
    self.followUps = followUps
    self.definitionHash = definitionHash
  }

  /// The summary of `consultation` as it stands.
  public init(_ consultation: Consultation) {
    let state = consultation.state
    // Saved after every answer: derive only the follow-up dates (a session
    // still to be booked counts on the day it falls due, so that it is
    // listed among the follow-ups due).
    let followUps = consultation.followUpSchedule.map { $0.date ?? $0.dueDate }.sorted()
    self.init(
      id: state.start.id, patient: state.start.patient, workflow: state.start.workflow, areas: state.start.areas,
      staff: state.start.staff.name, startedAt: state.startedAt, updatedAt: state.lastEventAt,
      status: ConsultationStatus(state.outcome), eventCount: consultation.events.count,
      followUps: followUps, definitionHash: state.start.definitionHash)
  }
}

/// Which consultations to list.
public struct ConsultationFilter: Sendable, Hashable {
  /// Only those with this status.
  public var status: ConsultationStatus?
  /// Only those with a follow-up before this date.
  public var followUpBefore: CalendarDate?

  /// Creates a filter; with no argument, every consultation passes.
  public init(status: ConsultationStatus? = nil, followUpBefore: CalendarDate? = nil) {
    self.status = status
    self.followUpBefore = followUpBefore
  }

  /// Whether `summary` passes.
  public func admits(_ summary: ConsultationSummary) -> Bool {
    if let status, summary.status != status { return false }
    if let followUpBefore, !summary.followUps.contains(where: { $0 < followUpBefore }) { return false }
    return true
  }
}

/// A store's failure.
public struct StoreError: Error, Sendable, Hashable, CustomStringConvertible {
  /// What went wrong. New kinds may be added; compare with `==`, or switch
  /// with a default.
  public struct Kind: Sendable, Hashable, CustomStringConvertible {
    enum Storage: String, Sendable, Hashable {
      case notFound, alreadyExists, conflict, corrupt, io
    }

    let storage: Storage

    /// No consultation has the id.
    public static let notFound = Kind(storage: .notFound)
    /// A consultation with the id exists already.
    public static let alreadyExists = Kind(storage: .alreadyExists)
    /// The events do not continue the stored sequence.
    public static let conflict = Kind(storage: .conflict)
    /// The stored data cannot be read back as a consultation.
    public static let corrupt = Kind(storage: .corrupt)
    /// The store could not be opened, read or written.
    public static let io = Kind(storage: .io)

    /// `notFound`, `alreadyExists`, `conflict`, `corrupt` or `io`.
    public var description: String { storage.rawValue }
  }

  /// What went wrong.
  public var kind: Kind
  /// The message, naming what and where.
  public var message: String

  /// Creates an error.
  public init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = message
  }

  public var description: String { message }
}
