/// Whether a check can fire, and whether it always does, found by trying its
/// condition on sample answers. A stop or refer check that can never fire is
/// an error (a contraindication switched off); anything else is a warning.
///
/// The samples cover every case the condition can tell apart when its steps
/// are compared with constants: each bound of a number, each constant the
/// condition or a step's own condition names, one either side of it, every
/// option of a choice, and the combinations of the options a multi-choice
/// condition names. Steps asked only under a condition get an answer only
/// where that condition holds for the earlier samples, so related answers
/// stay consistent. A condition whose samples would exceed ``maxSamples`` is
/// not judged.
extension Analyser {
  static let maxSamples = 50_000

  mutating func checkFiring() {
    for index in reachable.sorted() {
      for check in stages[index].checks.lazy.map(\.check) {
        guard let expression = check.condition.expression, let verdict = firing(of: expression) else { continue }
        let inputs = expression.references.map { "'\($0)'" }.joined(separator: ", ")
        let location = expression.location ?? check.location
        if !verdict.canFire {
          neverFiring.insert(check.id)
          // A contraindication that can never fire is a rule silently switched off.
          let isContraindication = check.outcome == .stop || check.outcome == .refer
          let consequence = isContraindication ? "; the \(check.outcome.rawValue) it stands for is never applied" : ""
          report(
            .neverFires, isContraindication ? .error : .warning, at: location,
            (inputs.isEmpty
              ? "check '\(check.id)' can never fire: `\(expression.text)` never holds"
              : "check '\(check.id)' can never fire: no answers to \(inputs) make `\(expression.text)` hold")
              + consequence)
        } else if verdict.alwaysFires {
          report(
            .alwaysFires, .warning, at: location,
            inputs.isEmpty
              ? "check '\(check.id)' always fires: `\(expression.text)` always holds"
              : "check '\(check.id)' always fires, whatever the answers to \(inputs): `\(expression.text)` always holds"
          )
        }
      }
    }
  }

  /// Tries `expression` on every combination of sample answers; `nil` when
  /// there are too many.
  func firing(of expression: Expression) -> (canFire: Bool, alwaysFires: Bool)? {
    var canFire = false
    var alwaysFires = true
    let today = self.today
    let judged = forEachSample(of: [expression]) { answers in
      let holds = expression.evaluate(in: EvaluationContext(today: today, answers: answers)) == .bool(true)
      canFire = canFire || holds
      alwaysFires = alwaysFires && holds
      return !(canFire && !alwaysFires)
    }
    return judged ? (canFire, alwaysFires) : nil
  }

  /// Whether `premise` holding means `conclusion` holds, for every sample of
  /// the answers they read; with `unanswered`, also while any of those
  /// answers is still missing (as before it is asked). `nil` when there are
  /// too many samples to tell.
  func implies(_ premise: Expression, _ conclusion: Expression, unanswered: Bool) -> Bool? {
    var holds = true
    let today = self.today
    let judged = forEachSample(of: [premise, conclusion], unanswered: unanswered) { answers in
      let context = EvaluationContext(today: today, answers: answers)
      if premise.evaluate(in: context) == .bool(true), conclusion.evaluate(in: context) != .bool(true) { holds = false }
      return holds
    }
    return judged ? holds : nil
  }

  /// Calls `each` with every combination of sample answers to the steps the
  /// expressions read (and those the steps' own conditions read), in the
  /// order they are asked, until `each` returns false. A step asked only
  /// under a condition is answered only where that condition holds, and an
  /// optional one is also left unanswered; with `unanswered`, every step is
  /// also left unanswered. Returns false, without calling `each`, when there
  /// would be more than ``maxSamples``.
  func forEachSample(
    of expressions: [Expression], unanswered: Bool = false, _ each: ([String: Value]) -> Bool
  ) -> Bool {
    // The steps read, with those their conditions read, in the order asked.
    var inputs = Set<String>()
    var work = expressions.flatMap(\.references)
    while let step = work.popLast() {
      guard steps[step] != nil, inputs.insert(step).inserted else { continue }
      work += guardOf(step)?.references ?? []
    }
    let ordered = inputs.compactMap { steps[$0] }.sorted { ($0.stage, $0.position) < ($1.stage, $1.position) }.map(
      \.step)
    var constants = Constants()
    for expression in expressions { constants.collect(expression.root) }
    for step in ordered { if let condition = step.condition { constants.collect(condition.root) } }
    let domains = ordered.map { samples(for: $0, constants) }
    // A step with no samples cannot be judged (say, too many options named).
    if domains.contains(where: \.isEmpty) { return false }
    var size = 1
    for domain in domains {
      size = size.multipliedReportingOverflow(by: domain.count + 1).partialValue
      if size > Self.maxSamples || size <= 0 { return false }
    }

    var going = true
    var answers: [String: Value] = [:]
    let today = self.today
    func visit(_ position: Int) {
      guard going else { return }
      guard position < ordered.count else {
        going = each(answers)
        return
      }
      let step = ordered[position]
      let snapshot = answers
      let asked =
        step.condition.map { $0.evaluate(in: EvaluationContext(today: today, answers: snapshot)) == .bool(true) }
        ?? true
      if !asked || step.isOptional || unanswered {
        answers[step.id] = nil
        visit(position + 1)
      }
      guard asked else { return }
      for value in domains[position] {
        answers[step.id] = value
        visit(position + 1)
      }
      answers[step.id] = nil
    }
    visit(0)
    return true
  }

