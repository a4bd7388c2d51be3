/// An answer to a step, typed by the step's ``AnswerType``.
public enum Answer: Sendable, Hashable, CustomStringConvertible {
  /// For a yes/no step.
  case yesNo(Bool)
  /// For an integer step.
  case integer(Int)
  /// For a decimal step (an integer step does not take one).
  case decimal(Double)
  /// For a text step.
  case text(String)
  /// For a choice step: the chosen option's id.
  case choice(String)
  /// For a multiple-choice step: the chosen options' ids, possibly none.
  case multipleChoice([String])
  /// For a date step.
  case date(CalendarDate)
  /// For a consent step.
  case consent(Consent)
  /// For a product step.
  case product(Product)
  /// For a volume step: what was injected, per area.
  case volume([VolumeEntry])

  /// The answer as expressions see it: a consent's date is the local day it
  /// was signed on in the clinic's time zone, a volume is its total in
  /// millilitres.
  public func value(in timeZone: ClinicTimeZone) -> Value {
    if case .consent(let consent) = self {
      return .consent(signedBy: consent.signedBy, signedAt: timeZone.date(of: consent.signedAt))
    }
    return value(utcOffset: 0)
  }

  /// The answer as expressions see it, with a consent's day taken at a fixed
  /// offset from UTC.
  package func value(utcOffset: Int) -> Value {
    switch self {
    case .yesNo(let value): return .bool(value)
    case .integer(let value): return .number(Double(value))
    case .decimal(let value): return .number(value)
    case .text(let value), .choice(let value): return .string(value)
    case .multipleChoice(let ids): return .list(ids.map(Value.string))
    case .date(let date): return .date(date)
    case .consent(let consent):
      return .consent(signedBy: consent.signedBy, signedAt: consent.signedAt.date(utcOffset: utcOffset))
    case .product(let product): return .product(name: product.name, lot: product.lot, expiry: product.expiry)
    case .volume(let entries): return .number(VolumeEntry.total(entries))
    }
  }

  /// The answer in words for the record, a consent's time shown in the
  /// clinic's time zone.
  public func description(in timeZone: ClinicTimeZone) -> String {
    if case .consent(let consent) = self {
      return "signed by \(consent.signedBy) at \(timeZone.format(consent.signedAt))"
    }
    return description
  }

  /// The answer in words for the record: `yes`, `12`, `2026-11-21`, ...
  public var description: String {
    switch self {
    case .yesNo(let value): return value ? "yes" : "no"
    case .integer(let value): return "\(value)"
    case .decimal(let value): return formatNumber(value)
    case .text(let value): return value
    case .choice(let id): return id
    case .multipleChoice(let ids): return ids.isEmpty ? "none" : ids.joined(separator: ", ")
    case .date(let date): return date.description
    case .consent(let consent): return "signed by \(consent.signedBy) at \(consent.signedAt)"
    case .product(let product): return "\(product.name), lot \(product.lot), expires \(product.expiry)"
    case .volume(let entries):
      return entries.map { entry in
        var text = "\(formatNumber(entry.millilitres)) ml"
        if let area = entry.area { text = "\(area) " + text }
        if let points = entry.points { text += " over \(points) points" }
        return text
      }.joined(separator: ", ")
    }
  }
}

/// A consent: who signed it, and when.
public struct Consent: Sendable, Hashable, Codable {
  /// The name of the person who signed.
  public var signedBy: String
  /// When it was signed; not later than the moment it is recorded.
  public var signedAt: Timestamp

  /// Creates a consent.
  public init(signedBy: String, signedAt: Timestamp) {
    self.signedBy = signedBy
    self.signedAt = signedAt
  }
}

/// A product used for treatment, identified for traceability.
public struct Product: Sendable, Hashable, Codable {
  /// The product's name.
  public var name: String
  /// The lot or batch number.
  public var lot: String
  /// The expiry date; a product past it is refused.
  public var expiry: CalendarDate

  /// Creates a product.
  public init(name: String, lot: String, expiry: CalendarDate) {
    self.name = name
    self.lot = lot
    self.expiry = expiry
  }
}

/// A volume injected into one area, optionally over a number of points.
public struct VolumeEntry: Sendable, Hashable, Codable {
  /// The area's id; may be left out when the consultation covers one area.
  public var area: String?
  /// The volume in millilitres.
  public var millilitres: Double
  /// The number of injection points it was spread over, if counted.
  public var points: Int?

  /// Creates an entry.
  public init(area: String? = nil, millilitres: Double, points: Int? = nil) {
    self.area = area
    self.millilitres = millilitres
    self.points = points
  }

  /// The volume per point, when points were counted.
  public var millilitresPerPoint: Double? {
    guard let points, points > 0 else { return nil }
    return millilitres / Double(points)
  }

  /// The sum of `entries`' volumes.
  package static func total(_ entries: [VolumeEntry]) -> Double { entries.reduce(0) { $0 + $1.millilitres } }
}
