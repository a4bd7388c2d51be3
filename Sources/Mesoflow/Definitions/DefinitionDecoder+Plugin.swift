import MesoflowYAML

/// A plugin decoded from its file but not yet checked against its workflow.
struct PluginDraft {
  var id: String
  var title: String?
  var workflow: String
  var workflowLocation: SourceLocation
  var version: Int?
  var ingredients: [DecodedIngredient]
  var procedure: Procedure?
  var limits: Limits
  var stages:
    [(
      name: String, location: SourceLocation, steps: DecodedSteps, checks: DecodedChecks, wait: DecodedWait?,
      duration: TimeRange?
    )]
  var aftercare: [AftercareItem]
  var followUp: FollowUpPlan?
  var anatomicalSite: ClinicalCode?
  var location: SourceLocation
  var source: SourceText
  /// Whether decoding the file found errors; linking still runs, to report
  /// the errors it finds too, but yields no manifest.
  var hadErrors: Bool
  /// Steps declared with errors of their own; references to them are not
  /// reported again when linking.
  var invalidSteps: Set<String>
}

extension DefinitionDecoder {
  static let pluginKeys = [
    "plugin", "title", "workflow", "version", "ingredients", "procedure", "limits", "stages", "aftercare",
    "follow-up", "anatomical-site",
  ]

  mutating func plugin(_ root: Node) -> PluginDraft? {
    guard let fields = context.fields(root, "the plugin", allowed: Self.pluginKeys) else { return nil }
    let id = context.required(fields, "plugin").flatMap { context.id($0, "plugin") }
    let title = context.required(fields, "title").flatMap { context.nonEmptyString($0, "title") }
    let workflowNode = context.required(fields, "workflow")
    let workflow = workflowNode.flatMap { context.id($0, "workflow") }
    let version = context.required(fields, "version").flatMap { context.integer($0, "version") }
    let ingredients = fields["ingredients"].map { self.ingredients($0) } ?? []
    let procedure = context.required(fields, "procedure").flatMap { self.procedure($0) }
    let limits = fields["limits"].flatMap { self.limits($0) } ?? Limits()
    var stages: [(String, SourceLocation, DecodedSteps, DecodedChecks, DecodedWait?, TimeRange?)] = []
    if let stagesNode = fields["stages"] {
      if let pairs = stagesNode.mapping {
        for pair in pairs {
          guard let name = context.id(pair.key, "stage"),
            let extensionFields = context.fields(
              pair.value, "the extension of stage '\(name)'", allowed: ["steps", "checks", "wait", "duration"])
          else { continue }
          stages.append(
            (
              name, pair.key.location, stepList(extensionFields["steps"]), checkList(extensionFields["checks"]),
              extensionFields["wait"].flatMap { self.wait($0) },
              extensionFields["duration"].flatMap { context.timeRange($0, "duration") }
            ))
        }
      } else {
        context.error(
          stagesNode.location,
          "'stages' must map workflow stage ids to what the plugin adds, not \(stagesNode.kindDescription)")
      }
    }
    let aftercare = fields["aftercare"].map { self.aftercare($0) } ?? []
    let followUp = fields["follow-up"].flatMap { self.followUp($0, isWorkflow: false) }
    let anatomicalSite = fields["anatomical-site"].flatMap { self.clinicalCode($0, "anatomical-site") }

    unique(stages.flatMap(\.2.idsAndLocations), "step")
    unique(stages.flatMap(\.3.idsAndLocations), "check")
    _ = unique(aftercare.map { ($0.id, $0.location) }, "aftercare item")
    _ = unique(ingredients.map { ($0.id, $0.location) }, "ingredient")

    guard let id, let workflow, let workflowNode else { return nil }
    return PluginDraft(
      id: id, title: title, workflow: workflow, workflowLocation: workflowNode.location, version: version,
      ingredients: ingredients, procedure: procedure, limits: limits,
      stages: stages.map { (name: $0.0, location: $0.1, steps: $0.2, checks: $0.3, wait: $0.4, duration: $0.5) },
      aftercare: aftercare, followUp: followUp, anatomicalSite: anatomicalSite, location: root.location,
      source: context.source,
      hadErrors: context.errorCount > 0, invalidSteps: context.invalidSteps)
  }

