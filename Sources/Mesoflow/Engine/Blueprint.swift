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
  /// Checks that read no step: evaluated once, at the start.
  let constantChecks: [String]
  /// The chosen areas' limits, by area id.
  let limits: [String: Limits]
  /// The steps that count the session's injection points, in workflow order.
  let pointsSteps: [String]
  let areaIDs: [String]
  let procedureStage: String

  init(workflow: Workflow, stages: [MergedWorkflow.MergedStage], areas: [any AreaPlugin]) {
    self.stages = stages
    var stageIndex: [String: Int] = [:]
    var steps: [String: StepInfo] = [:]
    var checks: [String: CheckInfo] = [:]
    var checkOrder: [String] = []
    var checksReading: [String: [String]] = [:]
    var constantChecks: [String] = []
    var pointsSteps: [String] = []
    var stepOrder = 0
    for (index, stage) in stages.enumerated() {
      stageIndex[stage.id] = index
      for (step, origin) in stage.steps.lazy.map({ ($0.step, $0.origin) }) where steps[step.id] == nil {
        steps[step.id] = StepInfo(step: step, origin: origin, stage: index, order: stepOrder)
        stepOrder += 1
        if step.countsInjectionPoints { pointsSteps.append(step.id) }
      }
      for (check, origin) in stage.checks.lazy.map({ ($0.check, $0.origin) }) where checks[check.id] == nil {
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
    self.constantChecks = constantChecks
    self.pointsSteps = pointsSteps
    var limits: [String: Limits] = [:]
    for area in areas { limits[area.id] = area.limits }
    self.limits = limits
    areaIDs = areas.map(\.id)
    procedureStage = workflow.procedureStage
  }
}
