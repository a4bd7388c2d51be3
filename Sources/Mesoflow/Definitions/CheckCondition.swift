/// When a check fires: an expression written in a definition, or a Swift
/// closure supplied by a plugin written in Swift.
///
/// Either way the condition names the steps it reads, so that the engine can
/// evaluate it as soon as one of them is answered or corrected. A condition
/// is three-valued: `true` fires the check, `false` does not, and `nil` means
/// it cannot be known yet because an answer it needs is missing.
public struct CheckCondition: Sendable, CustomStringConvertible {
  enum Storage: Sendable {
    case expression(Expression)
    case native(@Sendable (EvaluationContext) -> Bool?)
  }

  let storage: Storage
  /// The condition as people read it: the expression's text, or a native
  /// condition's summary.
  public let text: String
  /// The ids of the steps the condition reads.
  public let inputs: [String]

  /// A condition written in the expression language.
  public static func expression(_ expression: Expression) -> CheckCondition {
    CheckCondition(storage: .expression(expression), text: expression.text, inputs: expression.references)
  }

  /// A condition computed in Swift.
  ///
  /// - Parameters:
  ///   - summary: What the condition tests, in words, for `describe` and the
  ///     record.
  ///   - inputs: The ids of every step `evaluate` reads. The engine
  ///     re-evaluates the condition whenever one of them is answered or
  ///     corrected, and hides every other answer from it.
  ///   - evaluate: Returns `true` to fire, `false` not to, `nil` while an
  ///     input it needs is unanswered. It must be pure: the same answers and
  ///     date must always give the same result, or replay would differ.
  public static func native(
    _ summary: String, reading inputs: [String], _ evaluate: @escaping @Sendable (EvaluationContext) -> Bool?
  ) -> CheckCondition {
    let allowed = Set(inputs)
    let guarded: @Sendable (EvaluationContext) -> Bool? = { context in
      let answer = context.answer
      return evaluate(EvaluationContext(today: context.today) { allowed.contains($0) ? answer($0) : nil })
    }
    return CheckCondition(storage: .native(guarded), text: summary, inputs: inputs)
  }

  /// The expression, when the condition is one.
  public var expression: Expression? {
    if case .expression(let expression) = storage { return expression }
    return nil
  }

  /// Whether the condition is computed in Swift.
  public var isNative: Bool { expression == nil }

  /// Evaluates the condition: `true` fires, `nil` is not yet known.
  package func evaluate(in context: EvaluationContext) -> Bool? {
    switch storage {
    case .expression(let expression):
      guard case .bool(let value)? = expression.evaluate(in: context) else { return nil }
      return value
    case .native(let evaluate):
      return evaluate(context)
    }
  }

  public var description: String { text }
}
