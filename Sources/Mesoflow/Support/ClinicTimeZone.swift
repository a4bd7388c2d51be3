/// The clinic's time zone: the rule by which a consultation's instants are
/// shown as local dates and times, and by which days are counted.
///
/// A consultation records the zone's IANA name (`Europe/Berlin`) when it
/// starts, not one fixed offset, so that a date weeks later, across a
/// daylight-saving change, still lands on the right local day and hour. The
/// engine reads no time-zone database: the edge that knows the name (a
/// program with the system's tzdata) hands in the rule, and ``fixed(utcOffset:)``
/// covers records made before zones were named.
public struct ClinicTimeZone: Sendable, CustomStringConvertible {
  /// The IANA name, as `Europe/Berlin`; `nil` for a fixed offset.
  public let name: String?
  private let rule: @Sendable (Timestamp) -> Int
  private let fixedOffset: Int?

  /// A named zone whose offset from UTC, in seconds, at an instant `rule` gives.
  public init(name: String, utcOffset rule: @escaping @Sendable (Timestamp) -> Int) {
    self.name = name
    self.rule = rule
    fixedOffset = nil
  }

  private init(fixed seconds: Int) {
    name = nil
    rule = { _ in seconds }
    fixedOffset = seconds
  }

  /// One offset from UTC, in seconds east, all year.
  public static func fixed(utcOffset seconds: Int) -> ClinicTimeZone { ClinicTimeZone(fixed: seconds) }

  /// Coordinated Universal Time.
  public static let utc = ClinicTimeZone.fixed(utcOffset: 0)

  /// The offset from UTC at `instant`, in seconds east.
  public func utcOffset(at instant: Timestamp) -> Int { rule(instant) }

  /// The local calendar day of `instant`.
  public func date(of instant: Timestamp) -> CalendarDate { instant.date(utcOffset: rule(instant)) }

  /// `YYYY-MM-DD HH:MM` in local time.
  public func format(_ instant: Timestamp) -> String { instant.formatted(utcOffset: rule(instant)) }

  /// The instant `span` after `instant`, for a window that must not end
  /// early. A whole number of days ends on the clinic's calendar at the same
  /// local time of day (two weeks from 10:00 is 10:00, whatever daylight
  /// saving did in between), or at the elapsed time where that is later (24
  /// hours across the night the clocks go forward are still 24 hours);
  /// anything else is elapsed time.
  public func adding(_ span: TimeSpan, to instant: Timestamp) -> Timestamp {
    let elapsed = instant + span
    guard span.seconds > 0, span.seconds % 86_400 == 0 else { return elapsed }
    let offset = rule(instant)
    let local = instant + TimeSpan(seconds: offset) + span
    // The instant whose local time is `local`: guess with the offset before,
    // then settle on the offset at the guess (twice, for a change between).
    var calendar = local + TimeSpan(seconds: -offset)
    for _ in 0..<2 { calendar = local + TimeSpan(seconds: -rule(calendar)) }
    return max(calendar, elapsed)
  }

  /// The name, or `UTC+HH:MM` for a fixed offset.
  public var description: String {
    if let name { return name }
    let offset = fixedOffset ?? 0
    if offset == 0 { return "UTC" }
    let magnitude = abs(offset)
    let hours = magnitude / 3600
    let minutes = magnitude / 60 % 60
    return "UTC\(offset < 0 ? "-" : "+")\(hours < 10 ? "0" : "")\(hours):\(minutes < 10 ? "0" : "")\(minutes)"
  }
}
