/// One thing that happened in a consultation. A consultation's state is the
/// fold of its events in order; nothing is ever removed from the list.
public struct ConsultationEvent: Sendable, Hashable {
  /// What happened.
  public enum Kind: Sendable, Hashable {
    /// The consultation began: always the first event, and only there.
    case started(ConsultationStart)
    /// A stage began.
    case stageEntered(stage: String)
    /// A step was answered for the first time.
    case answered(step: String, answer: Answer)
    /// An optional step was skipped.
    case skipped(step: String)
    /// An earlier answer was replaced; the earlier one stays in the history.
    case corrected(step: String, answer: Answer)
    /// A correction made a step's condition false, so its answer no longer
    /// counts; it stays in the history.
    case setAside(step: String)
    /// A check's condition came to hold.
    case checkFired(check: String, outcome: CheckOutcome)
    /// A correction made a fired check's condition no longer hold.
    case checkCleared(check: String)
    /// A warning was acknowledged.
    case acknowledged(check: String)
    /// A physician approved what a referral asked for, with a written reason.
    case overridden(check: String, reason: String)
    /// A stage's waits have not yet run: it begins at `until` at the earliest.
    case waitStarted(stage: String, until: Timestamp)
    /// A physician let a stage begin before its wait ran, with a written reason.
    case waitOverridden(stage: String, reason: String)
    /// Every step of a stage was answered and its checks resolved.
    case stageCompleted(stage: String)
    /// The consultation ended; `check` is the stop or referral that ended it,
    /// `note` what the clinician wrote.
    case ended(outcome: Outcome, check: String?, note: String?)
    /// A clinician wrote a note, about a step when `step` is given.
    case noted(step: String?, text: String)
    /// A clinician left the consultation to resume it later.
    case paused
    /// A clinician took up a paused or interrupted consultation again.
    case resumed
  }

  /// The event's position, from 1.
  public var sequence: Int
  /// When it happened, from the consultation's clock.
  public var time: Timestamp
  /// Who did it; `nil` for what the engine itself decided (a check firing, a
  /// stage beginning).
  public var actor: Clinician?
  /// What happened.
  public var kind: Kind

  /// Creates an event.
  public init(sequence: Int, time: Timestamp, actor: Clinician?, kind: Kind) {
    self.sequence = sequence
    self.time = time
    self.actor = actor
    self.kind = kind
  }
}

/// What a consultation started with: the first event's content.
public struct ConsultationStart: Sendable, Hashable, Codable {
  /// The consultation's id, chosen by the caller.
  public var id: String
  /// The workflow's id.
  public var workflow: String
  /// The workflow's version.
  public var workflowVersion: Int
  /// The hash of the merged definitions (``MergedWorkflow/definitionHash``;
  /// the version 1 hash, ``MergedWorkflow/legacyDefinitionHash``, for a
  /// consultation started before version 2): a replay against other
  /// definitions is refused.
  public var definitionHash: String
  /// The areas covered, in merge order.
  public var areas: [String]
  /// The clinician who started it.
  public var staff: Clinician
  /// The clinic's offset from UTC in seconds when the consultation started.
  /// Records made before time zones were named keep to it for every date and
  /// time; newer ones follow ``timeZone``.
  public var utcOffset: Int
  /// The IANA name of the clinic's time zone (`Europe/Berlin`), by which
  /// dates and times are shown and days counted; absent in older records.
  public var timeZone: String?
  /// The clinic's own identifier for the patient, if one was given.
  public var patient: String?

  /// Creates a start.
  public init(
    id: String, workflow: String, workflowVersion: Int, definitionHash: String, areas: [String], staff: Clinician,
    utcOffset: Int, timeZone: String? = nil, patient: String? = nil
  ) {
    self.id = id
    self.workflow = workflow
    self.workflowVersion = workflowVersion
    self.definitionHash = definitionHash
    self.areas = areas
    self.staff = staff
    self.utcOffset = utcOffset
    self.timeZone = timeZone
    self.patient = patient
  }
}
