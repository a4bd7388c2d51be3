import Mesoflow

/// The JSON of ``WorkflowDescription/json(for:)``, version 1. Documented in
/// docs/DESCRIBE-JSON.md; keys are only ever added within a version.
struct DescribeJSON: Encodable {
  struct Span: Encodable {
    var seconds: Int
    var text: String
    init(_ span: TimeSpan) {
      seconds = span.seconds
      text = span.description
    }
  }

  struct Range: Encodable {
    var minSeconds: Int
    var maxSeconds: Int
    var text: String
    init(_ range: TimeRange) {
      minSeconds = range.min.seconds
      maxSeconds = range.max.seconds
      text = range.description
    }
    enum CodingKeys: String, CodingKey {
      case minSeconds = "min_seconds"
      case maxSeconds = "max_seconds"
      case text
    }
  }

  struct Numbers: Encodable {
    var min: Double
    var max: Double
    init(_ range: NumberRange) {
      min = range.min
      max = range.max
    }
  }

  struct Header: Encodable {
    var id: String
    var title: String
    var version: Int
    var procedureStage: String
    enum CodingKeys: String, CodingKey {
      case id, title, version
      case procedureStage = "procedure_stage"
    }
  }

  struct Area: Encodable {
    struct Technique: Encodable {
      var needle: String?
      var methods: [String]
      var depthMm: Numbers?
      var volumePerPointMl: Numbers?
      var spacingMm: Numbers?
      enum CodingKeys: String, CodingKey {
        case needle, methods
        case depthMm = "depth_mm"
        case volumePerPointMl = "volume_per_point_ml"
        case spacingMm = "spacing_mm"
      }
    }
    struct Limits: Encodable {
      var maxVolumeMl: Double?
      var maxVolumePerPointMl: Double?
      var maxPoints: Int?
      enum CodingKeys: String, CodingKey {
        case maxVolumeMl = "max_volume_ml"
        case maxVolumePerPointMl = "max_volume_per_point_ml"
        case maxPoints = "max_points"
      }
    }
    var id: String
    var title: String
    var version: Int
    var procedureDuration: Range
    var technique: Technique
    var limits: Limits
    var anatomicalSite: Code?
    enum CodingKeys: String, CodingKey {
      case id, title, version
      case procedureDuration = "procedure_duration"
      case technique, limits
      case anatomicalSite = "anatomical_site"
    }
  }

  struct Option: Encodable {
    var id: String
    var label: String
  }

  struct Code: Encodable {
    var system: String
    var code: String
    var display: String?

    init(_ code: ClinicalCode) {
      system = code.system
      self.code = code.code
      display = code.display
    }
  }

  struct Step: Encodable {
    var id: String
    var origin: String
    var prompt: String
    var help: String?
    var type: String
    var when: String?
    var optional: Bool
    var min: Double?
    var max: Double?
    var unit: String?
    var ucum: String?
    var options: [Option]?
    var maxLength: Int?
    var statement: String?
    var limit: String?
    var earliest: String?
    var latest: String?
    enum CodingKeys: String, CodingKey {
      case id, origin, prompt, help, type, when, optional, min, max, unit, ucum, options
      case maxLength = "max_length"
      case statement
      case limit, earliest, latest
    }
  }

  struct Check: Encodable {
    var id: String
    var origin: String
    var when: String
    var outcome: String
    var reason: String
    var excludes: [String]
  }

  struct Wait: Encodable {
    var origin: String
    var since: String
    var atLeast: Span
    var reason: String?
    var when: String?
    enum CodingKeys: String, CodingKey {
      case origin, since
      case atLeast = "at_least"
      case reason, when
    }
  }

  struct Next: Encodable {
    var to: String
    var when: String?
  }

  struct Stage: Encodable {
    var id: String
    var title: String
    var procedure: Bool
    var duration: Range
    var steps: [Step]
    var checks: [Check]
    var waits: [Wait]
    var next: [Next]
    var end: String?
  }

  struct OutcomeText: Encodable {
    var title: String
    var message: String?
  }

  struct Aftercare: Encodable {
    var id: String
    var origin: String
    var text: String
    var window: Span?
  }

  struct FollowUp: Encodable {
    struct Course: Encodable {
      var sessions: Int
      var interval: Span
    }
    struct Review: Encodable {
      var after: Span
      var reason: String?
    }
    var origin: String
    var course: Course?
    var maintenanceEvery: Span?
    var review: Review?
    enum CodingKeys: String, CodingKey {
      case origin, course
      case maintenanceEvery = "maintenance_every"
      case review
    }
  }

  struct IngredientEntry: Encodable {
    var id: String
    var name: String
    var origin: String
  }

