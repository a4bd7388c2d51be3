/// Reasoning about what is known where an expression is evaluated: the
/// conditions known to hold there, and the steps known to be answered.
///
/// Expressions are evaluated in three-valued logic: a read of an unanswered
/// step is unknown, and `and`/`or` decide as soon as one side does. So a read
/// of a step that may be unasked is safe only where something already known
/// decides the expression without it (`cream_used and cream_applied`, where
/// `cream_applied` is asked only when `cream_used`), or where the step is
/// known to have been answered.
struct Facts {
  /// Conditions known to hold, by canonical text.
  private(set) var conditions: [String: ExpressionNode] = [:]
  /// Steps known to have been answered.
  private(set) var answered: Set<String> = []

  init() {}

  /// Whether `condition` (canonical text) is known to hold.
  func holds(_ condition: ExpressionNode) -> Bool { conditions[condition.canonical] != nil }

  /// These facts with `node`'s conjuncts added, and what follows from them.
  func adding(_ node: ExpressionNode, guards: (String) -> Expression?) -> Facts {
    var copy = self
    copy.add(node, guards: guards)
    return copy
  }

  /// Adds `node`'s conjuncts, and what follows: a condition that holds has
  /// every step it strictly reads answered, and an answered step had its own
  /// condition hold.
  mutating func add(_ node: ExpressionNode, guards: (String) -> Expression?) {
    var work = node.conjuncts
    while let fact = work.popLast() {
      guard conditions.updateValue(fact, forKey: fact.canonical) == nil else { continue }
      if case .call("answered", let arguments, _) = fact, case .reference(let step, _)? = arguments.first {
        if answered.insert(step).inserted, let condition = guards(step) { work += condition.root.conjuncts }
        continue
      }
      for step in fact.strictReferences(whenTrue: true) where answered.insert(step).inserted {
        if let condition = guards(step) { work += condition.root.conjuncts }
      }
    }
  }

  /// The facts that hold in both `self` and `other`.
  func intersection(_ other: Facts) -> Facts {
    var result = Facts()
    result.conditions = conditions.filter { other.conditions[$0.key] != nil }
    result.answered = answered.intersection(other.answered)
    return result
  }
}

extension ExpressionNode {
  /// A canonical text: the same condition written with other spacing,
  /// parentheses or `== true` gives the same text.
  var canonical: String {
    switch normalized {
    case .literal(let value, _): return value.description
    case .list(let items, _): return "[" + items.map(\.canonical).joined(separator: ", ") + "]"
    case .reference(let name, _): return name
    case .member(let base, let field, _): return base.canonical + "." + field
    case .call(let name, let arguments, _): return name + "(" + arguments.map(\.canonical).joined(separator: ", ") + ")"
    case .not(let operand, _): return "not " + operand.canonicalOperand
    case .negate(let operand, _): return "-" + operand.canonicalOperand
    case .binary(let op, let left, let right, _):
      return left.canonicalOperand + " " + op.rawValue + " " + right.canonicalOperand
    }
  }

  private var canonicalOperand: String {
    if case .binary = normalized { return "(" + canonical + ")" }
    return canonical
  }

  /// The node with `x == true` written `x`, `x == false` and `x != true`
  /// written `not x`, and double negation removed.
  var normalized: ExpressionNode {
    switch self {
    case .binary(let op, let left, let right, let offset) where op == .equal || op == .notEqual:
      let (subject, literal): (ExpressionNode, Bool)
      if case .literal(.bool(let value), _) = right {
        (subject, literal) = (left, value)
      } else if case .literal(.bool(let value), _) = left {
        (subject, literal) = (right, value)
      } else {
        return self
      }
      let positive = (op == .equal) == literal
      return positive ? subject.normalized : ExpressionNode.not(subject, offset: offset).normalized
    case .not(let operand, let offset):
      let inner = operand.normalized
      if case .not(let twice, _) = inner { return twice }
      return .not(inner, offset: offset)
    default:
      return self
    }
  }

  /// The parts of a conjunction, normalized; `[self]` for anything else.
  var conjuncts: [ExpressionNode] {
    let node = normalized
    if case .binary(.and, let left, let right, _) = node { return left.conjuncts + right.conjuncts }
    return [node]
  }

  /// The parts of a disjunction, normalized.
  var disjuncts: [ExpressionNode] {
    let node = normalized
    if case .binary(.or, let left, let right, _) = node { return left.disjuncts + right.disjuncts }
    return [node]
  }

  /// The condition that holds exactly when this one does not.
  var negated: ExpressionNode {
    if case .not(let operand, _) = normalized { return operand.normalized }
    return .not(normalized, offset: offset)
  }

