import MesoflowYAML

/// Rules about what checks and limits do to each other, found by trying
/// conditions on the same sample answers as ``Analyser/checkFiring()``:
///
/// - a check that can never change the outcome, because a stop on the same
///   answers always fires with it and ends the consultation as deferred first;
/// - a stop or referral that can end the consultation before a question its
///   own condition makes applicable (the details of what it found) is asked;
/// - a step's input guard that keeps an area's limit from ever being reached,
///   or refuses a total within every chosen area's limit.
extension Analyser {
  /// A stop `winner` pre-empts `check` when `check` can fire, the stop reads
  /// no answer `check` does not (so it is decided by the time `check` fires),
  /// and on every sample of those answers, also while some are still
  /// missing, `check` firing means the stop fires too. Of two stops that
  /// always fire together, the later one is reported.
  mutating func checkPreEmption() {
    var all: [(check: Check, expression: Expression, order: Int)] = []
    for index in reachable.sorted() {
      for check in stages[index].checks.lazy.map(\.check) {
        guard let expression = check.condition.expression, !neverFiring.contains(check.id) else { continue }
        all.append((check, expression, all.count))
      }
    }
    let stops = all.filter { $0.check.outcome == .stop }
    for candidate in all where candidate.check.outcome != .exclude {
      let inputs = Set(candidate.expression.references)
      guard !inputs.isEmpty else { continue }
      for stop in stops where stop.check.id != candidate.check.id {
        guard Set(stop.expression.references).isSubset(of: inputs),
          implies(candidate.expression, stop.expression, unanswered: true) == true
        else { continue }
        // Two stops that fire together: only the later one adds nothing.
        if candidate.check.outcome == .stop, stop.order > candidate.order,
          implies(stop.expression, candidate.expression, unanswered: true) == true
        {
          continue
        }
        let what: String
        switch candidate.check.outcome {
        case .stop: what = "it never decides the outcome"
        case .refer:
          what = "no physician's approval of it can ever matter, and it never ends the consultation as referred"
        case .warn, .exclude: what = "its warning is never acted on"
        }
        report(
          .preEmpted, .warning, at: candidate.expression.location ?? candidate.check.location,
          "\(candidate.check.outcome.rawValue) '\(candidate.check.id)' can never change the outcome: whenever `\(candidate.expression.text)` holds, stop '\(stop.check.id)' (\(stop.check.location)) fires on the same answers and ends the consultation as deferred first, so \(what); remove it, or change one of the two conditions"
        )
        break
      }
    }
  }

  /// A stop or referral ends the consultation where it is resolved, so a
  /// free-text question asked after its answers, and applicable whenever it
  /// fires (the "which one, and what happened" that follows a yes), would
  /// never be recorded when the consultation ends there. Other answer types
  /// are left alone: a yes-no step after a referral may be an action (apply
  /// the cream) that must wait for the physician's decision.
  mutating func checkDetailsBeforeEnding() {
    for index in reachable.sorted() {
      for check in stages[index].checks.lazy.map(\.check) where check.outcome == .stop || check.outcome == .refer {
        guard let expression = check.condition.expression, !neverFiring.contains(check.id) else { continue }
        let inputs = Set(expression.references)
        let last = inputs.compactMap { steps[$0] }.max { ($0.stage, $0.position) < ($1.stage, $1.position) }
        guard let last else { continue }
        for (stage, merged) in stages.enumerated() where stage >= last.stage {
          for (position, step) in merged.steps.lazy.map(\.step).enumerated() {
            // Free text records what was found; other answers may be actions
            // (apply the cream) that must wait for the decision.
            // An optional step may be skipped: waiting for it would let
            // staff switch the check off (``checkSkippableContraindications()``).
            guard case .text = step.answer, !step.isOptional, stage > last.stage || position > last.position,
              !inputs.contains(step.id),
              let condition = step.condition, !condition.references.isEmpty,
              Set(condition.references).isSubset(of: inputs),
              implies(expression, condition, unanswered: false) == true
            else { continue }
            report(
              .endsBeforeDetail, .warning, at: expression.location ?? check.location,
              "\(check.outcome.rawValue) '\(check.id)' can end the consultation before step '\(step.id)' is asked, though its own condition makes that step apply, so the detail it asks for is never recorded; read the step in the condition (`\(expression.text) and answered(\(step.id))`) so that it is asked first"
            )
          }
        }
      }
    }
  }

