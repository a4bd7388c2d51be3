import MesoflowYAML

/// What decoding gives the later passes over a file: each part with the
/// nodes and locations those passes report at.
struct DecodedStep {
  var step: Step
  var conditionNode: Node?
  var idLocation: SourceLocation
  var id: String { step.id }
  var location: SourceLocation { step.location }
}

struct DecodedCheck {
  var check: Check
  var conditionNode: Node
  /// Where each of `check.excludes` is written.
  var excludeLocations: [SourceLocation]
  var idLocation: SourceLocation
}

/// Steps decoded from a list, kept as the model's array of steps (which the
/// stage then shares, uncopied) and beside it, position for position, what
/// later passes need to know of each.
struct DecodedSteps {
  var steps: [Step] = []
  var conditionNodes: [Node?] = []
  var idLocations: [SourceLocation] = []

  mutating func reserveCapacity(_ count: Int) {
    steps.reserveCapacity(count)
    conditionNodes.reserveCapacity(count)
    idLocations.reserveCapacity(count)
  }

  mutating func append(_ decoded: DecodedStep) {
    steps.append(decoded.step)
    conditionNodes.append(decoded.conditionNode)
    idLocations.append(decoded.idLocation)
  }

  var idsAndLocations: [(String, SourceLocation)] { zip(steps.lazy.map(\.id), idLocations).map { ($0, $1) } }
}

/// Checks decoded from a list, kept like ``DecodedSteps``.
struct DecodedChecks {
  var checks: [Check] = []
  var conditionNodes: [Node] = []
  var excludeLocations: [[SourceLocation]] = []
  var idLocations: [SourceLocation] = []

  mutating func reserveCapacity(_ count: Int) {
    checks.reserveCapacity(count)
    conditionNodes.reserveCapacity(count)
    excludeLocations.reserveCapacity(count)
    idLocations.reserveCapacity(count)
  }

  mutating func append(_ decoded: DecodedCheck) {
    checks.append(decoded.check)
    conditionNodes.append(decoded.conditionNode)
    excludeLocations.append(decoded.excludeLocations)
    idLocations.append(decoded.idLocation)
  }

  var idsAndLocations: [(String, SourceLocation)] { zip(checks.lazy.map(\.id), idLocations).map { ($0, $1) } }
}

struct DecodedWait {
  var wait: Wait
  var sinceLocation: SourceLocation
  var conditionNode: Node?
}

struct DecodedBranch {
  var branch: Branch
  var conditionNode: Node?
  var target: String { branch.target }
  var condition: Expression? { branch.condition }
  var location: SourceLocation { branch.location }
}

struct DecodedIngredient {
  var ingredient: Ingredient
  var location: SourceLocation
  var id: String { ingredient.id }
}

/// A stage with what the checks of the whole file need. A class, so that
/// the passes over all stages share it rather than copy it.
final class DecodedStage {
  let stage: Stage
  let steps: DecodedSteps
  let checks: DecodedChecks
  let wait: DecodedWait?
  let transitionBranches: [DecodedBranch]
  let idLocation: SourceLocation
  var id: String { stage.id }
  var location: SourceLocation { stage.location }

  init(
    stage: Stage, steps: DecodedSteps, checks: DecodedChecks, wait: DecodedWait?, transitionBranches: [DecodedBranch],
    idLocation: SourceLocation
  ) {
    self.stage = stage
    self.steps = steps
    self.checks = checks
    self.wait = wait
    self.transitionBranches = transitionBranches
    self.idLocation = idLocation
  }
}
