/// An expression read as clauses that each compare one step's answer with a
/// constant, all of which (or any of which) must hold: the form a form
/// renderer's conditions take, such as FHIR's `Questionnaire.item.enableWhen`.
package struct ExpressionClauses: Sendable, Hashable {
  /// How the clauses combine.
  package enum Combination: Sendable, Hashable {
    /// Every clause must hold (`a and b`, or a single clause).
    case all
    /// At least one clause must hold (`a or b`).
    case any
  }

  /// How a clause compares the answer with its value.
  package enum Comparison: Sendable, Hashable {
    case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual
    /// A multiple-choice answer holds the value (`"x" in step`).
    case contains
  }

  /// One comparison of a step's answer with a constant.
  package struct Clause: Sendable, Hashable {
    /// The step whose answer is compared.
    package var step: String
    /// How.
    package var comparison: Comparison
    /// The constant: a bool, number, string or date.
    package var value: Value
  }

  package var combination: Combination
  package var clauses: [Clause]
}

extension Expression {
  /// The expression as clauses of one step's answer against a constant,
  /// joined by `and` alone or by `or` alone; `nil` when it has any other
  /// shape (arithmetic, functions, members, a mix of `and` and `or`, or a
  /// comparison of two answers).
  ///
  /// A bare yes/no step reads as `step == true`, `not step` as
  /// `step == false`, `not (a == b)` as `a != b`, and a constant written on
  /// the left is moved to the right.
  package var clauses: ExpressionClauses? {
    var clauses: [ExpressionClauses.Clause] = []
    var combination: ExpressionClauses.Combination?
    func collect(_ node: ExpressionNode) -> Bool {
      if case .binary(let op, let left, let right, _) = node, op == .and || op == .or {
        let this: ExpressionClauses.Combination = op == .and ? .all : .any
        if let combination, combination != this { return false }
        combination = this
        return collect(left) && collect(right)
      }
      guard let clause = Self.clause(node) else { return false }
      clauses.append(clause)
      return true
    }
    guard collect(root) else { return nil }
    return ExpressionClauses(combination: combination ?? .all, clauses: clauses)
  }

  /// Each comparison, and what it becomes with its sides swapped.
  private static let comparisons:
    [BinaryOperator: (ExpressionClauses.Comparison, flipped: ExpressionClauses.Comparison)] = [
      .equal: (.equal, .equal), .notEqual: (.notEqual, .notEqual), .less: (.less, .greater),
      .lessOrEqual: (.lessOrEqual, .greaterOrEqual), .greater: (.greater, .less),
      .greaterOrEqual: (.greaterOrEqual, .lessOrEqual),
    ]

  private static func clause(_ node: ExpressionNode) -> ExpressionClauses.Clause? {
    switch node {
    case .reference(let step, _):
      return .init(step: step, comparison: .equal, value: .bool(true))
    case .not(.reference(let step, _), _):
      return .init(step: step, comparison: .equal, value: .bool(false))
    case .not(let inner, _):
      guard let clause = clause(inner) else { return nil }
      switch (clause.comparison, clause.value) {
      case (.equal, .bool(let value)): return .init(step: clause.step, comparison: .equal, value: .bool(!value))
      case (.equal, _): return .init(step: clause.step, comparison: .notEqual, value: clause.value)
      case (.notEqual, _): return .init(step: clause.step, comparison: .equal, value: clause.value)
      default: return nil
      }
    case .binary(.in, .literal(let value, _), .reference(let step, _), _):
      guard case .string = value else { return nil }
      return .init(step: step, comparison: .contains, value: value)
    case .binary(let op, let left, let right, _):
      guard let (comparison, flipped) = comparisons[op] else { return nil }
      switch (left, right) {
      case (.reference(let step, _), .literal(let value, _)) where value.isConstantScalar:
        return .init(step: step, comparison: comparison, value: value)
      case (.literal(let value, _), .reference(let step, _)) where value.isConstantScalar:
        return .init(step: step, comparison: flipped, value: value)
      default:
        return nil
      }
    default:
      return nil
    }
  }
}

extension Value {
  /// A bool, number, string or date.
  fileprivate var isConstantScalar: Bool {
    switch self {
    case .bool, .number, .string, .date: return true
    default: return false
    }
  }
}
