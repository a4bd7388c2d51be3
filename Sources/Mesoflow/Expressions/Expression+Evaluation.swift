/// What an expression is evaluated against: the answers given so far and the
/// current date, both supplied by the caller (the engine reads no clock).
public struct EvaluationContext: Sendable {
  /// The answer to a step, or `nil` while it is unanswered.
  public var answer: @Sendable (String) -> Value?
  /// Today's date, for `days_since`, `years_since` and `today()`.
  public var today: CalendarDate

  /// Creates a context.
  package init(today: CalendarDate, answer: @escaping @Sendable (String) -> Value?) {
    self.today = today
    self.answer = answer
  }

  /// A context over a fixed set of answers.
  package init(today: CalendarDate, answers: [String: Value]) {
    self.init(today: today) { answers[$0] }
  }
}

extension Expression {
  /// Evaluates a type-checked expression.
  ///
  /// - Parameter context: The answers and today's date.
  /// - Returns: The value, or `nil` while it cannot be known yet because a
  ///   step it needs is unanswered. `and` and `or` decide as soon as one side
  ///   does (`false and x` is `false` even while `x` is unknown).
  ///   Division by zero also gives `nil`. Nothing is thrown.
  package func evaluate(in context: EvaluationContext) -> Value? {
    Evaluator(context: context).value(of: root)
  }
}

struct Evaluator {
  let context: EvaluationContext

  func value(of node: ExpressionNode) -> Value? {
    switch node {
    case .literal(let value, _):
      return value
    case .list(let items, _):
      var values: [Value] = []
      values.reserveCapacity(items.count)
      for item in items {
        guard let value = value(of: item) else { return nil }
        values.append(value)
      }
      return .list(values)
    case .reference(let name, _):
      return context.answer(name)
    case .member(let base, let field, _):
      return value(of: base)?.field(field)
    case .call(let name, let arguments, _):
      return call(name, arguments)
    case .not(let operand, _):
      guard case .bool(let value)? = value(of: operand) else { return nil }
      return .bool(!value)
    case .negate(let operand, _):
      switch value(of: operand) {
      case .number(let value)?: return .number(-value)
      case .duration(let value)?: return .duration(.zero - value)
      default: return nil
      }
    case .binary(let op, let left, let right, _):
      return binary(op, left, right)
    }
  }

  func call(_ name: String, _ arguments: [ExpressionNode]) -> Value? {
    switch name {
    case "today":
      return .date(context.today)
    case "days_since":
      guard case .date(let date)? = arguments.first.flatMap(value(of:)) else { return nil }
      return .number(Double(context.today.daysSinceEpoch - date.daysSinceEpoch))
    case "years_since":
      guard case .date(let date)? = arguments.first.flatMap(value(of:)) else { return nil }
      return .number(Double(date.wholeYears(until: context.today)))
    case "count":
      guard case .list(let items)? = arguments.first.flatMap(value(of:)) else { return nil }
      return .number(Double(items.count))
    case "contains":
      guard arguments.count == 2, case .list(let items)? = value(of: arguments[0]),
        let item = value(of: arguments[1])
      else { return nil }
      return .bool(items.contains(item))
    case "answered":
      guard case .reference(let step, _)? = arguments.first else { return nil }
      return .bool(context.answer(step) != nil)
    default:
      return nil
    }
  }

  func binary(_ op: BinaryOperator, _ left: ExpressionNode, _ right: ExpressionNode) -> Value? {
    switch op {
    case .and:
      let lhs = value(of: left)
      if case .bool(false)? = lhs { return .bool(false) }
      let rhs = value(of: right)
      if case .bool(false)? = rhs { return .bool(false) }
      guard case .bool(true)? = lhs, case .bool(true)? = rhs else { return nil }
      return .bool(true)
    case .or:
      let lhs = value(of: left)
      if case .bool(true)? = lhs { return .bool(true) }
      let rhs = value(of: right)
      if case .bool(true)? = rhs { return .bool(true) }
      guard case .bool(false)? = lhs, case .bool(false)? = rhs else { return nil }
      return .bool(false)
    default:
      break
    }
    guard let lhs = value(of: left), let rhs = value(of: right) else { return nil }
    switch op {
    case .equal: return .bool(lhs == rhs)
    case .notEqual: return .bool(lhs != rhs)
    case .less, .lessOrEqual, .greater, .greaterOrEqual:
      guard let order = Self.compare(lhs, rhs) else { return nil }
      switch op {
      case .less: return .bool(order < 0)
      case .lessOrEqual: return .bool(order <= 0)
      case .greater: return .bool(order > 0)
      default: return .bool(order >= 0)
      }
    case .in, .notIn:
      guard case .list(let items) = rhs else { return nil }
      return .bool(items.contains(lhs) == (op == .in))
    case .plus, .minus, .times, .divide:
      return Self.arithmetic(op, lhs, rhs)
    case .and, .or:
      return nil
    }
  }

  /// `date` moved by `days`, or `nil` (unknown) outside the years 1 to 9999.
  static func shifted(_ date: CalendarDate, by days: Int) -> Value? {
    let (target, overflow) = date.daysSinceEpoch.addingReportingOverflow(days)
    guard !overflow, let moved = CalendarDate(daysSinceEpoch: target) else { return nil }
    return .date(moved)
  }

  static func compare(_ lhs: Value, _ rhs: Value) -> Int? {
    func order<T: Comparable>(_ a: T, _ b: T) -> Int { a < b ? -1 : a == b ? 0 : 1 }
    switch (lhs, rhs) {
    case (.number(let a), .number(let b)): return order(a, b)
    case (.duration(let a), .duration(let b)): return order(a, b)
    case (.date(let a), .date(let b)): return order(a, b)
    default: return nil
    }
  }

  static func arithmetic(_ op: BinaryOperator, _ lhs: Value, _ rhs: Value) -> Value? {
    switch (op, lhs, rhs) {
    case (.plus, .number(let a), .number(let b)): return .number(a + b)
    case (.minus, .number(let a), .number(let b)): return .number(a - b)
    case (.times, .number(let a), .number(let b)): return .number(a * b)
    case (.divide, .number(let a), .number(let b)): return b == 0 ? nil : .number(a / b)
    case (.plus, .duration(let a), .duration(let b)): return .duration(a + b)
    case (.minus, .duration(let a), .duration(let b)): return .duration(a - b)
    case (.plus, .date(let date), .duration(let span)), (.plus, .duration(let span), .date(let date)):
      return shifted(date, by: span.seconds.floorDivided(by: 86_400))
    case (.minus, .date(let date), .duration(let span)):
      return shifted(date, by: -span.seconds.floorDivided(by: 86_400))
    case (.minus, .date(let a), .date(let b)):
      return .duration(.days(a.daysSinceEpoch - b.daysSinceEpoch))
    case (.times, .number(let factor), .duration(let span)), (.times, .duration(let span), .number(let factor)):
      guard let seconds = Int(exactly: (Double(span.seconds) * factor).rounded()) else { return nil }
      return .duration(TimeSpan(seconds: seconds))
    case (.divide, .duration(let span), .number(let divisor)):
      guard divisor != 0, let seconds = Int(exactly: (Double(span.seconds) / divisor).rounded()) else { return nil }
      return .duration(TimeSpan(seconds: seconds))
    default:
      return nil
    }
  }
}

extension Int {
  func floorDivided(by divisor: Int) -> Int {
    let quotient = self / divisor
    return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
  }
}
