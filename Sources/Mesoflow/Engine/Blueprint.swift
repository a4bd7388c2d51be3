/// The merged workflow indexed for the engine: built once per
/// ``MergedWorkflow`` and shared by every consultation that runs it.
final class Blueprint: Sendable {
  struct StepInfo: Sendable {
    var step: Step
    var origin: MergedWorkflow.Origin
    var stage: Int
    /// The step's position in the whole workflow.
    var order: Int
  }

  struct CheckInfo: Sendable {
    var check: Check
    var origin: MergedWorkflow.Origin
    var stage: Int
    var order: Int
  }

  let stages: [MergedWorkflow.MergedStage]
  let stageIndex: [String: Int]
  let steps: [String: StepInfo]
  let checks: [String: CheckInfo]
  /// Check ids in workflow order.
  let checkOrder: [String]
  /// For each step, the checks that read it, in workflow order.
  let checksReading: [String: [String]]
  /// For each step, the steps whose condition reads it.
  let stepsReading: [String: [String]]
  /// Checks that read no step: evaluated once, at the start.
  let constantChecks: [String]
  /// The chosen areas' limits, by area id.
  let limits: [String: Limits]
  /// The steps that count the session's injection points, in workflow order.
  let pointsSteps: [String]
  let areaIDs: [String]
  let procedureStage: String
  let start: String

  init(workflow: Workflow, stages: [MergedWorkflow.MergedStage], areas: [any AreaPlugin]) {
    self.stages = stages
    var stageIndex: [String: Int] = [:]
    var steps: [String: StepInfo] = [:]
    var checks: [String: CheckInfo] = [:]
    var checkOrder: [String] = []
    var checksReading: [String: [String]] = [:]
    var stepsReading: [String: [String]] = [:]
    var constantChecks: [String] = []
    var pointsSteps: [String] = []
    var stepOrder = 0
    for (index, stage) in stages.enumerated() {
      stageIndex[stage.id] = index
      for (step, origin) in stage.steps where steps[step.id] == nil {
        steps[step.id] = StepInfo(step: step, origin: origin, stage: index, order: stepOrder)
        stepOrder += 1
        if step.countsInjectionPoints { pointsSteps.append(step.id) }
        for input in step.condition?.references ?? [] { stepsReading[input, default: []].append(step.id) }
      }
      for (check, origin) in stage.checks where checks[check.id] == nil {
        checks[check.id] = CheckInfo(check: check, origin: origin, stage: index, order: checkOrder.count)
        checkOrder.append(check.id)
        let inputs = check.condition.inputs
        if inputs.isEmpty { constantChecks.append(check.id) }
        for input in inputs { checksReading[input, default: []].append(check.id) }
      }
    }
    self.stageIndex = stageIndex
    self.steps = steps
    self.checks = checks
    self.checkOrder = checkOrder
    self.checksReading = checksReading
    self.stepsReading = stepsReading
    self.constantChecks = constantChecks
    self.pointsSteps = pointsSteps
    var limits: [String: Limits] = [:]
    for area in areas { limits[area.id] = area.limits }
    self.limits = limits
    areaIDs = areas.map(\.id)
    procedureStage = workflow.procedureStage
    start = workflow.start
  }
}

// MARK: - The definition hash

/// A canonical text of everything in a merged workflow that changes how a
/// consultation runs or what its record says, and nothing else (no source
/// locations, no comments), hashed with SHA-256.
enum DefinitionFingerprint {
  static func hash(_ merged: MergedWorkflow) -> String {
    var out = ""
    func line(_ parts: Any...) {
      out += parts.map { "\($0)" }.joined(separator: "\u{1F}")
      out += "\n"
    }
    func optional(_ value: Any?) -> String { value.map { "\($0)" } ?? "-" }
    let workflow = merged.workflow
    line("workflow", workflow.id, workflow.version, workflow.title, workflow.start, workflow.procedureStage)
    for outcome in Outcome.allCases {
      if let text = workflow.outcomes[outcome] { line("outcome", outcome.rawValue, text.title, optional(text.message)) }
    }
    for area in merged.areas {
      line("area", area.id, area.version, area.title, area.procedure.duration)
      let technique = area.procedure.technique
      line(
        "technique", optional(technique.needle), technique.methods.joined(separator: ","),
        optional(technique.depthMillimetres), optional(technique.volumePerPointMillilitres),
        optional(technique.spacingMillimetres))
      line(
        "limits", optional(area.limits.maxVolumeMillilitres), optional(area.limits.maxVolumePerPointMillilitres),
        optional(area.limits.maxPoints))
      followUp(area.followUp, line)
    }
    followUp(workflow.followUp, line)
    for (ingredient, origin) in merged.ingredients { line("ingredient", origin, ingredient.id, ingredient.name) }
    for (item, origin) in merged.aftercare { line("aftercare", origin, item.id, item.text, optional(item.window)) }
    for stage in merged.stages {
      line("stage", stage.id, stage.stage.title, stage.duration, stage.isProcedure)
      for (step, origin) in stage.steps {
        line(
          "step", origin, step.id, step.prompt, optional(step.help), answerType(step.answer),
          optional(step.condition?.text), step.isOptional)
      }
      for (check, origin) in stage.checks {
        line(
          "check", origin, check.id, check.outcome.rawValue, check.condition.isNative ? "native" : "expression",
          check.condition.text, check.condition.inputs.joined(separator: ","), check.reason,
          check.excludes.joined(separator: ","))
      }
      for (wait, origin) in stage.waits {
        line("wait", origin, wait.since, wait.atLeast, optional(wait.reason), optional(wait.condition?.text))
      }
      switch stage.stage.transition {
      case .end(let outcome, _): line("end", outcome.rawValue)
      case .branches(let branches):
        for branch in branches { line("next", branch.target, optional(branch.condition?.text)) }
      }
    }
    return SHA256.hash(out).hex
  }

  private static func followUp(_ plan: FollowUpPlan?, _ line: (Any...) -> Void) {
    guard let plan else { return line("follow-up", "-") }
    line(
      "follow-up", plan.course.map { "\($0.sessions)x\($0.interval)" } ?? "-",
      plan.maintenanceInterval.map { "\($0)" } ?? "-",
      plan.review.map { "\($0.after) \($0.reason ?? "")" } ?? "-")
  }

  private static func answerType(_ type: AnswerType) -> String {
    func bounds(_ bounds: NumberBounds) -> String {
      "\(bounds.min.map(formatNumber) ?? "-")..\(bounds.max.map(formatNumber) ?? "-") \(bounds.unit ?? "")"
    }
    func options(_ options: [ChoiceOption]) -> String { options.map { "\($0.id)=\($0.label)" }.joined(separator: ";") }
    switch type {
    case .yesNo, .date, .product: return type.name
    case .integer(let value), .decimal(let value): return "\(type.name) \(bounds(value))"
    case .text(let max): return "text \(max.map(String.init) ?? "-")"
    case .choice(let value), .multipleChoice(let value): return "\(type.name) \(options(value))"
    case .consent(let statement): return "consent \(statement ?? "")"
    case .volume(let max): return "volume \(max.map(formatNumber) ?? "-")"
    }
  }
}
