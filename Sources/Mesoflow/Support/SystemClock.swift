#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The computer's wall clock, for consultations with real patients. The engine
/// itself never calls it: it is handed to a consultation like any other clock.
public struct SystemClock: ConsultationClock {
  /// Creates the clock.
  public init() {}

  /// The current instant, from the system's real-time clock.
  public func now() -> Timestamp {
    var spec = timespec()
    clock_gettime(CLOCK_REALTIME, &spec)
    return Timestamp(millisecondsSinceEpoch: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
  }

  /// The local time zone's offset from UTC at `instant`, in seconds.
  package static func utcOffset(at instant: Timestamp) -> Int {
    var seconds = time_t(instant.millisecondsSinceEpoch / 1000)
    var parts = tm()
    guard localtime_r(&seconds, &parts) != nil else { return 0 }
    return Int(parts.tm_gmtoff)
  }
}
