import Dispatch
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
  package private(set) var uncheckedPlugins: [(plugin: String, workflow: String)] = []

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
    self.init(sources: sources, extraWorkflows: extraWorkflows, limits: limits, concurrently: true)
  }

  /// Decodes and checks definitions, reading the files one after another
  /// when `concurrently` is false (for tests that compare the two).
  package init(sources: [SourceText], extraWorkflows: [SourceText], limits: YAMLLimits, concurrently: Bool) {
    var drafts: [(PluginDraft, SourceText)] = []
    var fileDiagnostics: [String: [Diagnostic]] = [:]
    var firstSeen: [String: SourceLocation] = [:]
    var invalidWorkflows = Set<String>()
    /// The workflows taken in, with what linking their plugins needs.
    var decodedWorkflows: [String: DecodedWorkflow] = [:]

    /// Records the first definition of `kind` `id`; a second is an error.
    func claim(_ kind: String, _ id: String, at location: SourceLocation, source: SourceText) -> Diagnostic? {
      let key = "\(kind):\(id)"
      if let earlier = firstSeen[key] {
        return source.diagnostic(at: location, "\(kind) '\(id)' is already defined in \(earlier)")
      }
      firstSeen[key] = location
      self.sources[key] = source
      return nil
    }

    /// Takes in what was read from one file, in file order, so that a
    /// second definition of an id is the one reported.
    func admit(_ reading: FileReading, from source: SourceText, pluginsToo: Bool) -> [Diagnostic] {
      var diagnostics = reading.diagnostics
      if let decoded = reading.workflow {
        let workflow = decoded.workflow
        if let clash = claim("workflow", workflow.id, at: workflow.location, source: source) {
          diagnostics.append(clash)
        } else {
          workflows[workflow.id] = workflow
          decodedWorkflows[workflow.id] = decoded
        }
      }
      if let id = reading.invalidWorkflow { invalidWorkflows.insert(id) }
      if pluginsToo, let draft = reading.draft { drafts.append((draft, source)) }
      return diagnostics
    }

    // Files are read (parsed and decoded) on as many threads as there are
    // cores; what they define is then taken in, and plugins linked, in file order.
    let readings = Self.read(sources, pluginsToo: true, limits: limits, concurrently: concurrently)
    for (source, reading) in zip(sources, readings) {
      sourceNames.append(source.name)
      fileDiagnostics[source.name, default: []] += admit(reading, from: source, pluginsToo: true)
    }
    let wanted = Set(drafts.map(\.0.workflow)).subtracting(workflows.keys).subtracting(invalidWorkflows)
    if !wanted.isEmpty {
      let extras = extraWorkflows.filter { !sourceNames.contains($0.name) }
      let extraReadings = Self.read(extras, pluginsToo: false, limits: limits, concurrently: concurrently)
      for (source, reading) in zip(extras, extraReadings) {
        // A name given twice among the extras is taken in once.
        guard !sourceNames.contains(source.name) else { continue }
        let before = workflows.count
        let found = admit(reading, from: source, pluginsToo: false)
        if workflows.count > before || found.hasErrors {
          sourceNames.append(source.name)
          fileDiagnostics[source.name, default: []] += found
        }
      }
    }
    // Steps and checks are found by id in a consultation that covers several
    // areas, so two plugins of one workflow must not share one.
    var pluginIDs: [String: (plugin: String, location: SourceLocation)] = [:]
    for (draft, source) in drafts {
      var decoder = DefinitionDecoder(source: source)
      if let target = decodedWorkflows[draft.workflow] {
        if let plugin = decoder.link(draft, to: target) {
          if let clash = claim("plugin", plugin.id, at: plugin.location, source: source) {
            decoder.context.diagnostics.append(clash)
            fileDiagnostics[source.name, default: []] += decoder.context.diagnostics
            continue
          }
          var clashes = false
          for addition in plugin.stages {
            let ids =
              addition.steps.map { ("step", $0.id, $0.location) }
              + addition.checks.map { ("check", $0.id, $0.location) }
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

  /// What one file defines, as read on its own: a workflow, a plugin not
  /// yet linked, or neither; and the problems found.
  struct FileReading: Sendable {
    var workflow: DecodedWorkflow?
    /// The id of a workflow that has errors, so that its plugins are not
    /// also reported as extending an unknown workflow.
    var invalidWorkflow: String?
    var draft: PluginDraft?
    var diagnostics: [Diagnostic] = []
  }

  /// Reads each of `sources`, on several threads when `concurrently` and
  /// there is more than one; the readings come back in the order of `sources`.
  static func read(_ sources: [SourceText], pluginsToo: Bool, limits: YAMLLimits, concurrently: Bool)
    -> [FileReading]
  {
    guard concurrently, sources.count > 1 else {
      return sources.map { read($0, pluginsToo: pluginsToo, limits: limits) }
    }
    // The largest files first, so that no thread starts a large file last.
    let order = sources.indices.sorted { sources[$0].bytes.count > sources[$1].bytes.count }
    let slots = Slots<FileReading>(count: sources.count)
    DispatchQueue.concurrentPerform(iterations: order.count) { turn in
      let index = order[turn]
      slots.fill(index, with: read(sources[index], pluginsToo: pluginsToo, limits: limits))
    }
    // concurrentPerform returns once every iteration has, so every slot is filled.
    return slots.take()
  }

  /// Reads one file: YAML, then a workflow or a plugin. Pure, and
  /// independent of every other file, so that files can be read at once.
  static func read(_ source: SourceText, pluginsToo: Bool, limits: YAMLLimits) -> FileReading {
    let document: YAMLDocument
    do {
      document = try YAML.load(source, limits: limits)
    } catch {
      return FileReading(diagnostics: [error.diagnostic])
    }
    guard let root = document.root else {
      return FileReading(diagnostics: [
        source.diagnostic(
          at: SourceLocation(file: source.name, line: 1, column: 1),
          "the file is empty; a definition starts with 'workflow:' or 'plugin:'")
      ])
    }
    guard let first = root.mapping?.first else {
      return FileReading(diagnostics: [
        source.diagnostic(
          at: root.location, "not a definition: the file must be a mapping that starts with 'workflow:' or 'plugin:'")
      ])
    }
    var reading = FileReading()
    var decoder = DefinitionDecoder(source: source)
    switch first.name {
    case "workflow":
      if let workflow = decoder.workflow(root) {
        reading.workflow = workflow
      } else if let id = root["workflow"]?.text {
        reading.invalidWorkflow = id
      }
    case "plugin":
      // Folders searched only for workflows may hold plugins too: not ours to check.
      if pluginsToo { reading.draft = decoder.plugin(root) }
    default:
      decoder.context.error(
        first.key.location,
        "not a definition: the first key must be 'workflow' or 'plugin', not '\(first.name)'\(Suggestion.didYouMean(first.name, in: ["workflow", "plugin"]))"
      )
    }
    reading.diagnostics = decoder.context.diagnostics
    return reading
  }

  /// The workflow `id` merged with the plugins of `areas`.
  ///
  /// - Throws: ``CatalogError`` of code `unknownWorkflow` or `unknownArea`
  ///   when the workflow or an area is unknown, or `wrongWorkflow` when an
  ///   area's plugin extends another workflow.
  public func merged(workflow id: String, areas: [String]) throws(CatalogError) -> MergedWorkflow {
    try PluginRegistry(catalog: self).merged(workflow: id, areas: areas)
  }
}

/// A request the catalog cannot answer: an unknown workflow or area, or an
/// area that extends another workflow.
///
/// The ``code`` tells the kind of problem; the ``message`` says what is wrong
/// in words, with the names that would have been accepted.
public struct CatalogError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The kind of problem. New kinds may be added; compare with `==`, or
  /// switch with a default.
  public struct Code: Sendable, Hashable, CustomStringConvertible {
    enum Storage: String, Sendable, Hashable {
      case unknownWorkflow, unknownArea, wrongWorkflow
    }

    let storage: Storage

    /// No workflow has the id.
    public static let unknownWorkflow = Code(storage: .unknownWorkflow)
    /// No plugin has the area's id.
    public static let unknownArea = Code(storage: .unknownArea)
    /// The area's plugin extends another workflow than the one asked for.
    public static let wrongWorkflow = Code(storage: .wrongWorkflow)

    /// `unknownWorkflow`, `unknownArea` or `wrongWorkflow`.
    public var description: String { storage.rawValue }
  }

  /// The kind of problem.
  public var code: Code
  /// What is wrong.
  public var message: String

  /// Creates an error.
  package init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }

  public var description: String { message }
}

/// One slot for each result of work spread over threads: each slot is
/// written once, by one thread, and all are read after the work is done.
/// The slots are disjoint memory, so the threads need no lock between them.
private final class Slots<Element: Sendable>: @unchecked Sendable {
  private let buffer: UnsafeMutableBufferPointer<Element?>

  init(count: Int) {
    buffer = .allocate(capacity: count)
    buffer.initialize(repeating: nil)
  }

  deinit {
    buffer.deinitialize()
    buffer.deallocate()
  }

  /// Sets slot `index`; each index exactly once, from any thread.
  func fill(_ index: Int, with element: Element) {
    buffer[index] = element
  }

  /// The elements, in slot order, once every slot is filled.
  func take() -> [Element] {
    buffer.map { element in
      guard let element else { preconditionFailure("a slot was never filled") }
      return element
    }
  }
}
