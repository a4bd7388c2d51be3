/// A value in an expression, and the value of an answer as expressions see it.
public enum Value: Sendable, Hashable, CustomStringConvertible {
  /// `true` or `false`.
  case bool(Bool)
  /// A number.
  case number(Double)
  /// Text.
  case string(String)
  /// A length of time.
  case duration(TimeSpan)
  /// A calendar date.
  case date(CalendarDate)
  /// A list.
  case list([Value])
  /// A consent, signed by a person on a date.
  case consent(signedBy: String, signedAt: CalendarDate)
  /// A product with its lot and expiry date.
  case product(name: String, lot: String, expiry: CalendarDate)

  /// The value's type; an empty list's items are taken to be strings.
  package var type: ValueType {
    switch self {
    case .bool: return .bool
    case .number: return .number
    case .string: return .string
    case .duration: return .duration
    case .date: return .date
    case .list(let items): return .list(items.first?.type ?? .string)
    case .consent: return .consent
    case .product: return .product
    }
  }

  public var description: String {
    switch self {
    case .bool(let value): return value ? "true" : "false"
    case .number(let value): return formatNumber(value)
    case .string(let value): return "\"\(value)\""
    case .duration(let value): return value.description
    case .date(let value): return value.description
    case .list(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
    case .consent(let name, let date): return "consent(\(name), \(date))"
    case .product(let name, let lot, let expiry): return "product(\(name), lot \(lot), expires \(expiry))"
    }
  }

  /// A field of a consent or product.
  func field(_ name: String) -> Value? {
    switch (self, name) {
    case (.consent(let signer, _), "signed_by"): return .string(signer)
    case (.consent(_, let date), "signed_at"): return .date(date)
    case (.product(let product, _, _), "name"): return .string(product)
    case (.product(_, let lot, _), "lot"): return .string(lot)
    case (.product(_, _, let expiry), "expiry"): return .date(expiry)
    default: return nil
    }
  }
}
