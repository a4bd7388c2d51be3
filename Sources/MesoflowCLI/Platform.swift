#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The libc calls the command makes, in one place.
enum Platform {
  /// Whether standard error is a terminal that should get colour: not when
  /// NO_COLOR is set (https://no-color.org) or TERM is `dumb`.
  static var standardErrorWantsColor: Bool { wantsColor(fd: 2) }

  /// Writes `text` and a newline to standard error.
  static func printError(_ text: String) {
    var line = text + "\n"
    fflush(nil)
    line.withUTF8 { buffer in
      guard let base = buffer.baseAddress else { return }
      var offset = 0
      while offset < buffer.count {
        let written = write(2, base + offset, buffer.count - offset)
        if written <= 0 { return }
        offset += written
      }
    }
  }

  /// Flushes every output stream.
  static func flush() { fflush(nil) }
}