  /// Sample answers for `step` that tell apart every case `constants` can.
  func samples(for step: Step, _ constants: Constants) -> [Value] {
    func numbers(_ bounds: NumberBounds, step size: Double, whole: Bool) -> [Value] {
      var values: [Double] = [bounds.min, bounds.max].compactMap { $0 }
      for constant in constants.numbers { values += [constant - size, constant, constant + size] }
      if values.isEmpty { values = [0, 1] }
      // Midpoints between neighbours catch a narrow interval between two constants.
      let sorted = Set(values).sorted()
      values = sorted + zip(sorted, sorted.dropFirst()).map { ($0 + $1) / 2 }
      // A whole number takes the whole numbers either side of each candidate.
      if whole { values = values.flatMap { [$0.rounded(.down), $0.rounded(.up)] } }
      let kept = values.filter { value in
        (bounds.min.map { value >= $0 } ?? true) && (bounds.max.map { value <= $0 } ?? true)
      }
      return Set(kept).sorted().map(Value.number)
    }
    func texts() -> [Value] { (constants.strings.sorted() + ["any other text"]).map(Value.string) }
    func dates() -> [Value] {
      var offsets: Set<Int> = [0, 1, -1, 36_500, -36_500]
      for constant in constants.numbers where constant.rounded() == constant && abs(constant) < 10_000 {
        let days = Int(constant)
        for span in [days, days * 7, days * 366] {
          offsets.formUnion([span - 1, span, span + 1, -span - 1, -span, -span + 1])
        }
      }
      var values = offsets.compactMap { CalendarDate(daysSinceEpoch: today.daysSinceEpoch + $0) }
      for date in constants.dates {
        values += [-1, 0, 1].compactMap { CalendarDate(daysSinceEpoch: date.daysSinceEpoch + $0) }
      }
      return Set(values.map(\.daysSinceEpoch)).sorted().compactMap { CalendarDate(daysSinceEpoch: $0).map(Value.date) }
    }
    switch step.answer {
    case .yesNo: return [.bool(true), .bool(false)]
    case .integer(let bounds): return numbers(bounds, step: 1, whole: true)
    case .decimal(let bounds): return numbers(bounds, step: 0.5, whole: false)
    case .volume(let max): return numbers(NumberBounds(min: 0, max: max), step: 0.05, whole: false)
    case .text: return texts()
    case .choice(let options): return options.map { .string($0.id) }
    case .multipleChoice(let options):
      // Every combination of the options the conditions name, with and
      // without one option they do not.
      let named = options.filter { constants.strings.contains($0.id) }
      let other = options.first { !constants.strings.contains($0.id) }
      guard named.count <= 12 else { return [] }
      var lists: [Value] = []
      // Lists of every length, for conditions that count the options chosen.
      for length in 0...options.count { lists.append(.list(options.prefix(length).map { .string($0.id) })) }
      for mask in 0..<(1 << named.count) {
        let chosen = Set(named.indices.filter { mask & (1 << $0) != 0 }.map { named[$0].id })
        for extra in other.map({ [nil, $0.id] }) ?? [nil] {
          let ids = options.map(\.id).filter { chosen.contains($0) || $0 == extra }
          lists.append(.list(ids.map(Value.string)))
        }
      }
      return lists
    case .date(let bounds):
      // Only days the step accepts, when the analysis's today stands for the answer's.
      return dates().filter { value in
        guard case .date(let day) = value else { return true }
        return (bounds.earliest.map { day >= $0.resolved(today: today) } ?? true)
          && (bounds.latest.map { day <= $0.resolved(today: today) } ?? true)
      }
    case .consent:
      let signers = constants.strings.sorted() + ["any signer"]
      return dates().compactMap { date -> [Value]? in
        guard case .date(let day) = date else { return nil }
        return signers.map { .consent(signedBy: $0, signedAt: day) }
      }.flatMap { $0 }
    case .product:
      let names = constants.strings.sorted() + ["any product"]
      return dates().compactMap { date -> [Value]? in
        guard case .date(let day) = date else { return nil }
        return names.map { .product(name: $0, lot: $0, expiry: day) }
      }.flatMap { $0 }
    }
  }
}

/// The constants conditions compare answers with.
struct Constants {
  var numbers: Set<Double> = []
  var strings: Set<String> = []
  var dates: [CalendarDate] = []

  mutating func collect(_ node: ExpressionNode) {
    switch node {
    case .literal(let value, _): collect(value)
    case .reference: break
    case .list(let items, _), .call(_, let items, _): for item in items { collect(item) }
    case .negate(.literal(.number(let number), _), _): numbers.insert(-number)
    case .member(let base, _, _), .not(let base, _), .negate(let base, _): collect(base)
    case .binary(_, let left, let right, _):
      collect(left)
      collect(right)
    }
  }

  mutating func collect(_ value: Value) {
    switch value {
    case .number(let number): numbers.insert(number)
    case .string(let text): strings.insert(text)
    case .date(let date): dates.append(date)
    case .duration(let span): numbers.insert(Double(span.seconds) / 86_400)
    case .list(let items): for item in items { collect(item) }
    case .bool, .consent, .product: break
    }
  }
}
