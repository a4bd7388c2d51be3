extension Expression {
  /// The most tokens (names, literals, operators, brackets) an expression may have.
  package static let maxTokens = 512

  /// Parses an expression.
  ///
  /// - Parameter text: The expression, such as `age < 18 and not pregnant`.
  /// - Returns: The parsed expression; its names are not yet resolved.
  /// - Throws: ``ExpressionError`` at the offset of the first syntax error.
  public static func parse(_ text: String) throws(ExpressionError) -> Expression {
    do throws(ExpressionError) {
      let tokens = try ExpressionLexer.tokenize(text)
      // Bounds the syntax tree, which is walked and freed recursively.
      if tokens.count - 1 > maxTokens {
        throw ExpressionError(
          offset: tokens[maxTokens].offset,
          "the expression is too long: \(tokens.count - 1) tokens, at most \(maxTokens); split it into several checks")
      }
      var parser = ExpressionParser(tokens: tokens)
      let root = try parser.parseExpression()
      guard parser.peek.kind == .end else {
        throw ExpressionError(
          offset: parser.peek.offset, "unexpected \(parser.peek.display) after the end of the expression")
      }
      return Expression(text: text, root: root, anchor: nil)
    } catch {
      throw error.convertingByteOffset(in: text)
    }
  }
}

// MARK: - Lexer

struct Token: Sendable {
  enum Kind: Sendable, Equatable {
    case identifier(String)
    case number(Double)
    case string(String)
    case duration(TimeSpan)
    case date(CalendarDate)
    case symbol(String)
    case end
  }

  var kind: Kind
  var offset: Int

  var display: String {
    switch kind {
    case .identifier(let name):
      return ["and", "or", "not", "in", "true", "false"].contains(name) ? "'\(name)'" : "name '\(name)'"
    case .number(let value): return "number \(formatNumber(value))"
    case .string(let value): return "string \"\(value)\""
    case .duration(let value): return "duration \(value)"
    case .date(let value): return "date \(value)"
    case .symbol(let symbol): return "'\(symbol)'"
    case .end: return "end of expression"
    }
  }
}

/// Splits an expression into tokens. Works on UTF-8 bytes; offsets in tokens
/// and errors are byte offsets until ``Expression`` converts them to Unicode
/// scalar offsets for the caller.
enum ExpressionLexer {
  static func isLetter(_ byte: UInt8) -> Bool {
    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
      || byte == UInt8(ascii: "_")
  }

  static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

  static let dateShape = Array("dddd-dd-dd".utf8)

  static func isSymbol(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: ","),
      UInt8(ascii: "."), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "+"), UInt8(ascii: "-"),
      UInt8(ascii: "*"), UInt8(ascii: "/"):
      return true
    default:
      return false
    }
  }

  static func startsComparison(_ byte: UInt8) -> Bool {
    byte == UInt8(ascii: "=") || byte == UInt8(ascii: "!") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">")
  }

  static func tokenize(_ text: String) throws(ExpressionError) -> [Token] {
    let bytes = Array(text.utf8)
    var tokens: [Token] = []
    var index = 0
    func word(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }

    while index < bytes.count {
      let byte = bytes[index]
      let start = index
      if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
        || byte == UInt8(ascii: "\r")
      {
        index += 1
        continue
      }
      if isLetter(byte) {
        while index < bytes.count {
          let next = bytes[index]
          if isLetter(next) || isDigit(next) {
            index += 1
          } else if next == UInt8(ascii: "-"), index + 1 < bytes.count, isLetter(bytes[index + 1]) {
            // A hyphen between letters belongs to the name: fish-allergy.
            index += 1
          } else {
            break
          }
        }
        tokens.append(Token(kind: .identifier(word(start..<index)), offset: start))
        continue
      }
      if isDigit(byte) {
        // A date is exactly YYYY-MM-DD; anything else is a number or a duration.
        let shape = dateShape
        if index + shape.count <= bytes.count,
          zip(shape, bytes[index..<(index + shape.count)]).allSatisfy({ pattern, actual in
            pattern == UInt8(ascii: "d") ? isDigit(actual) : actual == pattern
          }),
          index + shape.count == bytes.count || !isDigit(bytes[index + shape.count])
        {
          let text = word(index..<(index + shape.count))
          guard let date = CalendarDate(iso: text) else {
            throw ExpressionError(offset: start, "'\(text)' is not a date of the calendar")
          }
          tokens.append(Token(kind: .date(date), offset: start))
          index += shape.count
          continue
        }
        while index < bytes.count, isDigit(bytes[index]) || isLetter(bytes[index]) || bytes[index] == UInt8(ascii: ".")
        {
          index += 1
        }
        let text = word(start..<index)
        if let last = bytes[index - 1] as UInt8?, isLetter(last) {
          guard let span = TimeSpan(text) else {
            throw ExpressionError(
              offset: start,
              "'\(text)' is not a duration; write a number and a unit (s, m, h, d, w), such as 24h or 1h30m")
          }
          tokens.append(Token(kind: .duration(span), offset: start))
        } else {
          guard let number = Double(text), bytes[index - 1] != UInt8(ascii: ".") else {
            throw ExpressionError(offset: start, "'\(text)' is not a number")
          }
          guard number.isFinite else {
            throw ExpressionError(offset: start, "'\(text)' is too large a number")
          }
          tokens.append(Token(kind: .number(number), offset: start))
        }
        continue
      }
      if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
        index += 1
        var value: [UInt8] = []
        var closed = false
        while index < bytes.count {
          let next = bytes[index]
          index += 1
          if next == byte {
            closed = true
            break
          }
          if next == UInt8(ascii: "\\"), index < bytes.count {
            value.append(bytes[index])
            index += 1
            continue
          }
          value.append(next)
        }
        guard closed else {
          throw ExpressionError(
            offset: start, "unterminated string: add the closing \(Character(Unicode.Scalar(byte)))")
        }
        tokens.append(Token(kind: .string(String(decoding: value, as: UTF8.self)), offset: start))
        continue
      }
      if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "="),
        startsComparison(byte)
      {
        tokens.append(Token(kind: .symbol(word(index..<(index + 2))), offset: start))
        index += 2
        continue
      }
      if isSymbol(byte) {
        tokens.append(Token(kind: .symbol(word(index..<(index + 1))), offset: start))
        index += 1
        continue
      }
      if byte == UInt8(ascii: "=") {
        throw ExpressionError(offset: start, "'=' is not an operator; write '==' to compare")
      }
      if byte == UInt8(ascii: "&") || byte == UInt8(ascii: "|") || byte == UInt8(ascii: "!") {
        let replacement = byte == UInt8(ascii: "&") ? "and" : byte == UInt8(ascii: "|") ? "or" : "not"
        throw ExpressionError(
          offset: start, "'\(Character(Unicode.Scalar(byte)))' is not an operator; write '\(replacement)'")
      }
      // Show the whole character, which may take several bytes.
      var end = index + 1
      while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
      throw ExpressionError(offset: start, "unexpected character '\(word(index..<end))'")
    }
    tokens.append(Token(kind: .end, offset: bytes.count))
    return tokens
  }
}

