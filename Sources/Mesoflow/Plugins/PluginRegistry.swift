/// The workflows and area plugins a program can run: those read from YAML
/// and those written in Swift, resolved by id.
///
/// ```swift
/// var registry = PluginRegistry(catalog: Catalog.load(paths: ["Workflows", "Plugins"]))
/// try registry.register(HandsPlugin())
/// let merged = try registry.merged(workflow: "mesotherapy", areas: ["hands", "face"])
/// ```
public struct PluginRegistry: Sendable {
  /// The workflows, by id.
  public private(set) var workflows: [String: Workflow]
  /// The plugins, by area id.
  public private(set) var plugins: [String: any AreaPlugin]

  /// A registry of a catalog's valid workflows and plugins (the catalog has
  /// checked them already).
  public init(catalog: Catalog) {
    workflows = catalog.workflows
    plugins = catalog.plugins.mapValues { $0 as any AreaPlugin }
  }

  /// A registry of `workflows` without plugins.
  public init(workflows: [Workflow]) {
    var byID: [String: Workflow] = [:]
    for workflow in workflows where byID[workflow.id] == nil { byID[workflow.id] = workflow }
    self.workflows = byID
    plugins = [:]
  }

  /// Adds a plugin after checking it against its workflow and the plugins
  /// already registered for that workflow, by the rules the YAML loader applies.
  ///
  /// - Throws: ``PluginError`` listing every problem found, of code
  ///   `alreadyRegistered` when the area's id is taken, `unknownWorkflow`
  ///   when the registry lacks the plugin's workflow, and `invalid` for the
  ///   rest; the registry is unchanged then.
  public mutating func register(_ plugin: any AreaPlugin) throws(PluginError) {
    guard plugins[plugin.id] == nil else {
      throw PluginError(
        plugin: plugin.id, problems: ["an area with id '\(plugin.id)' is already registered"], code: .alreadyRegistered)
    }
    guard let workflow = workflows[plugin.workflow] else {
      throw PluginError(
        plugin: plugin.id,
        problems: [
          "extends unknown workflow '\(plugin.workflow)'\(Suggestion.didYouMean(plugin.workflow, in: workflows.keys.sorted()))"
        ], code: .unknownWorkflow)
    }
    let others = plugins.values.filter { $0.workflow == plugin.workflow }.sorted { $0.id < $1.id }
    let problems = PluginValidation.problems(plugin, workflow: workflow, alongside: others)
    guard problems.isEmpty else { throw PluginError(plugin: plugin.id, problems: problems, code: .invalid) }
    plugins[plugin.id] = plugin
  }

  /// The ids of the areas that extend `workflow`, sorted.
  public func areas(of workflow: String) -> [String] {
    plugins.values.filter { $0.workflow == workflow }.map(\.id).sorted()
  }

  /// The workflow `id` merged with the plugins of `areas`, in id order.
  ///
  /// - Throws: ``CatalogError`` of code `unknownWorkflow` or `unknownArea`
  ///   when the workflow or an area is unknown, or `wrongWorkflow` when an
  ///   area extends another workflow.
  public func merged(workflow id: String, areas: [String]) throws(CatalogError) -> MergedWorkflow {
    guard let workflow = workflows[id] else {
      throw CatalogError(
        .unknownWorkflow,
        "unknown workflow '\(id)'\(Suggestion.didYouMean(id, in: workflows.keys.sorted()))"
          + (workflows.isEmpty ? "" : "; workflows: \(workflows.keys.sorted().joined(separator: ", "))"))
    }
    var chosen: [any AreaPlugin] = []
    for area in areas {
      guard let plugin = plugins[area] else {
        let known = self.areas(of: id)
        throw CatalogError(
          .unknownArea,
          "unknown area '\(area)'\(Suggestion.didYouMean(area, in: known))"
            + (known.isEmpty ? "; no plugin extends workflow '\(id)'" : "; areas: \(known.joined(separator: ", "))"))
      }
      guard plugin.workflow == id else {
        throw CatalogError(.wrongWorkflow, "area '\(area)' extends workflow '\(plugin.workflow)', not '\(id)'")
      }
      chosen.append(plugin)
    }
    return MergedWorkflow(workflow: workflow, areas: chosen)
  }
}

/// A plugin the registry refused, with every problem found in it.
///
/// The ``code`` tells why it was refused; the ``problems`` say what is wrong
/// in words.
public struct PluginError: Error, Sendable, Hashable, CustomStringConvertible {
  /// Why the plugin was refused. New kinds may be added; compare with `==`,
  /// or switch with a default.
  public struct Code: Sendable, Hashable, CustomStringConvertible {
    enum Storage: String, Sendable, Hashable {
      case invalid, alreadyRegistered, unknownWorkflow
    }

    let storage: Storage

    /// The plugin breaks the rules the YAML loader applies against its
    /// workflow or the plugins registered beside it.
    public static let invalid = Code(storage: .invalid)
    /// A plugin with the same area id is registered already.
    public static let alreadyRegistered = Code(storage: .alreadyRegistered)
    /// The plugin extends a workflow the registry does not hold.
    public static let unknownWorkflow = Code(storage: .unknownWorkflow)

