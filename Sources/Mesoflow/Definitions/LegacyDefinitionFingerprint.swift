/// The definition hash, version 1. Frozen: never change it.
///
/// Consultations started before version 2 (``DefinitionHash``) carry this
/// hash in their `started` event, and they must go on resuming and verifying
/// under the definitions they started with, so this function must give, for
/// the same definitions, exactly the hash it gave when they were recorded.
/// Tests pin its value for the shipped definitions and a fixture.
///
/// It is kept only to recognise those consultations; new ones record
/// version 2. Its flaw is why version 2 exists: it joins texts with a
/// separator (U+001F) that the texts may themselves contain, writes an
/// absent value as `-` like the text `-`, and joins lists with `,` and `;`,
/// so two different definitions can give the same text. To keep it from
/// changing with the code, it renders durations, ranges and numbers with the
/// copies below, frozen with it, not with their `description`s (which may
/// change).
enum LegacyDefinitionFingerprint {
  static func hash(_ merged: MergedWorkflow) -> String {
    var out = ""
    func line(_ parts: String...) {
      out += parts.joined(separator: "\u{1F}")
      out += "\n"
    }
    func optional(_ value: String?) -> String { value ?? "-" }
    let workflow = merged.workflow
    line("workflow", workflow.id, int(workflow.version), workflow.title, workflow.start, workflow.procedureStage)
    for outcome in [Outcome.completed, .deferred, .referred] {
      if let text = workflow.outcomes[outcome] { line("outcome", name(outcome), text.title, optional(text.message)) }
    }
    for area in merged.areas {
      line("area", area.id, int(area.version), area.title, range(area.procedure.duration))
      let technique = area.procedure.technique
      line(
        "technique", optional(technique.needle), technique.methods.joined(separator: ","),
        optional(technique.depthMillimetres.map(range)), optional(technique.volumePerPointMillilitres.map(range)),
        optional(technique.spacingMillimetres.map(range)))
      line(
        "limits", optional(area.limits.maxVolumeMillilitres.map(double)),
        optional(area.limits.maxVolumePerPointMillilitres.map(double)), optional(area.limits.maxPoints.map(int)))
      followUp(area.followUp, line)
    }
    followUp(workflow.followUp, line)
    for (ingredient, origin) in merged.ingredients.map({ ($0.ingredient, $0.origin) }) {
      line("ingredient", self.origin(origin), ingredient.id, ingredient.name)
    }
    for (item, origin) in merged.aftercare.map({ ($0.item, $0.origin) }) {
      line("aftercare", self.origin(origin), item.id, item.text, optional(item.window.map(span)))
    }
    for stage in merged.stages {
      line("stage", stage.id, stage.stage.title, range(stage.duration), bool(stage.isProcedure))
      for (step, origin) in stage.steps.lazy.map({ ($0.step, $0.origin) }) {
        line(
          "step", self.origin(origin), step.id, step.prompt, optional(step.help), answerType(step.answer),
          optional(step.condition?.text), bool(step.isOptional))
      }
      for (check, origin) in stage.checks.lazy.map({ ($0.check, $0.origin) }) {
        line(
          "check", self.origin(origin), check.id, name(check.outcome),
          check.condition.isNative ? "native" : "expression",
          check.condition.text, check.condition.inputs.joined(separator: ","), check.reason,
          check.excludes.joined(separator: ","))
      }
      for (wait, origin) in stage.waits.lazy.map({ ($0.wait, $0.origin) }) {
        line(
          "wait", self.origin(origin), wait.since, span(wait.atLeast), optional(wait.reason),
          optional(wait.condition?.text))
      }
      switch stage.stage.transition {
      case .end(let outcome, _): line("end", name(outcome))
      case .branches(let branches):
        for branch in branches { line("next", branch.target, optional(branch.condition?.text)) }
      }
    }
    return SHA256.hash(out).hex
  }

  private static func followUp(_ plan: FollowUpPlan?, _ line: (String...) -> Void) {
    guard let plan else { return line("follow-up", "-") }
    line(
      "follow-up", plan.course.map { "\(int($0.sessions))x\(span($0.interval))" } ?? "-",
      plan.maintenanceInterval.map(span) ?? "-",
      plan.review.map { "\(span($0.after)) \($0.reason ?? "")" } ?? "-")
  }

  private static func answerType(_ type: AnswerType) -> String {
    func bounds(_ bounds: NumberBounds) -> String {
      "\(bounds.min.map(number) ?? "-")..\(bounds.max.map(number) ?? "-") \(bounds.unit ?? "")"
    }
    func options(_ options: [ChoiceOption]) -> String { options.map { "\($0.id)=\($0.label)" }.joined(separator: ";") }
    switch type {
    case .yesNo: return "yes-no"
    case .date: return "date"
    case .product: return "product"
    case .integer(let value): return "integer \(bounds(value))"
    case .decimal(let value): return "decimal \(bounds(value))"
    case .text(let max): return "text \(max.map(int) ?? "-")"
    case .choice(let value): return "choice \(options(value))"
    case .multipleChoice(let value): return "multi-choice \(options(value))"
    case .consent(let statement): return "consent \(statement ?? "")"
    case .volume(let max): return "volume \(max.map(number) ?? "-")"
    }
  }

  // MARK: - Version 1's renderings, frozen

  private static func origin(_ origin: MergedWorkflow.Origin) -> String {
    switch origin {
    case .workflow: return "workflow"
    case .area(let id): return id
    }
  }

  private static func name(_ outcome: Outcome) -> String {
    switch outcome {
    case .completed: return "completed"
    case .deferred: return "deferred"
    case .referred: return "referred"
    }
  }

  private static func name(_ outcome: CheckOutcome) -> String {
    switch outcome {
    case .stop: return "stop"
    case .refer: return "refer"
    case .warn: return "warn"
    case .exclude: return "exclude"
    }
  }

  private static func bool(_ value: Bool) -> String { value ? "true" : "false" }

  private static func int(_ value: Int) -> String { String(value) }

  /// A `Double` as Swift's standard library prints it (`2.0`, `0.05`), as
  /// version 1 wrote the areas' limits.
  private static func double(_ value: Double) -> String { String(value) }

  /// A number without a trailing `.0` when it is whole.
  private static func number(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
    return String(value)
  }

  /// A span in the largest units that divide it: `1h30m`, `2w`, `0s`.
  private static func span(_ span: TimeSpan) -> String {
    let seconds = span.seconds
    if seconds == 0 { return "0s" }
    var rest = seconds.magnitude
    var out = seconds < 0 ? "-" : ""
    let units: [(Character, UInt)] = [("w", 604_800), ("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)]
    for (unit, size) in units where rest >= size {
      // Weeks only when the span is a whole number of weeks.
      if unit == "w", rest % size != 0 { continue }
      out += "\(rest / size)\(unit)"
      rest %= size
    }
    return out
  }

  /// `15m..20m`, or `15m` when both ends agree.
  private static func range(_ range: TimeRange) -> String {
    range.min == range.max ? span(range.min) : "\(span(range.min))..\(span(range.max))"
  }

  /// `0.05..0.2`, or `10` when both ends agree.
  private static func range(_ range: NumberRange) -> String {
    range.min == range.max ? number(range.min) : "\(number(range.min))..\(number(range.max))"
  }
}