extension ExpressionError {
  /// The same error with its byte offset in `text` turned into a Unicode
  /// scalar offset.
  func convertingByteOffset(in text: String) -> ExpressionError {
    ExpressionError(offset: text.scalarOffset(ofUTF8Offset: offset), message)
  }
}

// MARK: - Parser

/// Recursive descent, lowest precedence first: or, and, not, comparison,
/// additive, multiplicative, unary minus, postfix (member, call), primary.
struct ExpressionParser {
  let tokens: [Token]
  var position = 0
  var depth = 0
  static let maxDepth = 64
  static func comparison(_ symbol: String) -> BinaryOperator? {
    switch symbol {
    case "==": return .equal
    case "!=": return .notEqual
    case "<": return .less
    case "<=": return .lessOrEqual
    case ">": return .greater
    case ">=": return .greaterOrEqual
    default: return nil
    }
  }

  init(tokens: [Token]) { self.tokens = tokens }

  var peek: Token { tokens[position] }

  mutating func advance() -> Token {
    let token = tokens[position]
    if position < tokens.count - 1 { position += 1 }
    return token
  }

  func isKeyword(_ word: String) -> Bool { peek.kind == .identifier(word) }
  func isSymbol(_ symbol: String) -> Bool { peek.kind == .symbol(symbol) }

  mutating func expect(_ symbol: String, _ context: String) throws(ExpressionError) {
    guard isSymbol(symbol) else {
      throw ExpressionError(offset: peek.offset, "expected '\(symbol)' \(context), found \(peek.display)")
    }
    _ = advance()
  }

  mutating func parseExpression() throws(ExpressionError) -> ExpressionNode {
    depth += 1
    defer { depth -= 1 }
    guard depth <= Self.maxDepth else {
      throw ExpressionError(offset: peek.offset, "expression nests more than \(Self.maxDepth) levels deep")
    }
    return try parseOr()
  }

  mutating func parseOr() throws(ExpressionError) -> ExpressionNode {
    var left = try parseAnd()
    while isKeyword("or") {
      let offset = advance().offset
      left = .binary(.or, left, try parseAnd(), operatorOffset: offset)
    }
    return left
  }

  mutating func parseAnd() throws(ExpressionError) -> ExpressionNode {
    var left = try parseNot()
    while isKeyword("and") {
      let offset = advance().offset
      left = .binary(.and, left, try parseNot(), operatorOffset: offset)
    }
    return left
  }

  mutating func parseNot() throws(ExpressionError) -> ExpressionNode {
    if isKeyword("not") {
      let offset = advance().offset
      depth += 1
      defer { depth -= 1 }
      guard depth <= Self.maxDepth else {
        throw ExpressionError(offset: offset, "expression nests more than \(Self.maxDepth) levels deep")
      }
      return .not(try parseNot(), offset: offset)
    }
    return try parseComparison()
  }

