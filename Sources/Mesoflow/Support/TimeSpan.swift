/// A length of time in whole seconds, written in definitions as `45s`, `20m`,
/// `1h30m`, `2d` or `2w`.
public struct TimeSpan: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// The length in seconds.
  public var seconds: Int

  /// Creates a span of `seconds`.
  public init(seconds: Int) { self.seconds = seconds }

  /// A span of `minutes`.
  public static func minutes(_ minutes: Int) -> TimeSpan { scaled(minutes, 60) }
  /// A span of `hours`.
  public static func hours(_ hours: Int) -> TimeSpan { scaled(hours, 3600) }
  /// A span of `days`.
  public static func days(_ days: Int) -> TimeSpan { scaled(days, 86_400) }

  /// `count` units of `size` seconds, saturating rather than overflowing.
  static func scaled(_ count: Int, _ size: Int) -> TimeSpan {
    let (product, overflow) = count.multipliedReportingOverflow(by: size)
    return TimeSpan(seconds: overflow ? (count < 0 ? Int.min : Int.max) : product)
  }
  /// No time at all.
  public static let zero = TimeSpan(seconds: 0)

  /// The longest span a definition may give: 100 years (5,218 weeks). Not a
  /// clinical limit, a guard against a wrong unit or a stray digit.
  package static let longest = TimeSpan(seconds: 5_218 * 604_800)

  static let units: [(Character, Int)] = [("w", 604_800), ("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)]

  /// The length of one unit, by its letter's byte.
  static func unitLength(_ byte: UInt8) -> Int? {
    switch byte {
    case UInt8(ascii: "w"): return 604_800
    case UInt8(ascii: "d"): return 86_400
    case UInt8(ascii: "h"): return 3600
    case UInt8(ascii: "m"): return 60
    case UInt8(ascii: "s"): return 1
    default: return nil
    }
  }

  /// Parses `1h30m`-style text: one or more number-and-unit pairs, largest
  /// unit first, each unit at most once. Returns `nil` for anything else.
  public init?(_ text: some StringProtocol) {
    var total = 0
    var number: Int? = nil
    var lastUnit = Int.max
    var sawPair = false
    for byte in text.utf8 {
      if byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
        let (times, overflow1) = (number ?? 0).multipliedReportingOverflow(by: 10)
        let (sum, overflow2) = times.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
        guard !overflow1, !overflow2 else { return nil }
        number = sum
      } else if let unit = TimeSpan.unitLength(byte) {
        guard let value = number, unit < lastUnit else { return nil }
        let (product, overflow1) = value.multipliedReportingOverflow(by: unit)
        let (sum, overflow2) = total.addingReportingOverflow(product)
        guard !overflow1, !overflow2 else { return nil }
        total = sum
        lastUnit = unit
        number = nil
        sawPair = true
      } else {
        return nil
      }
    }
    guard sawPair, number == nil else { return nil }
    seconds = total
  }

  /// The span in the units it was written in: `1h30m`, `2w`, `0s`.
  public var description: String {
    if seconds == 0 { return "0s" }
    var rest = seconds.magnitude
    var out = seconds < 0 ? "-" : ""
    for (unit, length) in TimeSpan.units where rest >= UInt(length) {
      let size = UInt(length)
      // Weeks only when the span is a whole number of weeks.
      if unit == "w", rest % size != 0 { continue }
      out += "\(rest / size)\(unit)"
      rest %= size
    }
    return out
  }

  public static func < (lhs: TimeSpan, rhs: TimeSpan) -> Bool { lhs.seconds < rhs.seconds }
  /// The sum, saturating at the largest span rather than overflowing.
  public static func + (lhs: TimeSpan, rhs: TimeSpan) -> TimeSpan {
    let (sum, overflow) = lhs.seconds.addingReportingOverflow(rhs.seconds)
    return TimeSpan(seconds: overflow ? (rhs.seconds > 0 ? Int.max : Int.min) : sum)
  }

  /// The difference, saturating rather than overflowing.
  public static func - (lhs: TimeSpan, rhs: TimeSpan) -> TimeSpan {
    let (difference, overflow) = lhs.seconds.subtractingReportingOverflow(rhs.seconds)
    return TimeSpan(seconds: overflow ? (rhs.seconds < 0 ? Int.max : Int.min) : difference)
  }
}

/// A range of time from ``min`` to ``max``, written `15m..20m`, or `15m` for
/// exactly that.
public struct TimeRange: Sendable, Hashable, CustomStringConvertible {
  /// The shortest expected time.
  public var min: TimeSpan
  /// The longest expected time.
  public var max: TimeSpan

  /// Creates a range from two ends, given in either order.
  public init(min: TimeSpan, max: TimeSpan) {
    self.min = Swift.min(min, max)
    self.max = Swift.max(min, max)
  }

  /// A range of exactly `span`.
  public init(exactly span: TimeSpan) { self.init(min: span, max: span) }

  /// No time at all.
  public static let zero = TimeRange(exactly: .zero)

  /// `15m..20m`, or `15m` when both ends agree.
  public var description: String { min == max ? "\(min)" : "\(min)..\(max)" }

  /// Both ends added.
  public static func + (lhs: TimeRange, rhs: TimeRange) -> TimeRange {
    TimeRange(min: lhs.min + rhs.min, max: lhs.max + rhs.max)
  }
}

/// A range of numbers from ``min`` to ``max``, written `0.05..0.2`, or one number.
public struct NumberRange: Sendable, Hashable, CustomStringConvertible {
  /// The lower end.
  public var min: Double
  /// The upper end.
  public var max: Double

  /// Creates a range from two ends, given in either order.
  public init(min: Double, max: Double) {
    self.min = Swift.min(min, max)
    self.max = Swift.max(min, max)
  }

  /// `0.05..0.2`, or `10` when both ends agree.
  public var description: String {
    min == max ? formatNumber(min) : "\(formatNumber(min))..\(formatNumber(max))"
  }
}

/// A number without a trailing `.0` when it is whole.
func formatNumber(_ value: Double) -> String {
  if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
  return String(value)
}

extension TimeSpan {
  /// The whole days it spans, a part day counted as a day: a session is
  /// never due before its interval has passed.
  var daysRoundedUp: Int {
    let quotient = seconds / 86_400
    return seconds % 86_400 > 0 ? quotient + 1 : quotient
  }
}
