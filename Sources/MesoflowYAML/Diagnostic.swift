/// A problem found in a source file, with the place it was found.
///
/// ``description`` is the one-line form `FILE:LINE:COL: error: MESSAGE`;
/// ``rendered(color:)`` adds the offending line with a caret under the column.
public struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible {
  /// How serious a diagnostic is.
  public enum Severity: String, Sendable, Hashable, Comparable {
    /// The definition cannot be used.
    case error
    /// The definition can be used, but probably does not say what was meant.
    case warning

    public static func < (lhs: Severity, rhs: Severity) -> Bool {
      lhs == .warning && rhs == .error
    }
  }

  /// Whether this is an error or a warning.
  public var severity: Severity
  /// Where the problem is.
  public var location: SourceLocation
  /// What the problem is, in one sentence without a trailing period.
  public var message: String
  /// The text of the line at ``location``, when it is known.
  public var sourceLine: String?
  /// Further lines of explanation, printed after the caret.
  public var notes: [String]

  /// Creates a diagnostic.
  public init(
    _ severity: Severity = .error, at location: SourceLocation, _ message: String,
    sourceLine: String? = nil, notes: [String] = []
  ) {
    self.severity = severity
    self.location = location
    self.message = message
    self.sourceLine = sourceLine
    self.notes = notes
  }

  /// `FILE:LINE:COL: error: MESSAGE`.
  public var description: String {
    "\(location): \(severity.rawValue): \(message)"
  }

  /// The diagnostic as a compiler prints it: the one-line form, then the
  /// source line and a caret under the column, then any notes.
  ///
  /// - Parameter color: Whether to use ANSI colours.
  public func rendered(color: Bool = false) -> String {
    let bold = color ? "\u{1B}[1m" : ""
    let reset = color ? "\u{1B}[0m" : ""
    let tint = color ? (severity == .error ? "\u{1B}[1;31m" : "\u{1B}[1;35m") : ""
    let green = color ? "\u{1B}[1;32m" : ""
    var out = "\(bold)\(location):\(reset) \(tint)\(severity.rawValue):\(reset) \(bold)\(message)\(reset)"
    if let sourceLine {
      out += "\n" + sourceLine + "\n"
      var pad = ""
      for (index, scalar) in sourceLine.unicodeScalars.enumerated() {
        if index >= location.column - 1 { break }
        pad.append(scalar == "\t" ? "\t" : " ")
      }
      if sourceLine.unicodeScalars.count < location.column - 1 {
        pad += String(repeating: " ", count: location.column - 1 - sourceLine.unicodeScalars.count)
      }
      out += pad + green + "^" + reset
    }
    for note in notes {
      out += "\nnote: " + note
    }
    return out
  }
}

extension Array where Element == Diagnostic {
  /// Whether any diagnostic is an error.
  public var hasErrors: Bool { contains { $0.severity == .error } }
}
