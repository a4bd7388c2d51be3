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
    var end = start
    while end < bytes.count, lineBreakLength(at: end) == 0 { end += 1 }
    return String(decoding: bytes[start..<end], as: UTF8.self)
  }

  /// The offset of the first byte of the 1-based `line`, or `nil` when the
  /// source has no such line. The first call indexes the lines; later calls
  /// cost a look-up.
  public func byteOffset(ofLine line: Int) -> Int? {
    let starts = index.withLock { cached in
      if let cached { return cached }
      var starts = [0]
      var offset = 0
      while offset < bytes.count {
        let length = lineBreakLength(at: offset)
        offset += max(length, 1)
        if length > 0 { starts.append(offset) }
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

  /// The length in bytes of the line break at `offset`, or 0 when none
  /// starts there. Line breaks are those libyaml counts lines by (YAML 1.1):
  /// LF, CRLF, a lone CR, and U+0085 NEXT LINE, U+2028 LINE SEPARATOR and
  /// U+2029 PARAGRAPH SEPARATOR, so that a location libyaml gives quotes the
  /// line it means.
  private func lineBreakLength(at offset: Int) -> Int {
    let byte = bytes[offset]
    let count = bytes.count
    switch byte {
    case UInt8(ascii: "\n"):
      return 1
    case UInt8(ascii: "\r"):
      return offset + 1 < count && bytes[offset + 1] == UInt8(ascii: "\n") ? 2 : 1
    case 0xC2:
      return offset + 1 < count && bytes[offset + 1] == 0x85 ? 2 : 0
    case 0xE2:
      guard offset + 2 < count, bytes[offset + 1] == 0x80 else { return 0 }
      return bytes[offset + 2] == 0xA8 || bytes[offset + 2] == 0xA9 ? 3 : 0
    default:
      return 0
    }
  }

  /// The location of byte `offset`: its line, and its column counted in
  /// Unicode scalars (bytes that are not UTF-8 continuation bytes).
  public func location(ofByte offset: Int) -> SourceLocation {
    var line = 1
    var column = 1
    var index = 0
    let end = min(offset, bytes.count)
    while index < end {
      let length = lineBreakLength(at: index)
      if length > 0, index + length <= end {
        line += 1
        column = 1
        index += length
        continue
      }
      // Neither a continuation byte nor the start of a break that `offset`
      // is inside (the LF of a CRLF, say) is a column of its own.
      if bytes[index] & 0xC0 != 0x80, length == 0 { column += 1 }
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
