/// A position in a source file: the file's name and a 1-based line and column.
///
/// Columns count Unicode scalars, as libyaml does, so a caret drawn under
/// ``column`` lines up with the character at fault.
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
  /// The name of the source, usually the path it was read from.
  public var file: String
  /// The 1-based line.
  public var line: Int
  /// The 1-based column, in Unicode scalars.
  public var column: Int

  /// Creates a location.
  public init(file: String, line: Int, column: Int) {
    self.file = file
    self.line = line
    self.column = column
  }

  /// `FILE:LINE:COL`, the form editors and compilers use.
  public var description: String { "\(file):\(line):\(column)" }

  /// The location `offset` scalars to the right on the same line.
  public func advanced(by offset: Int) -> SourceLocation {
    SourceLocation(file: file, line: line, column: column + offset)
  }

  public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
    (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
  }
}