  /// Checks a plugin against the workflow it extends: the stages it names,
  /// ids that must not collide, and its expressions, which may read the
  /// workflow's steps and its own.
  mutating func link(_ draft: PluginDraft, to target: DecodedWorkflow) -> PluginManifest? {
    let workflow = target.workflow
    context.invalidSteps.formUnion(draft.invalidSteps)
    let workflowStepIDs = target.stepIDs
    for stage in draft.stages where !target.stageIDs.contains(stage.name) {
      context.error(
        stage.location,
        "plugin '\(draft.id)' adds to unknown stage '\(stage.name)' of workflow '\(workflow.id)'\(Suggestion.didYouMean(stage.name, in: workflow.stages.map(\.id)))"
      )
    }
    let pluginSteps = draft.stages.flatMap(\.steps.idsAndLocations)
    for (id, location) in pluginSteps where workflowStepIDs.contains(id) {
      context.error(location, "step id '\(id)' is already a step of workflow '\(workflow.id)'; choose another id")
    }
    for (id, location) in draft.stages.flatMap(\.checks.idsAndLocations) where target.checkIDs.contains(id) {
      context.error(location, "check id '\(id)' is already a check of workflow '\(workflow.id)'; choose another id")
    }
    for ingredient in draft.ingredients where target.ingredientIDs.contains(ingredient.id) {
      context.error(
        ingredient.location,
        "ingredient id '\(ingredient.id)' is already an ingredient of workflow '\(workflow.id)'; use the workflow's, or choose another id"
      )
    }
    // The workflow's steps win over a plugin step that reuses an id, which
    // was reported above; among the plugin's own steps, as in a workflow,
    // the last of an id (a duplicate, also reported) is the one expressions see.
    var environment = target.environment
    for stage in draft.stages {
      for step in stage.steps.steps where !target.stepIDs.contains(step.id) {
        environment.symbols[step.id] = Self.symbol(step)
      }
    }
    let ingredientIDs = target.ingredientIDs.union(draft.ingredients.map(\.id))
    let stepIDs = workflowStepIDs.union(pluginSteps.map(\.0))
    for stage in draft.stages {
      checkExpressions(stage.steps, stage.checks, stage.wait, environment)
      checkExcludes(stage.checks, known: ingredientIDs)
      if let wait = stage.wait { stepReference(wait.wait.since, at: wait.sinceLocation, known: stepIDs) }
    }
    guard context.errorCount == 0, !draft.hadErrors, let title = draft.title, let version = draft.version,
      let procedure = draft.procedure
    else { return nil }
    return PluginManifest(
      id: draft.id, title: title, workflow: draft.workflow, version: version,
      ingredients: draft.ingredients.map(\.ingredient), procedure: procedure, limits: draft.limits,
      stages: draft.stages.map {
        StageExtension(
          stage: $0.name, steps: $0.steps.steps, checks: $0.checks.checks, wait: $0.wait?.wait,
          duration: $0.duration, location: $0.location)
      },
      aftercare: draft.aftercare, followUp: draft.followUp, anatomicalSite: draft.anatomicalSite,
      location: draft.location)
  }