  var schema = "mesoflow.describe/1"
  var workflow: Header
  var areas: [Area]
  var expectedDuration: Range
  var stages: [Stage]
  var outcomes: [String: OutcomeText]
  var aftercare: [Aftercare]
  var followUp: [FollowUp]
  var ingredients: [IngredientEntry]

  enum CodingKeys: String, CodingKey {
    case schema, workflow, areas
    case expectedDuration = "expected_duration"
    case stages, outcomes, aftercare
    case followUp = "follow_up"
    case ingredients
  }

  init(_ merged: MergedWorkflow) {
    let flow = merged.workflow
    workflow = Header(id: flow.id, title: flow.title, version: flow.version, procedureStage: flow.procedureStage)
    areas = merged.areas.map { plugin in
      let technique = plugin.procedure.technique
      return Area(
        id: plugin.id, title: plugin.title, version: plugin.version,
        procedureDuration: Range(plugin.procedure.duration),
        technique: .init(
          needle: technique.needle, methods: technique.methods, depthMm: technique.depthMillimetres.map(Numbers.init),
          volumePerPointMl: technique.volumePerPointMillilitres.map(Numbers.init),
          spacingMm: technique.spacingMillimetres.map(Numbers.init)),
        limits: .init(
          maxVolumeMl: plugin.limits.maxVolumeMillilitres,
          maxVolumePerPointMl: plugin.limits.maxVolumePerPointMillilitres, maxPoints: plugin.limits.maxPoints),
        anatomicalSite: plugin.anatomicalSite.map(Code.init))
    }
    expectedDuration = Range(merged.expectedDuration)
    stages = merged.stages.map { stage in
      var next: [Next] = []
      var end: String?
      switch stage.stage.transition {
      case .branches(let branches): next = branches.map { Next(to: $0.target, when: $0.condition?.text) }
      case .end(let outcome, _): end = outcome.rawValue
      }
      return Stage(
        id: stage.id, title: stage.stage.title, procedure: stage.isProcedure, duration: Range(stage.duration),
        steps: stage.steps.map { DescribeJSON.step($0.step, origin: $0.origin) },
        checks: stage.checks.map {
          Check(
            id: $0.check.id, origin: $0.origin.description, when: $0.check.condition.text,
            outcome: $0.check.outcome.rawValue, reason: $0.check.reason, excludes: $0.check.excludes)
        },
        waits: stage.waits.map {
          Wait(
            origin: $0.origin.description, since: $0.wait.since, atLeast: Span($0.wait.atLeast),
            reason: $0.wait.reason, when: $0.wait.condition?.text)
        },
        next: next, end: end)
    }
    var outcomes: [String: OutcomeText] = [:]
    for (outcome, text) in flow.outcomes {
      outcomes[outcome.rawValue] = OutcomeText(title: text.title, message: text.message)
    }
    self.outcomes = outcomes
    aftercare = merged.aftercare.map {
      Aftercare(
        id: $0.item.id, origin: $0.origin.description, text: $0.item.text, window: $0.item.window.map(Span.init))
    }
    var plans: [(String, FollowUpPlan)] = flow.followUp.map { [("workflow", $0)] } ?? []
    for plugin in merged.areas {
      if let plan = plugin.followUp { plans.append((plugin.id, plan)) }
    }
    followUp = plans.map { origin, plan in
      FollowUp(
        origin: origin,
        course: plan.course.map { .init(sessions: $0.sessions, interval: Span($0.interval)) },
        maintenanceEvery: plan.maintenanceInterval.map(Span.init),
        review: plan.review.map { .init(after: Span($0.after), reason: $0.reason) })
    }
    ingredients = merged.ingredients.map {
      IngredientEntry(id: $0.ingredient.id, name: $0.ingredient.name, origin: $0.origin.description)
    }
  }

  static func step(_ step: Mesoflow.Step, origin: MergedWorkflow.Origin) -> Step {
    var entry = Step(
      id: step.id, origin: origin.description, prompt: step.prompt, help: step.help, type: step.answer.name,
      when: step.condition?.text, optional: step.isOptional)
    if step.countsInjectionPoints { entry.limit = "max-points" }
    switch step.answer {
    case .date(let bounds):
      entry.earliest = bounds.earliest?.description
      entry.latest = bounds.latest?.description
    case .integer(let bounds), .decimal(let bounds):
      entry.min = bounds.min
      entry.max = bounds.max
      entry.unit = bounds.unit
      entry.ucum = bounds.ucum
    case .text(let maxLength):
      entry.maxLength = maxLength
    case .choice(let options), .multipleChoice(let options):
      entry.options = options.map { Option(id: $0.id, label: $0.label) }
    case .consent(let statement):
      entry.statement = statement
    case .volume(let max):
      entry.max = max
      entry.unit = "ml"
    case .yesNo, .product:
      break
    }
    return entry
  }
}
