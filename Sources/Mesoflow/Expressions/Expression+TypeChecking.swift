/// What an expression may refer to: the steps it can read, with the type of
/// their answers and, for choices, their option ids.
package struct ExpressionEnvironment: Sendable {
  /// One name an expression can read.
  package struct Symbol: Sendable, Hashable {
    /// The type of the answer.
    package var type: ValueType
    /// For a choice or multi-choice step, the ids of its options.
    package var options: [String]?

    /// Creates a symbol.
    package init(type: ValueType, options: [String]? = nil) {
      self.type = type
      self.options = options
    }
  }

  /// The names in scope.
  package var symbols: [String: Symbol]

  /// Creates an environment.
  package init(symbols: [String: Symbol] = [:]) { self.symbols = symbols }

  /// The functions expressions may call, with how to describe their arguments.
  static let functions: [String: String] = [
    "days_since": "days_since(date)", "years_since": "years_since(date)",
    "count": "count(list)", "contains": "contains(list, item)", "answered": "answered(step)",
    "today": "today()",
  ]
}

extension Expression {
  /// Resolves the expression's names and checks its types.
  ///
  /// - Parameter environment: The steps the expression may read.
  /// - Returns: The type of the expression's value.
  /// - Throws: ``ExpressionError`` at the first unknown name, wrong type, or
  ///   string that is not an option of the choice it is compared with.
  package func typeCheck(in environment: ExpressionEnvironment) throws(ExpressionError) -> ValueType {
    do throws(ExpressionError) {
      return try TypeChecker(environment: environment).type(of: root)
    } catch {
      throw error.convertingByteOffset(in: text)
    }
  }
}

struct TypeChecker {
  let environment: ExpressionEnvironment

  func type(of node: ExpressionNode) throws(ExpressionError) -> ValueType {
    switch node {
    case .literal(let value, _):
      return value.type
    case .list(let items, let offset):
      guard let first = items.first else {
        throw ExpressionError(offset: offset, "an empty list has no item type; list at least one item")
      }
      let itemType = try type(of: first)
      for item in items.dropFirst() {
        let other = try type(of: item)
        guard other == itemType else {
          throw ExpressionError(
            offset: item.offset, "all items of a list must have one type: \(other) among \(itemType) items")
        }
      }
      return .list(itemType)
    case .reference(let name, let offset):
      guard let symbol = environment.symbols[name] else {
        throw ExpressionError(
          offset: offset,
          "unknown step '\(name)'\(Suggestion.didYouMean(name, in: environment.symbols.keys.sorted()))")
      }
      return symbol.type
    case .member(let base, let field, let offset):
      let baseType = try type(of: base)
      guard let fieldType = baseType.fields[field] else {
        let fields = baseType.fields.keys.sorted()
        throw ExpressionError(
          offset: offset,
          fields.isEmpty
            ? "a \(baseType) has no fields"
            : "a \(baseType) has no field '\(field)'\(Suggestion.didYouMean(field, in: fields)); its fields are \(fields.joined(separator: ", "))"
        )
      }
      return fieldType
    case .call(let name, let arguments, let offset):
      return try typeOfCall(name, arguments, offset: offset)
    case .not(let operand, _):
      try expect(operand, .bool, "'not' needs a bool")
      return .bool
    case .negate(let operand, _):
      let operandType = try type(of: operand)
      guard operandType == .number || operandType == .duration else {
        throw ExpressionError(offset: operand.offset, "'-' needs a number or a duration, found \(operandType)")
      }
      return operandType
    case .binary(let op, let left, let right, let offset):
      return try typeOfBinary(op, left, right, operatorOffset: offset)
    }
  }

  func expect(_ node: ExpressionNode, _ expected: ValueType, _ what: String) throws(ExpressionError) {
    let actual = try type(of: node)
    guard actual == expected else {
      throw ExpressionError(offset: node.offset, "\(what), found \(actual)")
    }
  }

