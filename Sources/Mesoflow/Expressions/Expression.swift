/// The type of a value in an expression, and of a step's answer.
package indirect enum ValueType: Sendable, Hashable, CustomStringConvertible {
  /// `true` or `false`.
  case bool
  /// An integer or decimal number.
  case number
  /// Text.
  case string
  /// A length of time.
  case duration
  /// A calendar date.
  case date
  /// A list whose items all have one type.
  case list(ValueType)
  /// A signed consent: `.signed_by` (string) and `.signed_at` (date).
  case consent
  /// A product: `.name`, `.lot` (strings) and `.expiry` (date).
  case product

  public var description: String {
    switch self {
    case .bool: return "bool"
    case .number: return "number"
    case .string: return "string"
    case .duration: return "duration"
    case .date: return "date"
    case .list(let item): return "list(\(item))"
    case .consent: return "consent"
    case .product: return "product"
    }
  }

  /// The fields of a compound type, with their types.
  var fields: [String: ValueType] {
    switch self {
    case .consent: return ["signed_by": .string, "signed_at": .date]
    case .product: return ["name": .string, "lot": .string, "expiry": .date]
    default: return [:]
    }
  }
}

/// A parsed guard or check condition: its text, where it was written, and its
/// syntax tree. Built with ``Expression/parse(_:)``; the loader and
/// ``PluginRegistry/register(_:)`` check its types against the steps it reads.
public struct Expression: Sendable, CustomStringConvertible {
  /// The expression as written.
  public let text: String
  let root: ExpressionNode
  /// Where the expression was written, when it was read from a definition.
  var anchor: ScalarAnchor?

  /// Where the expression starts in its definition; `nil` for one built in Swift.
  public var location: SourceLocation? { anchor?.location(ofOffset: 0) }

  /// The source location of the character at `offset` (in Unicode scalars)
  /// of the expression's text; `nil` for an expression built in Swift.
  package func location(ofOffset offset: Int) -> SourceLocation? { anchor?.location(ofOffset: offset) }

  /// The source location of the character at UTF-8 `offset` of the text, as
  /// syntax tree nodes count.
  func location(ofByteOffset offset: Int) -> SourceLocation? {
    guard let anchor else { return nil }
    return anchor.location(ofOffset: text.scalarOffset(ofUTF8Offset: offset))
  }

  /// The expression as written.
  public var description: String { text }

  /// The ids of the steps the expression reads, in the order they appear.
  public var references: [String] {
    var names: [String] = []
    root.collectReferences(into: &names)
    // Usually a few names, where a search beats hashing.
    guard names.count > 16 else {
      var unique: [String] = []
      unique.reserveCapacity(names.count)
      for name in names where !unique.contains(name) { unique.append(name) }
      return unique
    }
    var seen = Set<String>()
    return names.filter { seen.insert($0).inserted }
  }
}

/// A problem in an expression, at a character offset inside its text.
public struct ExpressionError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The 0-based offset, in Unicode scalars, of the character at fault.
  public var offset: Int
  /// What is wrong.
  public var message: String

  /// Creates an error.
  package init(offset: Int, _ message: String) {
    self.offset = offset
    self.message = message
  }

  public var description: String { "\(offset): \(message)" }
}

// MARK: - Syntax tree

enum BinaryOperator: String, Sendable {
  case and, or
  case equal = "=="
  case notEqual = "!="
  case less = "<"
  case lessOrEqual = "<="
  case greater = ">"
  case greaterOrEqual = ">="
  case `in`
  case notIn = "not in"
  case plus = "+"
  case minus = "-"
  case times = "*"
  case divide = "/"
}

/// A node of an expression's syntax tree; `offset` is where it starts in the
/// text, in Unicode scalars.
indirect enum ExpressionNode: Sendable {
  case literal(Value, offset: Int)
  case list([ExpressionNode], offset: Int)
  case reference(String, offset: Int)
  case member(ExpressionNode, String, offset: Int)
  case call(String, [ExpressionNode], offset: Int)
  case not(ExpressionNode, offset: Int)
  case negate(ExpressionNode, offset: Int)
  case binary(BinaryOperator, ExpressionNode, ExpressionNode, operatorOffset: Int)

  var offset: Int {
    switch self {
    case .literal(_, let offset), .list(_, let offset), .reference(_, let offset),
      .member(_, _, let offset), .call(_, _, let offset), .not(_, let offset),
      .negate(_, let offset):
      return offset
    case .binary(_, let left, _, _):
      return left.offset
    }
  }

  func collectReferences(into names: inout [String]) {
    switch self {
    case .literal: break
    case .reference(let name, _): names.append(name)
    case .list(let items, _), .call(_, let items, _):
      for item in items { item.collectReferences(into: &names) }
    case .member(let base, _, _), .not(let base, _), .negate(let base, _):
      base.collectReferences(into: &names)
    case .binary(_, let left, let right, _):
      left.collectReferences(into: &names)
      right.collectReferences(into: &names)
    }
  }
}
