import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// ANSI styling for standard output, off when it is not a terminal, when
/// NO_COLOR is set (https://no-color.org) or when TERM is `dumb`.
struct Style {
  let enabled: Bool

  static let standardOutput = Style(enabled: Platform.wantsColor(fd: 1))

  func bold(_ text: String) -> String { wrap(text, "1") }
  func dim(_ text: String) -> String { wrap(text, "2") }
  func red(_ text: String) -> String { wrap(text, "1;31") }
  func yellow(_ text: String) -> String { wrap(text, "1;33") }
  func green(_ text: String) -> String { wrap(text, "1;32") }
  /// Green, not bold: what passed.
  func plainGreen(_ text: String) -> String { wrap(text, "32") }
  func cyan(_ text: String) -> String { wrap(text, "36") }
  /// White on red, or white on magenta, or black on yellow: a banner.
  func banner(_ text: String, _ code: String) -> String { wrap(text, code) }

  /// Back to the start of the line and clear it, to write it again (a
  /// countdown); nothing when off.
  var eraseLine: String { enabled ? "\r\u{1B}[K" : "" }

  private func wrap(_ text: String, _ code: String) -> String {
    enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
  }
}

/// What reading a line gave.
enum LineInput: Equatable {
  case line(String)
  /// Nothing came within the timeout.
  case timedOut
  /// Standard input ended: the terminal closed or the pipe ran dry.
  case endOfInput
  /// Ctrl-C, or the terminal hung up, or the process was asked to stop.
  case interrupted
}

/// Where a driver reads its lines: the terminal, or a test's list.
protocol LineSource {
  /// The next line without its newline; waits at most `timeout` seconds when given.
  func readLine(timeout: Int?) -> LineInput
  /// The next line, not shown as it is typed: a password.
  func readSecret() -> LineInput
}

extension LineSource {
  /// The next line, however long it takes.
  func readLine() -> LineInput { readLine(timeout: nil) }

  func readSecret() -> LineInput { readLine() }
}

/// Where a driver writes what it shows: standard output, or a test's buffer.
struct TextSink {
  let write: (String) -> Void

  static var standardOutput: TextSink { TextSink { Swift.print($0, terminator: "") } }

  func print(_ text: String = "", terminator: String = "\n") { write(text + terminator) }
}

/// Reads lines from standard input, noticing Ctrl-C, Ctrl-\, a hang-up and
/// a termination request instead of dying of them (so a password prompt's
/// echo always comes back on).
final class TerminalInput: LineSource {
  /// Set by the signal handler: the signal's number.
  static let caught = Atomic<Int32>(0)
  private var buffer: [UInt8] = []

  init() {
    // A parent may have started us with these blocked; Ctrl-C must pause.
    var unblock = sigset_t()
    sigemptyset(&unblock)
    for signal in [SIGINT, SIGHUP, SIGTERM, SIGQUIT] { sigaddset(&unblock, signal) }
    sigprocmask(SIG_UNBLOCK, &unblock, nil)
    for signal in [SIGINT, SIGHUP, SIGTERM, SIGQUIT] {
      var action = sigaction()
      #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = { number in TerminalInput.caught.store(number, ordering: .relaxed) }
      #else
        action.__sigaction_u.__sa_handler = { number in TerminalInput.caught.store(number, ordering: .relaxed) }
      #endif
      sigemptyset(&action.sa_mask)
      action.sa_flags = 0  // no SA_RESTART: a blocked read returns EINTR
      sigaction(signal, &action, nil)
    }
  }

  var wasInterrupted: Bool { Self.caught.load(ordering: .relaxed) != 0 }

  /// The next line with the terminal's echo off, so that a password is not
  /// shown (nor left in the scrollback); echo comes back however the read
  /// ends, Ctrl-C included, since the signal only interrupts the read.
  func readSecret() -> LineInput {
    var saved = termios()
    guard isatty(0) == 1, tcgetattr(0, &saved) == 0 else { return readLine() }
    var quiet = saved
    quiet.c_lflag &= ~tcflag_t(ECHO)
    tcsetattr(0, TCSANOW, &quiet)
    defer {
      tcsetattr(0, TCSANOW, &saved)
      // The Enter that ended the line was not echoed either.
      Swift.print("")
    }
    return readLine()
  }

  /// The next line without its newline; waits at most `timeout` seconds when given.
  func readLine(timeout: Int? = nil) -> LineInput {
    Platform.flush()
    while true {
      if wasInterrupted { return .interrupted }
      if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
        let line = String(decoding: buffer[..<newline], as: UTF8.self)
        buffer.removeSubrange(...newline)
        return .line(line.hasSuffix("\r") ? String(line.dropLast()) : line)
      }
      if let timeout {
        var descriptor = pollfd(fd: 0, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, Int32(timeout * 1000))
        if ready < 0 {
          if errno == EINTR { continue }
          return .endOfInput
        }
        if ready == 0 { return .timedOut }
      }
      var chunk = [UInt8](repeating: 0, count: 4096)
      let count = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
      if count < 0 {
        if errno == EINTR { continue }
        return .endOfInput
      }
      if count == 0 {
        if buffer.isEmpty { return .endOfInput }
        let line = String(decoding: buffer, as: UTF8.self)
        buffer.removeAll()
        return .line(line)
      }
      buffer.append(contentsOf: chunk[..<count])
    }
  }
}

extension Platform {
  /// Whether `fd` is a terminal that should get colour: not when NO_COLOR is
  /// set (https://no-color.org) or TERM is `dumb`.
  static func wantsColor(fd: Int32) -> Bool {
    if let noColor = getenv("NO_COLOR"), noColor.pointee != 0 { return false }
    if let term = getenv("TERM"), String(cString: term) == "dumb" { return false }
    return isatty(fd) == 1
  }

  /// An environment variable, or `nil` when unset or empty.
  static func environment(_ name: String) -> String? {
    guard let value = getenv(name), value.pointee != 0 else { return nil }
    return String(cString: value)
  }

  /// Whether standard input is a terminal.
  static var inputIsTerminal: Bool { isatty(0) == 1 }
}