  /// A stop or referral that fires only once an optional step is answered
  /// can be switched off by skipping that step: it must not depend on one.
  mutating func checkSkippableContraindications() {
    let today = self.today
    for index in reachable.sorted() {
      for check in stages[index].checks.lazy.map(\.check) where check.outcome == .stop || check.outcome == .refer {
        guard let expression = check.condition.expression, !neverFiring.contains(check.id) else { continue }
        var optional: [(String, Int)] = []
        expression.root.forEachAnsweredCall { step, offset, positive in
          if positive, steps[step]?.step.isOptional == true { optional.append((step, offset)) }
        }
        for (step, offset) in optional {
          // Whether some answers make the check fire with the step skipped.
          var firesWithout = false
          let judged = forEachSample(of: [expression]) { answers in
            if answers[step] == nil,
              expression.evaluate(in: EvaluationContext(today: today, answers: answers)) == .bool(true)
            {
              firesWithout = true
            }
            return !firesWithout
          }
          guard judged, !firesWithout else { continue }
          report(
            .skippableContraindication, at: expression.location(ofByteOffset: offset) ?? check.location,
            "\(check.outcome.rawValue) '\(check.id)' fires only once '\(step)' is answered, but staff may skip '\(step)': skipping it switches the \(check.outcome.rawValue) off; make '\(step)' required, or do not read answered(\(step)) in the condition"
          )
        }
      }
    }
  }

  /// An area's limit says more than a step's input guard (which limit, and
  /// how much is recorded so far), so the guard must let every answer within
  /// the limit through.
  mutating func checkLimitGuards() {
    let areas = merged.areas
    guard !areas.isEmpty else { return }
    for index in reachable.sorted() {
      for step in stages[index].steps.lazy.map(\.step) {
        let guardMax: Double
        let limits: [(area: String, limit: Double)]
        let key: String
        let unit: String
        switch step.answer {
        case .volume(let max?):
          guardMax = max
          limits = areas.compactMap { area in area.limits.maxVolumeMillilitres.map { (area.id, $0) } }
          key = "max-volume-ml"
          unit = "ml"
        case .integer(let bounds) where step.countsInjectionPoints:
          guard let max = bounds.max else { continue }
          guardMax = max
          limits = areas.compactMap { area in area.limits.maxPoints.map { (area.id, Double($0)) } }
          key = "max-points"
          unit = "points"
        default:
          continue
        }
        var hidden = false
        for (area, limit) in limits where guardMax < limit {
          hidden = true
          report(
            .limitHidden, .warning, at: step.location,
            "step '\(step.id)' accepts at most \(formatNumber(guardMax)) \(unit), below area '\(area)''s \(key) of \(formatNumber(limit)) \(unit): that limit can never be reached, and an answer above \(formatNumber(guardMax)) is refused as out of range instead of with the area's limit; raise or remove the step's 'max'"
          )
        }
        let together = limits.map(\.limit).reduce(0, +)
        if !hidden, limits.count > 1, limits.count == areas.count, guardMax < together {
          report(
            .limitHidden, .warning, at: step.location,
            "step '\(step.id)' accepts at most \(formatNumber(guardMax)) \(unit), less than the \(key) of areas \(limits.map(\.area).joined(separator: ", ")) together (\(formatNumber(together)) \(unit)): a total within every area's limit is refused as out of range; raise or remove the step's 'max'"
          )
        }
      }
    }
  }
}
