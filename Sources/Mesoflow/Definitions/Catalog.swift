public import MesoflowYAML

/// A set of workflow and plugin definitions read together, with every
/// problem found in them.
///
/// Build one from sources with ``Catalog/init(sources:extraWorkflows:limits:)`` (no I/O), or
/// from files and folders with ``Catalog/load(paths:limits:)``.
public struct Catalog: Sendable {
  /// The valid workflows, by id.
  public private(set) var workflows: [String: Workflow] = [:]
  /// The valid plugins, by area id.
  public private(set) var plugins: [String: PluginManifest] = [:]
  /// Every problem found, in file order.
  public private(set) var diagnostics: [Diagnostic] = []
  /// The name of each source read, in order.
  public private(set) var sourceNames: [String] = []
  /// The source each workflow and plugin was read from, by `workflow:ID` or
  /// `plugin:ID`.
  public private(set) var sources: [String: SourceText] = [:]

  mutating func replaceDiagnostics(_ all: [Diagnostic]) { diagnostics = all }

  /// Plugins that could not be checked against their workflow because the
  /// workflow itself has errors; they are checked once it is fixed.
  public private(set) var uncheckedPlugins: [(plugin: String, workflow: String)] = []

  /// Whether any definition has an error.
  public var hasErrors: Bool { diagnostics.hasErrors }

  /// Decodes and checks definitions from their sources.
  ///
  /// Each plugin is checked against the workflow it names, which must be
  /// among `sources` or `extraWorkflows`.
  ///
  /// - Parameters:
  ///   - sources: The files' contents and names.
  ///   - extraWorkflows: Further sources searched only for workflows that a
  ///     plugin names and `sources` lack; their problems are reported too.
  ///   - limits: Bounds on each YAML file.
  public init(sources: [SourceText], extraWorkflows: [SourceText] = [], limits: YAMLLimits = .default) {
    var drafts: [(PluginDraft, SourceText)] = []
    var fileDiagnostics: [String: [Diagnostic]] = [:]
    var firstSeen: [String: SourceLocation] = [:]
    var invalidWorkflows = Set<String>()

    /// Records the first definition of `kind` `id`; a second is an error.
    func claim(
      _ kind: String, _ id: String, at location: SourceLocation, source: SourceText, _ decoder: inout DefinitionDecoder
    ) -> Bool {
      let key = "\(kind):\(id)"
      if let earlier = firstSeen[key] {
        decoder.context.error(location, "\(kind) '\(id)' is already defined in \(earlier)")
        return false
      }
      firstSeen[key] = location
      self.sources[key] = source
      return true
    }

    func decode(_ source: SourceText, pluginsToo: Bool) -> [Diagnostic] {
      let document: YAMLDocument
      do {
        document = try YAML.load(source, limits: limits)
      } catch {
        return [error.diagnostic]
      }
      guard let root = document.root else {
        return [
          source.diagnostic(
            at: SourceLocation(file: source.name, line: 1, column: 1),
            "the file is empty; a definition starts with 'workflow:' or 'plugin:'")
        ]
      }
      guard let first = root.mapping?.first else {
        return [
          source.diagnostic(
            at: root.location, "not a definition: the file must be a mapping that starts with 'workflow:' or 'plugin:'")
        ]
      }
      var decoder = DefinitionDecoder(source: source)
      switch first.name {
      case "workflow":
        if let workflow = decoder.workflow(root) {
          if claim("workflow", workflow.id, at: root.location, source: source, &decoder) {
            workflows[workflow.id] = workflow
          }
        } else if let id = root["workflow"]?.scalar?.value {
          invalidWorkflows.insert(id)
        }
      case "plugin":
        // Folders searched only for workflows may hold plugins too: not ours to check.
        if pluginsToo, let draft = decoder.plugin(root) { drafts.append((draft, source)) }
      default:
        decoder.context.error(
          first.key.location,
          "not a definition: the first key must be 'workflow' or 'plugin', not '\(first.name)'\(Suggestion.didYouMean(first.name, in: ["workflow", "plugin"]))"
        )
      }
      return decoder.context.diagnostics
    }

    for source in sources {
      sourceNames.append(source.name)
      fileDiagnostics[source.name, default: []] += decode(source, pluginsToo: true)
    }
    let wanted = Set(drafts.map(\.0.workflow)).subtracting(workflows.keys).subtracting(invalidWorkflows)
    if !wanted.isEmpty {
      for source in extraWorkflows where !sourceNames.contains(source.name) {
        let before = workflows.count
        let found = decode(source, pluginsToo: false)
        if workflows.count > before || found.hasErrors {
          sourceNames.append(source.name)
          fileDiagnostics[source.name, default: []] += found
        }
      }
    }
    // Steps and checks are found by id in a consultation that covers several
    // areas, so two plugins of one workflow must not share one.
    var pluginIDs: [String: (plugin: String, location: SourceLocation)] = [:]
    var targets: [String: LinkTarget] = [:]
    for (draft, source) in drafts {
      var decoder = DefinitionDecoder(source: source)
      if let workflow = workflows[draft.workflow] {
        let target = targets[draft.workflow] ?? LinkTarget(workflow)
        targets[draft.workflow] = target
        if let plugin = decoder.link(draft, to: target),
          claim("plugin", plugin.id, at: plugin.location, source: source, &decoder)
        {
          var clashes = false
          for addition in plugin.stages {
            let ids = addition.steps.map { ("step", $0.id, $0.location) } + addition.checks.map { ("check", $0.id, $0.location) }
            for (kind, id, location) in ids {
              let key = "\(plugin.workflow)/\(kind)/\(id)"
              if let earlier = pluginIDs[key] {
                decoder.context.error(
                  location,
                  "\(kind) id '\(id)' is already a \(kind) of plugin '\(earlier.plugin)' (\(earlier.location)); the plugins of workflow '\(plugin.workflow)' may be chosen together, so their ids must differ"
                )
                clashes = true
              } else {
                pluginIDs[key] = (plugin.id, location)
              }
            }
          }
          if !clashes { plugins[plugin.id] = plugin }
        }
      } else if invalidWorkflows.contains(draft.workflow) {
        uncheckedPlugins.append((draft.id, draft.workflow))
      } else {
        decoder.context.error(
          draft.workflowLocation,
          "plugin '\(draft.id)' extends unknown workflow '\(draft.workflow)'\(Suggestion.didYouMean(draft.workflow, in: workflows.keys.sorted())); validate it together with its workflow"
        )
      }
      fileDiagnostics[source.name, default: []] += decoder.context.diagnostics
    }
    for name in sourceNames {
      diagnostics += (fileDiagnostics[name] ?? []).sorted { $0.location < $1.location }
    }
  }

  /// The workflow `id` merged with the plugins of `areas`.
  ///
  /// - Throws: ``CatalogError`` when the workflow or an area is unknown, or an
  ///   area's plugin extends another workflow.
  public func merged(workflow id: String, areas: [String]) throws(CatalogError) -> MergedWorkflow {
    try PluginRegistry(catalog: self).merged(workflow: id, areas: areas)
  }
}

/// A request the catalog cannot answer: an unknown workflow or area.
public struct CatalogError: Error, Sendable, Hashable, CustomStringConvertible {
  /// What is wrong.
  public var message: String

  /// Creates an error.
  public init(_ message: String) { self.message = message }

  public var description: String { message }
}
