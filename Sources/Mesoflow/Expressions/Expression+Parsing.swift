extension Expression {
  /// Parses an expression.
  ///
  /// - Parameter text: The expression, such as `age < 18 and not pregnant`.
  /// - Returns: The parsed expression; its names are not yet resolved.
  /// - Throws: ``ExpressionError`` at the offset of the first syntax error.
  public static func parse(_ text: String) throws(ExpressionError) -> Expression {
    var parser = ExpressionParser(tokens: try ExpressionLexer.tokenize(text))
    let root = try parser.parseExpression()
    guard parser.peek.kind == .end else {
      throw ExpressionError(
        offset: parser.peek.offset, "unexpected \(parser.peek.display) after the end of the expression")
    }
    return Expression(text: text, root: root)
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
    case .identifier(let name): return ["and", "or", "not", "in", "true", "false"].contains(name) ? "'\(name)'" : "name '\(name)'"
    case .number(let value): return "number \(formatNumber(value))"
    case .string(let value): return "string \"\(value)\""
    case .duration(let value): return "duration \(value)"
    case .date(let value): return "date \(value)"
    case .symbol(let symbol): return "'\(symbol)'"
    case .end: return "end of expression"
    }
  }
}

enum ExpressionLexer {
  static func tokenize(_ text: String) throws(ExpressionError) -> [Token] {
    let scalars = Array(text.unicodeScalars)
    var tokens: [Token] = []
    var index = 0
    func isLetter(_ scalar: Unicode.Scalar) -> Bool {
      (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || scalar == "_"
    }
    func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar >= "0" && scalar <= "9" }

    while index < scalars.count {
      let scalar = scalars[index]
      let start = index
      if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
        index += 1
        continue
      }
      if isLetter(scalar) {
        var name = ""
        while index < scalars.count {
          let next = scalars[index]
          if isLetter(next) || isDigit(next) {
            name.unicodeScalars.append(next)
            index += 1
          } else if next == "-", index + 1 < scalars.count, isLetter(scalars[index + 1]) {
            // A hyphen between letters belongs to the name: fish-allergy.
            name.unicodeScalars.append(next)
            index += 1
          } else {
            break
          }
        }
        tokens.append(Token(kind: .identifier(name), offset: start))
        continue
      }
      if isDigit(scalar) {
        // A date is exactly YYYY-MM-DD; anything else is a number or a duration.
        let shape = "dddd-dd-dd".unicodeScalars.map { $0 }
        if index + shape.count <= scalars.count,
          zip(shape, scalars[index..<(index + shape.count)]).allSatisfy({ pattern, actual in
            pattern == "d" ? isDigit(actual) : actual == pattern
          }),
          index + shape.count == scalars.count || !isDigit(scalars[index + shape.count])
        {
          let word = String(String.UnicodeScalarView(scalars[index..<(index + shape.count)]))
          guard let date = CalendarDate(iso: word) else {
            throw ExpressionError(offset: start, "'\(word)' is not a date of the calendar")
          }
          tokens.append(Token(kind: .date(date), offset: start))
          index += shape.count
          continue
        }
        var word = ""
        while index < scalars.count,
          isDigit(scalars[index]) || isLetter(scalars[index]) || scalars[index] == "."
        {
          word.unicodeScalars.append(scalars[index])
          index += 1
        }
        if word.last.map({ $0.isLetter }) == true {
          guard let span = TimeSpan(word) else {
            throw ExpressionError(
              offset: start,
              "'\(word)' is not a duration; write a number and a unit (s, m, h, d, w), such as 24h or 1h30m")
          }
          tokens.append(Token(kind: .duration(span), offset: start))
        } else {
          guard let number = Double(word), word.last != "." else {
            throw ExpressionError(offset: start, "'\(word)' is not a number")
          }
          tokens.append(Token(kind: .number(number), offset: start))
        }
        continue
      }
      if scalar == "\"" || scalar == "'" {
        index += 1
        var value = ""
        var closed = false
        while index < scalars.count {
          let next = scalars[index]
          index += 1
          if next == scalar {
            closed = true
            break
          }
          if next == "\\", index < scalars.count {
            value.unicodeScalars.append(scalars[index])
            index += 1
            continue
          }
          value.unicodeScalars.append(next)
        }
        guard closed else {
          throw ExpressionError(offset: start, "unterminated string: add the closing \(scalar)")
        }
        tokens.append(Token(kind: .string(value), offset: start))
        continue
      }
      let two = index + 1 < scalars.count ? String(scalars[index]) + String(scalars[index + 1]) : ""
      if ["==", "!=", "<=", ">="].contains(two) {
        tokens.append(Token(kind: .symbol(two), offset: start))
        index += 2
        continue
      }
      if "()[],.<>+-*/".unicodeScalars.contains(scalar) {
        tokens.append(Token(kind: .symbol(String(scalar)), offset: start))
        index += 1
        continue
      }
      if scalar == "=" {
        throw ExpressionError(offset: start, "'=' is not an operator; write '==' to compare")
      }
      if scalar == "&" || scalar == "|" || scalar == "!" {
        let word = scalar == "&" ? "and" : scalar == "|" ? "or" : "not"
        throw ExpressionError(offset: start, "'\(scalar)' is not an operator; write '\(word)'")
      }
      throw ExpressionError(offset: start, "unexpected character '\(scalar)'")
    }
    tokens.append(Token(kind: .end, offset: scalars.count))
    return tokens
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
    let comparisons: [String: BinaryOperator] = [
      "==": .equal, "!=": .notEqual, "<": .less, "<=": .lessOrEqual, ">": .greater,
      ">=": .greaterOrEqual,
    ]
    if case .symbol(let symbol) = peek.kind, let op = comparisons[symbol] {
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
      left = .binary(isSymbolToken(token, "+") ? .plus : .minus, left, try parseMultiplicative(), operatorOffset: token.offset)
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
      try expect(")", "to close '(' at \(token.offset + 1)")
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
      throw ExpressionError(offset: token.offset, token.offset == 0 ? "empty expression" : "the expression ends too early; a value is missing")
    default:
      throw ExpressionError(offset: token.offset, "expected a value, found \(token.display)")
    }
  }
}
