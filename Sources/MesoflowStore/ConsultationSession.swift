public import Mesoflow

/// One consultation kept durable: every input is applied and then committed
/// to the archive before the call returns, so whatever a caller shows after
/// a call that returned has been saved.
///
/// The terminal, a web server and an integrator's program all step through
/// a consultation with it:
///
/// ```swift
/// let archive = ConsultationArchive(store: try SQLiteStore(path: "clinic.sqlite"))
/// var session = try ConsultationSession.begin(consultation, definitions: sources, in: archive)
/// try session.answer("age", .integer(34))      // saved when it returns
/// if case .question(let question) = session.prompt { show(question) }
/// ```
///
/// An input fails in one of two ways, both a ``Failure``: the consultation
/// refuses it (``Failure/refused(_:)``, nothing was recorded, nothing needed
/// saving), or it was accepted but the commit failed
/// (``Failure/notSaved(_:)``). After a failed commit the session is left
/// exactly as it was last saved: the input is undone here, so nothing unsaved
/// is ever in ``consultation`` to be shown as accepted. The caller may try
/// again or stop; the CLI stops. (When a store fails after it wrote, which a
/// transaction makes rare, the store may hold the change all the same; the
/// next save is then refused as a `conflict`, and opening the consultation
/// again shows what was kept.)
///
/// A session is a value: a `Sendable` struct whose copies are independent.
/// A server that shares one between requests keeps it in one place (an actor,
/// or a `Mutex`) and applies inputs there, one at a time. Two copies that
/// both go on saving do not overwrite each other: the store refuses the
/// second one's events as a `conflict`.
public struct ConsultationSession: Sendable {
  /// Why an input did not go through.
  public enum Failure: Error {
    /// The consultation refused the input; nothing was recorded.
    case refused(ConsultationError)
    /// The input was accepted but could not be saved; the session was put
    /// back as it was last saved. The store's error, usually a ``StoreError``.
    case notSaved(any Error)
  }

  /// The consultation, as last saved.
  public private(set) var consultation: Consultation
  /// How far it has been saved.
  public private(set) var cursor: ConsultationArchive.Cursor
  /// Where it is kept.
  public let archive: ConsultationArchive

  /// The consultation's id.
  public var id: String { consultation.state.start.id }
  /// What the consultation waits for now.
  public var prompt: Prompt { consultation.prompt }

  /// Only `begin` and `open` make sessions, so that the consultation is
  /// always exactly what the store holds.
  private init(_ consultation: Consultation, cursor: ConsultationArchive.Cursor, archive: ConsultationArchive) {
    self.consultation = consultation
    self.cursor = cursor
    self.archive = archive
  }

  /// Starts keeping a new consultation in `archive`, with the definition
  /// sources it was merged from (empty for definitions built in Swift).
  ///
  /// - Throws: The store's error, such as ``StoreError`` of kind
  ///   `alreadyExists` when the id is taken.
  public static func begin(
    _ consultation: Consultation, definitions: [DefinitionSource], in archive: ConsultationArchive
  ) throws -> ConsultationSession {
    let cursor = try archive.begin(consultation, definitions: definitions)
    return ConsultationSession(consultation, cursor: cursor, archive: archive)
  }

  /// Opens a stored consultation to go on with it, replayed under the
  /// definitions it started with (or `workflow`, when given).
  ///
  /// Opening records nothing; call ``resume(by:)`` to record that someone
  /// took it up again.
  ///
  /// - Throws: What ``ConsultationArchive/open(_:clock:workflow:)`` throws.
  public static func open(
    _ id: String, in archive: ConsultationArchive, clock: any ConsultationClock, workflow: MergedWorkflow? = nil
  ) throws -> ConsultationSession {
    let (consultation, cursor) = try archive.open(id, clock: clock, workflow: workflow)
    return ConsultationSession(consultation, cursor: cursor, archive: archive)
  }