    /// `invalid`, `alreadyRegistered` or `unknownWorkflow`.
    public var description: String { storage.rawValue }
  }

  /// The plugin's id.
  public var plugin: String
  /// What is wrong, one problem per entry.
  public var problems: [String]
  /// Why the plugin was refused.
  public var code: Code

  /// Creates an error; without a `code`, one for a plugin that is not valid.
  package init(plugin: String, problems: [String], code: Code = .invalid) {
    self.plugin = plugin
    self.problems = problems
    self.code = code
  }

  public var description: String {
    "plugin '\(plugin)' is not valid:\n" + problems.map { "  - \($0)" }.joined(separator: "\n")
  }
}

/// The rules an area plugin must follow, checked on its values: what the YAML
/// loader checks on a manifest, for a plugin written in Swift.
package enum PluginValidation {
  /// Every problem in `plugin` as an extension of `workflow`, alongside the
  /// other plugins of that workflow that may be chosen with it. Empty when
  /// the plugin is valid.
  package static func problems(
    _ plugin: any AreaPlugin, workflow: Workflow, alongside others: [any AreaPlugin] = []
  ) -> [String] {
    var problems: [String] = []
    func id(_ text: String, _ what: String) {
      if !DecodeContext.isValidID(text) {
        problems.append("\(what) '\(text)' is not a valid id: use letters, digits, '_' and '-', starting with a letter")
      }
    }
    id(plugin.id, "area id")
    if plugin.title.trimmed.isEmpty { problems.append("the title is empty") }
    if plugin.workflow != workflow.id { problems.append("extends workflow '\(plugin.workflow)', not '\(workflow.id)'") }
    if plugin.version < 1 { problems.append("version \(plugin.version) must be at least 1") }
    range(plugin.procedure.duration, "the procedure's duration", &problems)
    limits(plugin.limits, &problems)
    if let site = plugin.anatomicalSite { clinicalCode(site, "the anatomical site", &problems) }

    // Ids: steps and checks are unique across the workflow and every plugin of it.
    var stepOwners: [String: String] = [:]
    var checkOwners: [String: String] = [:]
    for stage in workflow.stages {
      for step in stage.steps { stepOwners[step.id] = "the workflow" }
      for check in stage.checks { checkOwners[check.id] = "the workflow" }
    }
    for other in others where other.id != plugin.id {
      for addition in other.stages {
        for step in addition.steps where stepOwners[step.id] == nil { stepOwners[step.id] = "plugin '\(other.id)'" }
        for check in addition.checks where checkOwners[check.id] == nil {
          checkOwners[check.id] = "plugin '\(other.id)'"
        }
      }
    }
    var ingredients = Set(workflow.ingredients.map(\.id))
    for ingredient in plugin.ingredients {
      id(ingredient.id, "ingredient id")
      if !ingredients.insert(ingredient.id).inserted {
        problems.append("ingredient '\(ingredient.id)' is defined twice (by the workflow or by this plugin)")
      }
    }

    var symbols: [String: ExpressionEnvironment.Symbol] = [:]
    for stage in workflow.stages {
      for step in stage.steps {
        symbols[step.id] = .init(type: step.answer.valueType, options: step.answer.options?.map(\.id))
      }
    }
    let stageIDs = Set(workflow.stages.map(\.id))
    for addition in plugin.stages {
      if !stageIDs.contains(addition.stage) {
        problems.append(
          "adds to unknown stage '\(addition.stage)'\(Suggestion.didYouMean(addition.stage, in: workflow.stages.map(\.id)))"
        )
      }
      for step in addition.steps {
        id(step.id, "step id")
        if step.countsInjectionPoints, step.answer.name != "integer" {
          problems.append(
            "step '\(step.id)' counts injection points but is a \(step.answer.name) step; only an integer step can")
        }
        if let owner = stepOwners[step.id] {
          problems.append("step '\(step.id)' is already a step of \(owner)")
        } else {
          stepOwners[step.id] = "this plugin"
        }
        symbols[step.id] = .init(type: step.answer.valueType, options: step.answer.options?.map(\.id))
        answerType(step, &problems)
      }
    }
    let environment = ExpressionEnvironment(symbols: symbols)
    func condition(_ expression: Expression?, _ what: String) {
      guard let expression else { return }
      do {
        let type = try expression.typeCheck(in: environment)
        if type != .bool { problems.append("\(what) '\(expression.text)' is a \(type), not a condition (bool)") }
      } catch {
        problems.append("\(what) '\(expression.text)': \(error.message) (at character \(error.offset + 1))")
      }
    }
    for addition in plugin.stages {
      for step in addition.steps { condition(step.condition, "the condition of step '\(step.id)'") }
      for check in addition.checks {
        id(check.id, "check id")
        if let owner = checkOwners[check.id] {
          problems.append("check '\(check.id)' is already a check of \(owner)")
        } else {
          checkOwners[check.id] = "this plugin"
        }
        if check.reason.trimmed.isEmpty { problems.append("check '\(check.id)' has no reason for staff") }
        if let expression = check.condition.expression {
          condition(expression, "the condition of check '\(check.id)'")
        } else {
          if check.condition.inputs.isEmpty { problems.append("native check '\(check.id)' reads no step") }
          for input in check.condition.inputs where symbols[input] == nil {
            problems.append("native check '\(check.id)' reads unknown step '\(input)'")
          }
        }
        if check.outcome == .exclude, check.excludes.isEmpty {
          problems.append("exclude check '\(check.id)' names no ingredient to remove")
        }
        if check.outcome != .exclude, !check.excludes.isEmpty {
          problems.append(
            "check '\(check.id)' removes ingredients but its outcome is \(check.outcome.rawValue), not exclude")
        }
        for ingredient in check.excludes where !ingredients.contains(ingredient) {
          problems.append("check '\(check.id)' excludes unknown ingredient '\(ingredient)'")
        }
      }
      if let wait = addition.wait {
        if symbols[wait.since] == nil {
          problems.append("the wait on stage '\(addition.stage)' runs since unknown step '\(wait.since)'")
        }
        if wait.atLeast < .zero { problems.append("the wait on stage '\(addition.stage)' is negative") }
        condition(wait.condition, "the condition of the wait on stage '\(addition.stage)'")
      }
      if let duration = addition.duration { range(duration, "the time added to stage '\(addition.stage)'", &problems) }
    }

    var aftercare = Set<String>()
    for item in plugin.aftercare {
      id(item.id, "aftercare id")
      if !aftercare.insert(item.id).inserted { problems.append("aftercare item '\(item.id)' is defined twice") }
      if item.text.trimmed.isEmpty { problems.append("aftercare item '\(item.id)' has no text") }
      if let window = item.window, window < .zero {
        problems.append("aftercare item '\(item.id)' has a negative window")
      }
    }
    if let plan = plugin.followUp {
      if let course = plan.course {
        if course.sessions < 1 { problems.append("the follow-up course must have at least 1 session") }
        if course.interval <= .zero { problems.append("the follow-up course's interval must be more than 0") }
      }
      if let every = plan.maintenanceInterval, every <= .zero {
        problems.append("the maintenance interval must be more than 0")
      }
      if let review = plan.review, review.after <= .zero { problems.append("the review must come after the session") }
    }
    return problems
  }

  private static func range(_ range: TimeRange, _ what: String, _ problems: inout [String]) {
    if range.min < .zero { problems.append("\(what) is negative") }
    if range.min > range.max { problems.append("\(what) runs from \(range.min) to the shorter \(range.max)") }
  }

  private static func clinicalCode(_ code: ClinicalCode, _ what: String, _ problems: inout [String]) {
    if !DefinitionDecoder.isAbsoluteURI(code.system) {
      problems.append("\(what)'s system '\(code.system)' is not a URI, such as http://snomed.info/sct for SNOMED CT")
    }
    if code.code.trimmed.isEmpty { problems.append("\(what) has no code") }
    if let display = code.display, display.trimmed.isEmpty { problems.append("\(what)'s display is empty") }
  }

  private static func limits(_ limits: Limits, _ problems: inout [String]) {
    if let value = limits.maxVolumeMillilitres, !(value > 0) {
      problems.append("the volume limit must be more than 0 ml")
    }
    if let value = limits.maxVolumePerPointMillilitres, !(value > 0) {
      problems.append("the volume limit per point must be more than 0 ml")
    }
    if let value = limits.maxPoints, value < 1 { problems.append("the limit on points must be at least 1") }
  }

  private static func answerType(_ step: Step, _ problems: inout [String]) {
    switch step.answer {
    case .integer(let bounds), .decimal(let bounds):
      if let min = bounds.min, let max = bounds.max, min > max {
        problems.append(
          "step '\(step.id)' accepts numbers from \(formatNumber(min)) to the smaller \(formatNumber(max))")
      }
      if let ucum = bounds.ucum {
        if bounds.unit == nil { problems.append("step '\(step.id)' gives a UCUM code but no unit") }
        if ucum.trimmed.isEmpty { problems.append("step '\(step.id)' has an empty UCUM code") }
      }
    case .choice(let options), .multipleChoice(let options):
      if options.isEmpty { problems.append("step '\(step.id)' has no options") }
      var seen = Set<String>()
      for option in options where !seen.insert(option.id).inserted {
        problems.append("step '\(step.id)' has option '\(option.id)' twice")
      }
    case .text(let max):
      if let max, max < 1 { problems.append("step '\(step.id)' allows no text at all") }
    case .volume(let max):
      if let max, !(max > 0) { problems.append("step '\(step.id)' accepts no volume at all") }
    case .yesNo, .date, .consent, .product:
      break
    }
    if step.prompt.trimmed.isEmpty { problems.append("step '\(step.id)' has no prompt") }
  }
}