  mutating func parseComparison() throws(ExpressionError) -> ExpressionNode {
    let left = try parseAdditive()
    if case .symbol(let symbol) = peek.kind, let op = Self.comparison(symbol) {
      let offset = advance().offset
      let right = try parseAdditive()
      try rejectChainedComparison()
      return .binary(op, left, right, operatorOffset: offset)
    }
    if isKeyword("in") {
      let offset = advance().offset
      let right = try parseAdditive()
      try rejectChainedComparison()
      return .binary(.in, left, right, operatorOffset: offset)
    }
    if isKeyword("not"), position + 1 < tokens.count, tokens[position + 1].kind == .identifier("in") {
      let offset = advance().offset
      _ = advance()
      let right = try parseAdditive()
      try rejectChainedComparison()
      return .binary(.notIn, left, right, operatorOffset: offset)
    }
    return left
  }

  func rejectChainedComparison() throws(ExpressionError) {
    if case .symbol(let symbol) = peek.kind, ["==", "!=", "<", "<=", ">", ">="].contains(symbol) {
      throw ExpressionError(
        offset: peek.offset, "comparisons cannot be chained; join them with 'and'")
    }
  }

  mutating func parseAdditive() throws(ExpressionError) -> ExpressionNode {
    var left = try parseMultiplicative()
    while isSymbol("+") || isSymbol("-") {
      let token = advance()
      left = .binary(
        isSymbolToken(token, "+") ? .plus : .minus, left, try parseMultiplicative(), operatorOffset: token.offset)
    }
    return left
  }

  mutating func parseMultiplicative() throws(ExpressionError) -> ExpressionNode {
    var left = try parseUnary()
    while isSymbol("*") || isSymbol("/") {
      let token = advance()
      left = .binary(isSymbolToken(token, "*") ? .times : .divide, left, try parseUnary(), operatorOffset: token.offset)
    }
    return left
  }

  func isSymbolToken(_ token: Token, _ symbol: String) -> Bool { token.kind == .symbol(symbol) }

  mutating func parseUnary() throws(ExpressionError) -> ExpressionNode {
    if isSymbol("-") {
      let offset = advance().offset
      depth += 1
      defer { depth -= 1 }
      guard depth <= Self.maxDepth else {
        throw ExpressionError(offset: offset, "expression nests more than \(Self.maxDepth) levels deep")
      }
      return .negate(try parseUnary(), offset: offset)
    }
    return try parsePostfix()
  }

  mutating func parsePostfix() throws(ExpressionError) -> ExpressionNode {
    var node = try parsePrimary()
    while isSymbol(".") {
      _ = advance()
      guard case .identifier(let name) = peek.kind else {
        throw ExpressionError(offset: peek.offset, "expected a field name after '.', found \(peek.display)")
      }
      let offset = advance().offset
      node = .member(node, name, offset: offset)
    }
    return node
  }

  mutating func parsePrimary() throws(ExpressionError) -> ExpressionNode {
    let token = peek
    switch token.kind {
    case .number(let value):
      _ = advance()
      return .literal(.number(value), offset: token.offset)
    case .string(let value):
      _ = advance()
      return .literal(.string(value), offset: token.offset)
    case .duration(let value):
      _ = advance()
      return .literal(.duration(value), offset: token.offset)
    case .date(let value):
      _ = advance()
      return .literal(.date(value), offset: token.offset)
    case .identifier(let name):
      if name == "true" || name == "false" {
        _ = advance()
        return .literal(.bool(name == "true"), offset: token.offset)
      }
      if ["and", "or", "not", "in"].contains(name) {
        throw ExpressionError(offset: token.offset, "expected a value, found '\(name)'")
      }
      _ = advance()
      if isSymbol("(") {
        _ = advance()
        var arguments: [ExpressionNode] = []
        if !isSymbol(")") {
          arguments.append(try parseExpression())
          while isSymbol(",") {
            _ = advance()
            arguments.append(try parseExpression())
          }
        }
        try expect(")", "to close the call of \(name)")
        return .call(name, arguments, offset: token.offset)
      }
      return .reference(name, offset: token.offset)
    case .symbol("("):
      _ = advance()
      let inner = try parseExpression()
      guard isSymbol(")") else {
        throw ExpressionError(
          offset: peek.kind == .end ? token.offset : peek.offset,
          peek.kind == .end ? "this '(' is never closed: add the closing ')'" : "expected ')', found \(peek.display)")
      }
      _ = advance()
      return inner
    case .symbol("["):
      _ = advance()
      var items: [ExpressionNode] = []
      if !isSymbol("]") {
        items.append(try parseExpression())
        while isSymbol(",") {
          _ = advance()
          items.append(try parseExpression())
        }
      }
      try expect("]", "to close the list")
      return .list(items, offset: token.offset)
    case .end:
      throw ExpressionError(
        offset: token.offset,
        token.offset == 0 ? "empty expression" : "the expression ends too early; a value is missing")
    default:
      throw ExpressionError(offset: token.offset, "expected a value, found \(token.display)")
    }
  }
}