  /// The steps that must be answered for the node to have the given truth
  /// value (or, for a value that is not a condition, any value at all).
  func strictReferences(whenTrue: Bool) -> Set<String> {
    switch self {
    case .literal: return []
    case .reference(let name, _): return [name]
    case .call("answered", _, _): return []
    case .list(let items, _), .call(_, let items, _):
      return items.reduce(into: Set()) { $0.formUnion($1.strictReferences(whenTrue: true)) }
    case .member(let base, _, _), .negate(let base, _):
      return base.strictReferences(whenTrue: true)
    case .not(let operand, _):
      return operand.strictReferences(whenTrue: !whenTrue)
    case .binary(.and, let left, let right, _):
      let (l, r) = (left.strictReferences(whenTrue: whenTrue), right.strictReferences(whenTrue: whenTrue))
      return whenTrue ? l.union(r) : l.intersection(r)
    case .binary(.or, let left, let right, _):
      let (l, r) = (left.strictReferences(whenTrue: whenTrue), right.strictReferences(whenTrue: whenTrue))
      return whenTrue ? l.intersection(r) : l.union(r)
    case .binary(_, let left, let right, _):
      return left.strictReferences(whenTrue: true).union(right.strictReferences(whenTrue: true))
    }
  }

  /// Calls `read` for each step the node reads, with the facts that hold
  /// wherever the read decides the node's value. Conditions are read left to
  /// right: in `a and b`, `b` decides only where `a` holds; in `a or b`, only
  /// where `a` does not. (`a` gets nothing from `b`: where both are unknown
  /// the whole is unknown.) A step inside `answered(...)` is not read.
  func forEachRead(
    _ facts: Facts, guards: (String) -> Expression?, _ read: (_ step: String, _ offset: Int, _ facts: Facts) -> Void
  ) {
    switch self {
    case .literal: return
    case .reference(let name, let offset): read(name, offset, facts)
    case .call("answered", _, _): return
    case .list(let items, _), .call(_, let items, _):
      for item in items { item.forEachRead(facts, guards: guards, read) }
    case .member(let base, _, _), .negate(let base, _), .not(let base, _):
      base.forEachRead(facts, guards: guards, read)
    case .binary(.and, let left, let right, _):
      left.forEachRead(facts, guards: guards, read)
      right.forEachRead(facts.adding(left, guards: guards), guards: guards, read)
    case .binary(.or, let left, let right, _):
      var whenLeftFails = facts
      for part in left.disjuncts { whenLeftFails.add(part.negated, guards: guards) }
      left.forEachRead(facts, guards: guards, read)
      right.forEachRead(whenLeftFails, guards: guards, read)
    case .binary(_, let left, let right, _):
      left.forEachRead(facts, guards: guards, read)
      right.forEachRead(facts, guards: guards, read)
    }
  }

  /// Calls `visit` for each `answered(step)` in the node, with whether it
  /// counts positively (the node is more likely to hold when the step is
  /// answered) or not; under anything but `and`, `or`, `not` and a comparison
  /// with `true` or `false` it counts as negative, to be safe.
  func forEachAnsweredCall(positive: Bool = true, _ visit: (_ step: String, _ offset: Int, _ positive: Bool) -> Void) {
    switch self {
    case .call("answered", let arguments, _):
      if case .reference(let step, let offset)? = arguments.first { visit(step, offset, positive) }
    case .not(let operand, _):
      operand.forEachAnsweredCall(positive: !positive, visit)
    case .binary(.and, let left, let right, _), .binary(.or, let left, let right, _):
      left.forEachAnsweredCall(positive: positive, visit)
      right.forEachAnsweredCall(positive: positive, visit)
    case .binary(let op, let left, let right, _) where op == .equal || op == .notEqual:
      if case .literal(.bool(let value), _) = right {
        left.forEachAnsweredCall(positive: positive == ((op == .equal) == value), visit)
      } else if case .literal(.bool(let value), _) = left {
        right.forEachAnsweredCall(positive: positive == ((op == .equal) == value), visit)
      } else {
        left.forEachAnsweredCall(positive: false, visit)
        right.forEachAnsweredCall(positive: false, visit)
      }
    case .literal, .reference: return
    case .list(let items, _), .call(_, let items, _):
      for item in items { item.forEachAnsweredCall(positive: false, visit) }
    case .member(let base, _, _), .negate(let base, _):
      base.forEachAnsweredCall(positive: false, visit)
    case .binary(_, let left, let right, _):
      left.forEachAnsweredCall(positive: false, visit)
      right.forEachAnsweredCall(positive: false, visit)
    }
  }
}
