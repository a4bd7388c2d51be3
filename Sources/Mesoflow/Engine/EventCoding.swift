// The JSON form of events, written out rather than synthesized: it is what
// stores keep for years, so it is documented (docs/STORE.md) and pinned by
// tests, and renaming a Swift case must not change it.

extension ConsultationEvent: Codable {
  enum Key: String, CodingKey {
    case sequence, time, actor, type
    case start, stage, step, answer, check, outcome, reason, until, note, text
  }

  /// The `type` of each kind of event.
  public var typeName: String {
    switch kind {
    case .started: "started"
    case .stageEntered: "stage-entered"
    case .answered: "answered"
    case .skipped: "skipped"
    case .corrected: "corrected"
    case .setAside: "set-aside"
    case .checkFired: "check-fired"
    case .checkCleared: "check-cleared"
    case .acknowledged: "acknowledged"
    case .overridden: "overridden"
    case .waitStarted: "wait-started"
    case .waitOverridden: "wait-overridden"
    case .stageCompleted: "stage-completed"
    case .ended: "ended"
    case .noted: "noted"
    case .paused: "paused"
    case .resumed: "resumed"
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: Key.self)
    try c.encode(sequence, forKey: .sequence)
    try c.encode(time, forKey: .time)
    try c.encodeIfPresent(actor, forKey: .actor)
    try c.encode(typeName, forKey: .type)
    switch kind {
    case .started(let start): try c.encode(start, forKey: .start)
    case .stageEntered(let stage), .stageCompleted(let stage): try c.encode(stage, forKey: .stage)
    case .answered(let step, let answer), .corrected(let step, let answer):
      try c.encode(step, forKey: .step)
      try c.encode(answer, forKey: .answer)
    case .skipped(let step), .setAside(let step): try c.encode(step, forKey: .step)
    case .checkFired(let check, let outcome):
      try c.encode(check, forKey: .check)
      try c.encode(outcome, forKey: .outcome)
    case .checkCleared(let check), .acknowledged(let check): try c.encode(check, forKey: .check)
    case .overridden(let check, let reason):
      try c.encode(check, forKey: .check)
      try c.encode(reason, forKey: .reason)
    case .waitStarted(let stage, let until):
      try c.encode(stage, forKey: .stage)
      try c.encode(until, forKey: .until)
    case .waitOverridden(let stage, let reason):
      try c.encode(stage, forKey: .stage)
      try c.encode(reason, forKey: .reason)
    case .ended(let outcome, let check, let note):
      try c.encode(outcome, forKey: .outcome)
      try c.encodeIfPresent(check, forKey: .check)
      try c.encodeIfPresent(note, forKey: .note)
    case .noted(let step, let text):
      try c.encodeIfPresent(step, forKey: .step)
      try c.encode(text, forKey: .text)
    case .paused, .resumed: break
    }
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: Key.self)
    sequence = try c.decode(Int.self, forKey: .sequence)
    time = try c.decode(Timestamp.self, forKey: .time)
    actor = try c.decodeIfPresent(Clinician.self, forKey: .actor)
    let type = try c.decode(String.self, forKey: .type)
    func string(_ key: Key) throws -> String { try c.decode(String.self, forKey: key) }
    switch type {
    case "started": kind = .started(try c.decode(ConsultationStart.self, forKey: .start))
    case "stage-entered": kind = .stageEntered(stage: try string(.stage))
    case "answered": kind = .answered(step: try string(.step), answer: try c.decode(Answer.self, forKey: .answer))
    case "skipped": kind = .skipped(step: try string(.step))
    case "corrected": kind = .corrected(step: try string(.step), answer: try c.decode(Answer.self, forKey: .answer))
    case "set-aside": kind = .setAside(step: try string(.step))
    case "check-fired":
      kind = .checkFired(check: try string(.check), outcome: try c.decode(CheckOutcome.self, forKey: .outcome))
    case "check-cleared": kind = .checkCleared(check: try string(.check))
    case "acknowledged": kind = .acknowledged(check: try string(.check))
    case "overridden": kind = .overridden(check: try string(.check), reason: try string(.reason))
    case "wait-started":
      kind = .waitStarted(stage: try string(.stage), until: try c.decode(Timestamp.self, forKey: .until))
    case "wait-overridden": kind = .waitOverridden(stage: try string(.stage), reason: try string(.reason))
    case "stage-completed": kind = .stageCompleted(stage: try string(.stage))
    case "ended":
      kind = .ended(
        outcome: try c.decode(Outcome.self, forKey: .outcome),
        check: try c.decodeIfPresent(String.self, forKey: .check),
        note: try c.decodeIfPresent(String.self, forKey: .note))
    case "noted": kind = .noted(step: try c.decodeIfPresent(String.self, forKey: .step), text: try string(.text))
    case "paused": kind = .paused
    case "resumed": kind = .resumed
    default:
      throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "unknown event type '\(type)'")
    }
  }
}

extension Answer: Codable {
  enum Key: String, CodingKey {
    case yesNo = "yes-no"
    case integer, decimal, text, choice
    case multipleChoice = "multi-choice"
    case date, consent, product, volume
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: Key.self)
    switch self {
    case .yesNo(let value): try c.encode(value, forKey: .yesNo)
    case .integer(let value): try c.encode(value, forKey: .integer)
    case .decimal(let value): try c.encode(value, forKey: .decimal)
    case .text(let value): try c.encode(value, forKey: .text)
    case .choice(let value): try c.encode(value, forKey: .choice)
    case .multipleChoice(let value): try c.encode(value, forKey: .multipleChoice)
    case .date(let value): try c.encode(value, forKey: .date)
    case .consent(let value): try c.encode(value, forKey: .consent)
    case .product(let value): try c.encode(value, forKey: .product)
    case .volume(let value): try c.encode(value, forKey: .volume)
    }
  }

  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: Key.self)
    guard c.allKeys.count == 1, let key = c.allKeys.first else {
      throw DecodingError.dataCorrupted(
        .init(codingPath: decoder.codingPath, debugDescription: "an answer has exactly one key, its type"))
    }
    switch key {
    case .yesNo: self = .yesNo(try c.decode(Bool.self, forKey: key))
    case .integer: self = .integer(try c.decode(Int.self, forKey: key))
    case .decimal: self = .decimal(try c.decode(Double.self, forKey: key))
    case .text: self = .text(try c.decode(String.self, forKey: key))
    case .choice: self = .choice(try c.decode(String.self, forKey: key))
    case .multipleChoice: self = .multipleChoice(try c.decode([String].self, forKey: key))
    case .date: self = .date(try c.decode(CalendarDate.self, forKey: key))
    case .consent: self = .consent(try c.decode(Consent.self, forKey: key))
    case .product: self = .product(try c.decode(Product.self, forKey: key))
    case .volume: self = .volume(try c.decode([VolumeEntry].self, forKey: key))
    }
  }
}

extension Timestamp: Codable {
  /// Reads milliseconds since the epoch.
  public init(from decoder: any Decoder) throws {
    self.init(millisecondsSinceEpoch: try decoder.singleValueContainer().decode(Int64.self))
  }

  /// Writes milliseconds since the epoch.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    try c.encode(millisecondsSinceEpoch)
  }
}
