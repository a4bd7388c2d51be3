import Synchronization

/// The bytes of one source file, kept so that diagnostics can quote the line
/// at fault.
public final class SourceText: Sendable {
  /// The name diagnostics use for this source, usually its path.
  public let name: String
  /// The raw bytes as read.
  public let bytes: [UInt8]
  /// Where each line starts, built on the first look-up.
  private let index = Mutex<[Int]?>(nil)

  /// Creates a source from its name and bytes.
  public init(name: String, bytes: [UInt8]) {
    self.name = name
    self.bytes = bytes
  }

  /// Creates a source from its name and text.
  public convenience init(name: String, text: String) {
    self.init(name: name, bytes: Array(text.utf8))
  }

  /// The text of the 1-based `line`, without its line break, or `nil` when the
  /// source has no such line. Invalid UTF-8 is shown as U+FFFD.
  public func line(_ line: Int) -> String? {
    guard let start = byteOffset(ofLine: line) else { return nil }
    let count = bytes.count
    var end = start
    while end < count, bytes[end] != UInt8(ascii: "\n"), bytes[end] != UInt8(ascii: "\r") {
      end += 1
    }
    return String(decoding: bytes[start..<end], as: UTF8.self)
  }

  /// The offset of the first byte of the 1-based `line`, or `nil` when the
  /// source has no such line. The first call indexes the lines; later calls
  /// cost a look-up.
  public func byteOffset(ofLine line: Int) -> Int? {
    let starts = index.withLock { cached in
      if let cached { return cached }
      // Line breaks as YAML counts them: LF, CRLF, or a lone CR.
      var starts = [0]
      for (offset, byte) in bytes.enumerated() where isLineBreak(at: offset, byte) {
        starts.append(offset + 1)
      }
      cached = starts
      return starts
    }
    guard line >= 1, line <= starts.count, starts[line - 1] <= bytes.count else { return nil }
    return starts[line - 1]
  }

  /// The byte offset of a 1-based `line` and `column` (in Unicode scalars),
  /// or `nil` when the source has no such line.
  public func byteOffset(line: Int, column: Int) -> Int? {
    guard var offset = byteOffset(ofLine: line) else { return nil }
    var current = 1
    while current < column, offset < bytes.count {
      offset += 1
      while offset < bytes.count, bytes[offset] & 0xC0 == 0x80 { offset += 1 }
      current += 1
    }
    return offset
  }

  /// Whether `byte`, at `offset`, ends a line: an LF, or a CR not followed by one.
  private func isLineBreak(at offset: Int, _ byte: UInt8) -> Bool {
    byte == UInt8(ascii: "\n")
      || (byte == UInt8(ascii: "\r") && (offset + 1 == bytes.count || bytes[offset + 1] != UInt8(ascii: "\n")))
  }

  /// The location of byte `offset`: its line, and its column counted in
  /// Unicode scalars (bytes that are not UTF-8 continuation bytes).
  public func location(ofByte offset: Int) -> SourceLocation {
    var line = 1
    var column = 1
    var index = 0
    let end = min(offset, bytes.count)
    while index < end {
      let byte = bytes[index]
      if isLineBreak(at: index, byte) {
        line += 1
        column = 1
      } else if byte == UInt8(ascii: "\r") {
        // The CR of a CRLF: the LF that follows ends the line.
      } else if byte & 0xC0 != 0x80 {
        column += 1
      }
      index += 1
    }
    return SourceLocation(file: name, line: line, column: column)
  }

  /// A diagnostic at `location` in this source, quoting its line.
  public func diagnostic(
    _ severity: Diagnostic.Severity = .error, at location: SourceLocation, _ message: String,
    notes: [String] = []
  ) -> Diagnostic {
    Diagnostic(
      severity, at: location, message, sourceLine: line(location.line), notes: notes)
  }
}