  // MARK: - Inputs

  /// Applies `change` to the consultation and commits what it recorded.
  ///
  /// Every input method below is this with one of the consultation's inputs;
  /// use it for several at once, which are then saved together or not at all.
  @discardableResult
  public mutating func apply<Result>(
    _ change: (inout Consultation) throws(ConsultationError) -> Result
  ) throws(Failure) -> Result {
    let saved = consultation
    let result: Result
    do throws(ConsultationError) {
      result = try change(&consultation)
    } catch {
      consultation = saved
      throw .refused(error)
    }
    do {
      try archive.save(consultation, cursor: &cursor)
    } catch {
      consultation = saved
      throw .notSaved(error)
    }
    return result
  }

  /// `Consultation.answer(_:_:by:)`, saved.
  @discardableResult
  public mutating func answer(_ step: String, _ answer: Answer, by clinician: Clinician? = nil) throws(Failure)
    -> Prompt
  {
    try apply { c throws(ConsultationError) in try c.answer(step, answer, by: clinician) }
  }

  /// `Consultation.skip(_:by:)`, saved.
  @discardableResult
  public mutating func skip(_ step: String, by clinician: Clinician? = nil) throws(Failure) -> Prompt {
    try apply { c throws(ConsultationError) in try c.skip(step, by: clinician) }
  }

  /// `Consultation.correct(_:_:by:)`, saved.
  @discardableResult
  public mutating func correct(_ step: String, _ answer: Answer, by clinician: Clinician? = nil) throws(Failure)
    -> Prompt
  {
    try apply { c throws(ConsultationError) in try c.correct(step, answer, by: clinician) }
  }

  /// `Consultation.acknowledge(_:by:)`, saved.
  @discardableResult
  public mutating func acknowledge(_ check: String, by clinician: Clinician? = nil) throws(Failure) -> Prompt {
    try apply { c throws(ConsultationError) in try c.acknowledge(check, by: clinician) }
  }

  /// `Consultation.override(_:reason:by:)`, saved.
  @discardableResult
  public mutating func override(_ check: String, reason: String, by physician: Clinician) throws(Failure) -> Prompt {
    try apply { c throws(ConsultationError) in try c.override(check, reason: reason, by: physician) }
  }

  /// `Consultation.end(because:note:by:)`, saved.
  @discardableResult
  public mutating func end(because check: String, note: String? = nil, by clinician: Clinician? = nil)
    throws(Failure) -> Prompt
  {
    try apply { c throws(ConsultationError) in try c.end(because: check, note: note, by: clinician) }
  }

  /// `Consultation.note(_:about:by:)`, saved.
  public mutating func note(_ text: String, about step: String? = nil, by clinician: Clinician? = nil) throws(Failure) {
    try apply { c throws(ConsultationError) in try c.note(text, about: step, by: clinician) }
  }

  /// `Consultation.pause(by:)`, saved.
  public mutating func pause(by clinician: Clinician? = nil) throws(Failure) {
    try apply { c throws(ConsultationError) in try c.pause(by: clinician) }
  }

  /// `Consultation.resume(by:)`, saved.
  @discardableResult
  public mutating func resume(by clinician: Clinician? = nil) throws(Failure) -> Prompt {
    try apply { c throws(ConsultationError) in try c.resume(by: clinician) }
  }

  /// `Consultation.proceed(by:)`, saved.
  @discardableResult
  public mutating func proceed(by clinician: Clinician? = nil) throws(Failure) -> Prompt {
    try apply { c throws(ConsultationError) in try c.proceed(by: clinician) }
  }

  /// `Consultation.overrideWait(reason:by:)`, saved.
  @discardableResult
  public mutating func overrideWait(reason: String, by physician: Clinician) throws(Failure) -> Prompt {
    try apply { c throws(ConsultationError) in try c.overrideWait(reason: reason, by: physician) }
  }
}
