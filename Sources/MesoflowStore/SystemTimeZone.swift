// Named zones need the time-zone database, which full Foundation reads (the
// system's tzdata); FoundationEssentials alone knows only fixed offsets.
import Foundation
public import Mesoflow

extension ClinicTimeZone {
  /// The zone with this IANA name (`Europe/Berlin`) in the system's
  /// time-zone database; `nil` when the system does not know it.
  public static func named(_ name: String) -> ClinicTimeZone? {
    // Foundation also takes offsets ("GMT+1", "UTC-05:00") for names; a
    // record names a zone by its database name (Europe/Berlin, Etc/UTC, UTC,
    // a link such as US/Eastern), never by one offset.
    let offsetLike = (name.hasPrefix("GMT") || name.hasPrefix("UTC")) && name.count > 3
    guard !name.isEmpty, knownNames.contains(name) || !offsetLike, let zone = TimeZone(identifier: name) else {
      return nil
    }
    return ClinicTimeZone(name: zone.identifier) { instant in
      zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant.millisecondsSinceEpoch) / 1000))
    }
  }

  /// The system's own zone (`TZ`, else `/etc/localtime`); its offset now as
  /// a fixed zone when the system gives it no IANA name.
  public static var system: ClinicTimeZone {
    let zone = TimeZone.current
    if let named = named(zone.identifier) { return named }
    return .fixed(utcOffset: zone.secondsFromGMT())
  }

  /// Every IANA name the system's database holds.
  public static let knownNames: Set<String> = Set(TimeZone.knownTimeZoneIdentifiers)

  /// The rule of the zone a stored consultation names, or its recorded
  /// offset when it names none or this system does not know the name.
  public static func recorded(by start: ConsultationStart) -> ClinicTimeZone {
    start.timeZone.flatMap(named) ?? .fixed(utcOffset: start.utcOffset)
  }
}
