import Synchronization

/// An instant: milliseconds since 1970-01-01T00:00:00Z.
///
/// The engine never reads the time itself; every instant comes from the
/// ``ConsultationClock`` a consultation is given.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// Milliseconds since 1970-01-01T00:00:00Z.
  public var millisecondsSinceEpoch: Int64

  /// Creates an instant.
  public init(millisecondsSinceEpoch: Int64) { self.millisecondsSinceEpoch = millisecondsSinceEpoch }

  /// The instant at the start of `date`'s day (UTC), plus `hour`, `minute` and `second`.
  public init(_ date: CalendarDate, hour: Int = 0, minute: Int = 0, second: Int = 0) {
    let seconds = Int64(date.daysSinceEpoch) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    millisecondsSinceEpoch = seconds * 1000
  }

  /// The instant `span` later, saturating rather than overflowing.
  public static func + (lhs: Timestamp, rhs: TimeSpan) -> Timestamp {
    let (milliseconds, overflow1) = Int64(clamping: rhs.seconds).multipliedReportingOverflow(by: 1000)
    let (sum, overflow2) = lhs.millisecondsSinceEpoch.addingReportingOverflow(milliseconds)
    if overflow1 || overflow2 { return Timestamp(millisecondsSinceEpoch: rhs.seconds < 0 ? .min : .max) }
    return Timestamp(millisecondsSinceEpoch: sum)
  }

  /// The whole seconds from `earlier` to this instant (negative when `earlier` is later).
  public func seconds(since earlier: Timestamp) -> Int {
    Int(
      clamping: millisecondsSinceEpoch.subtractingReportingOverflow(earlier.millisecondsSinceEpoch).partialValue / 1000)
  }

  /// The calendar day of this instant at a UTC offset, clamped to the years 1 to 9999.
  package func date(utcOffset: Int) -> CalendarDate {
    let local = localSeconds(utcOffset: utcOffset)
    let quotient = local / 86_400
    let days = Int(clamping: local % 86_400 < 0 ? quotient - 1 : quotient)
    let clamped = min(max(days, CalendarDate.range.lowerBound), CalendarDate.range.upperBound)
    // Every day in the range exists, so this never falls back.
    return CalendarDate(daysSinceEpoch: clamped) ?? CalendarDate.epoch
  }

  /// `YYYY-MM-DD HH:MM` at a UTC offset: the form shown to staff and patients.
  package func formatted(utcOffset: Int) -> String {
    let local = localSeconds(utcOffset: utcOffset)
    let secondOfDay = Int(((local % 86_400) + 86_400) % 86_400)
    return
      "\(date(utcOffset: utcOffset)) \(Self.twoDigits(secondOfDay / 3600)):\(Self.twoDigits(secondOfDay / 60 % 60))"
  }

  /// ISO 8601 in UTC with milliseconds: `2026-11-21T09:30:00.000Z`.
  public var description: String {
    let milliseconds = Int(((millisecondsSinceEpoch % 1000) + 1000) % 1000)
    let secondOfDay = Int(((localSeconds(utcOffset: 0) % 86_400) + 86_400) % 86_400)
    let fraction = milliseconds < 10 ? "00\(milliseconds)" : milliseconds < 100 ? "0\(milliseconds)" : "\(milliseconds)"
    return "\(date(utcOffset: 0))T\(Self.twoDigits(secondOfDay / 3600)):\(Self.twoDigits(secondOfDay / 60 % 60)):"
      + "\(Self.twoDigits(secondOfDay % 60)).\(fraction)Z"
  }

  public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
    lhs.millisecondsSinceEpoch < rhs.millisecondsSinceEpoch
  }

  private func localSeconds(utcOffset: Int) -> Int64 {
    // Floor division that cannot overflow, even for a damaged stored value.
    let quotient = millisecondsSinceEpoch / 1000
    let seconds = millisecondsSinceEpoch % 1000 < 0 ? quotient - 1 : quotient
    let (local, overflow) = seconds.addingReportingOverflow(Int64(utcOffset))
    return overflow ? (utcOffset < 0 ? .min : .max) : local
  }

  private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}

/// Where a consultation gets the time from. The engine reads no clock of its
/// own: it asks this one once per input and records the answer in the event.
public protocol ConsultationClock: Sendable {
  /// The current instant.
  func now() -> Timestamp
}

/// A clock that stands still until it is moved: for tests, scripted
/// consultations and replays.
public final class ManualClock: ConsultationClock {
  private let current: Mutex<Timestamp>

  /// Creates a clock that reads `start`.
  public init(_ start: Timestamp) { current = Mutex(start) }

  /// The instant the clock is set to.
  public func now() -> Timestamp { current.withLock { $0 } }

  /// Moves the clock forward by `span`.
  public func advance(by span: TimeSpan) { current.withLock { $0 = $0 + span } }

  /// Sets the clock to `instant`.
  public func set(_ instant: Timestamp) { current.withLock { $0 = instant } }
}

extension CalendarDate {
  /// 1970-01-01.
  static let epoch = CalendarDate(uncheckedYear: 1970, month: 1, day: 1)
}

extension CalendarDate: Codable {
  /// Reads `YYYY-MM-DD`.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    let text = try container.decode(String.self)
    guard let date = CalendarDate(iso: text) else {
      throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a YYYY-MM-DD date: \(text)")
    }
    self = date
  }

  /// Writes `YYYY-MM-DD`.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(description)
  }
}