  mutating func procedure(_ node: Node) -> Procedure? {
    guard let fields = context.fields(node, "'procedure'", allowed: ["duration", "technique"]) else { return nil }
    let duration = context.required(fields, "duration").flatMap { context.timeRange($0, "duration") }
    var technique = Technique(methods: [])
    if let techniqueNode = fields["technique"],
      let values = context.fields(
        techniqueNode, "'technique'", allowed: ["needle", "methods", "depth-mm", "volume-per-point-ml", "spacing-mm"])
    {
      technique.needle = values["needle"].flatMap { context.string($0, "needle") }
      if let methods = values["methods"].flatMap({ context.sequence($0, "methods") }) {
        technique.methods = methods.compactMap { context.nonEmptyString($0, "methods") }
      }
      technique.depthMillimetres = values["depth-mm"].flatMap { context.numberRange($0, "depth-mm") }
      technique.volumePerPointMillilitres = values["volume-per-point-ml"].flatMap {
        context.numberRange($0, "volume-per-point-ml")
      }
      technique.spacingMillimetres = values["spacing-mm"].flatMap { context.numberRange($0, "spacing-mm") }
    }
    guard let duration else { return nil }
    return Procedure(duration: duration, technique: technique)
  }

  /// A code of a clinical terminology, such as an area's `anatomical-site`:
  /// the system's URI and the code, both required, and the system's words
  /// for it.
  mutating func clinicalCode(_ node: Node, _ key: String) -> ClinicalCode? {
    guard let fields = context.fields(node, "'\(key)'", allowed: ["system", "code", "display"]) else { return nil }
    let system = context.required(fields, "system").flatMap { node -> String? in
      guard let text = context.nonEmptyString(node, "system") else { return nil }
      guard Self.isAbsoluteURI(text) else {
        context.error(
          node.location,
          "'system' must be the code system's URI, such as http://snomed.info/sct for SNOMED CT, not '\(text)'")
        return nil
      }
      return text
    }
    let code = context.required(fields, "code").flatMap { context.nonEmptyString($0, "code") }
    let display = fields["display"].flatMap { context.nonEmptyString($0, "display") }
    guard let system, let code else { return nil }
    return ClinicalCode(system: system, code: code, display: display)
  }

  /// Whether `text` has the form of an absolute URI, as a code system is
  /// named: a scheme (a letter, then letters, digits, `+`, `-` or `.`), a
  /// colon and more, with no space in it.
  static func isAbsoluteURI(_ text: String) -> Bool {
    let bytes = Array(text.utf8)
    guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")), colon > 0, colon < bytes.count - 1,
      DecodeContext.isLetter(bytes[0])
    else { return false }
    let isSchemeByte = { (byte: UInt8) in
      DecodeContext.isLetter(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
    }
    return bytes[..<colon].allSatisfy(isSchemeByte) && bytes.allSatisfy { $0 > 0x20 && $0 != 0x7F }
  }

  mutating func limits(_ node: Node) -> Limits? {
    guard
      let fields = context.fields(
        node, "'limits'", allowed: ["max-volume-ml", "max-volume-per-point-ml", "max-points"])
    else { return nil }
    var limits = Limits()
    limits.maxVolumeMillilitres = fields["max-volume-ml"].flatMap { positive($0, "max-volume-ml") }
    limits.maxVolumePerPointMillilitres = fields["max-volume-per-point-ml"].flatMap {
      positive($0, "max-volume-per-point-ml")
    }
    if let node = fields["max-points"], let points = context.integer(node, "max-points") {
      if points < 1 {
        context.error(node.location, "'max-points' must be at least 1")
      } else {
        limits.maxPoints = points
      }
    }
    return limits
  }

  mutating func positive(_ node: Node, _ key: String) -> Double? {
    guard let value = context.number(node, key) else { return nil }
    guard value > 0 else {
      context.error(node.location, "'\(key)' must be above 0")
      return nil
    }
    return value
  }
}

/// A valid workflow with what linking its plugins needs to know of it: its
/// ids and the expression environment of its steps, as decoding found them.
struct DecodedWorkflow: Sendable {
  let workflow: Workflow
  let stageIDs: Set<String>
  let stepIDs: Set<String>
  let checkIDs: Set<String>
  let ingredientIDs: Set<String>
  /// The workflow's steps, as expressions read them.
  let environment: ExpressionEnvironment
}