  func typeOfCall(_ name: String, _ arguments: [ExpressionNode], offset: Int) throws(ExpressionError) -> ValueType {
    func arity(_ count: Int) throws(ExpressionError) {
      guard arguments.count == count else {
        throw ExpressionError(
          offset: offset,
          "\(name) takes \(count) argument\(count == 1 ? "" : "s"), given \(arguments.count)")
      }
    }
    switch name {
    case "days_since", "years_since":
      try arity(1)
      try expect(arguments[0], .date, "\(name) needs a date")
      return .number
    case "today":
      try arity(0)
      return .date
    case "count":
      try arity(1)
      guard case .list = try type(of: arguments[0]) else {
        throw ExpressionError(offset: arguments[0].offset, "count needs a list, found \(try type(of: arguments[0]))")
      }
      return .number
    case "contains":
      try arity(2)
      try checkMembership(item: arguments[1], list: arguments[0])
      return .bool
    case "answered":
      try arity(1)
      guard case .reference = arguments[0] else {
        throw ExpressionError(offset: arguments[0].offset, "answered needs the id of a step")
      }
      _ = try type(of: arguments[0])
      return .bool
    default:
      throw ExpressionError(
        offset: offset,
        "unknown function '\(name)'\(Suggestion.didYouMean(name, in: ExpressionEnvironment.functions.keys.sorted())); functions: \(ExpressionEnvironment.functions.values.sorted().joined(separator: ", "))"
      )
    }
  }

  func typeOfBinary(_ op: BinaryOperator, _ left: ExpressionNode, _ right: ExpressionNode, operatorOffset: Int)
    throws(ExpressionError) -> ValueType
  {
    switch op {
    case .and, .or:
      try expect(left, .bool, "'\(op.rawValue)' needs a bool on each side")
      try expect(right, .bool, "'\(op.rawValue)' needs a bool on each side")
      return .bool
    case .equal, .notEqual:
      let leftType = try type(of: left)
      let rightType = try type(of: right)
      guard leftType == rightType else {
        throw ExpressionError(offset: right.offset, "cannot compare \(leftType) with \(rightType)")
      }
      try checkOption(right, against: left)
      try checkOption(left, against: right)
      return .bool
    case .less, .lessOrEqual, .greater, .greaterOrEqual:
      let leftType = try type(of: left)
      let rightType = try type(of: right)
      guard leftType == rightType else {
        throw ExpressionError(offset: right.offset, "cannot compare \(leftType) with \(rightType)")
      }
      guard [.number, .duration, .date].contains(leftType) else {
        throw ExpressionError(
          offset: operatorOffset, "'\(op.rawValue)' orders numbers, durations and dates, not \(leftType)")
      }
      return .bool
    case .in, .notIn:
      try checkMembership(item: left, list: right)
      return .bool
    case .plus, .minus, .times, .divide:
      let leftType = try type(of: left)
      let rightType = try type(of: right)
      switch (op, leftType, rightType) {
      case (_, .number, .number): return .number
      case (.plus, .duration, .duration), (.minus, .duration, .duration): return .duration
      case (.plus, .date, .duration), (.plus, .duration, .date), (.minus, .date, .duration): return .date
      case (.minus, .date, .date): return .duration
      case (.times, .number, .duration), (.times, .duration, .number), (.divide, .duration, .number):
        return .duration
      default:
        let verb =
          [BinaryOperator.plus: "add", .minus: "subtract", .times: "multiply", .divide: "divide"][op] ?? "combine"
        throw ExpressionError(
          offset: operatorOffset, "cannot \(verb) \(leftType) and \(rightType) with '\(op.rawValue)'")
      }
    }
  }

  func checkMembership(item: ExpressionNode, list: ExpressionNode) throws(ExpressionError) {
    let listType = try type(of: list)
    guard case .list(let itemType) = listType else {
      throw ExpressionError(offset: list.offset, "expected a list here, found \(listType)")
    }
    let actual = try type(of: item)
    guard actual == itemType else {
      throw ExpressionError(offset: item.offset, "cannot look for a \(actual) in a \(listType)")
    }
    // "v" in skin_type_list / skin_type in ["v", "vi"]: the strings must be options.
    try checkOption(item, against: list)
    if case .list(let items, _) = list {
      for literal in items { try checkOption(literal, against: item) }
    }
  }

  /// When `reference` reads a choice step and `literal` is a string literal,
  /// the string must be one of the step's options.
  func checkOption(_ literal: ExpressionNode, against reference: ExpressionNode) throws(ExpressionError) {
    guard case .reference(let name, _) = reference,
      let options = environment.symbols[name]?.options
    else { return }
    var literals: [(String, Int)] = []
    switch literal {
    case .literal(.string(let value), let offset): literals = [(value, offset)]
    case .list(let items, _):
      for case .literal(.string(let value), let offset) in items { literals.append((value, offset)) }
    default: return
    }
    for (value, offset) in literals where !options.contains(value) {
      throw ExpressionError(
        offset: offset,
        "'\(value)' is not an option of '\(name)'\(Suggestion.didYouMean(value, in: options)); options: \(options.joined(separator: ", "))"
      )
    }
  }
}
