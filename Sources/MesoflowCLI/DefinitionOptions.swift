import ArgumentParser
import Mesoflow
import MesoflowStore

/// Loads a workflow and the plugins of the chosen areas, the way `describe`,
/// `run` and the analyses share.
struct LoadedDefinitions {
  let catalog: Catalog
  let merged: MergedWorkflow

  /// The sources the merged workflow came from, to store beside a consultation.
  var sources: [DefinitionSource] {
    var keys = ["workflow:\(merged.workflow.id)"]
    keys += merged.areas.map { "plugin:\($0.id)" }
    return keys.compactMap { catalog.sources[$0] }.map { source in
      DefinitionSource(name: source.name, text: String(decoding: source.bytes, as: UTF8.self))
    }
  }

  /// Loads `workflow` (an id looked up in ./Workflows, or a file) with the
  /// plugins in `plugins` (default: Plugins beside the workflow's folder, else
  /// ./Plugins), printing every diagnostic and exiting 1 when any is an error.
  static func load(workflow: String, areas: [String], plugins: String?) throws -> LoadedDefinitions {
    let (catalog, id) = try loadCatalog(workflow: workflow, plugins: plugins)
    return LoadedDefinitions(catalog: catalog, merged: try merged(catalog, id, areas))
  }

  /// Workflow `id` of `catalog` merged with `areas`; an unknown area exits 1
  /// with a "did you mean".
  static func merged(_ catalog: Catalog, _ id: String, _ areas: [String]) throws -> MergedWorkflow {
    do {
      return try catalog.merged(workflow: id, areas: areas)
    } catch {
      throw failure(error.message)
    }
  }

  /// Prints `error: MESSAGE` and gives exit code 1: the definitions asked for
  /// are not there, which is not a mistake in how the command was typed.
  static func failure(_ message: String) -> ExitCode {
    Platform.printError("error: \(message)")
    return ExitCode(1)
  }

  /// Loads the definitions `workflow` needs and returns them with the
  /// workflow's id. With no `workflow`, ./Workflows must hold exactly one.
  static func loadCatalog(workflow: String?, plugins: String?) throws -> (Catalog, String) {
    let workflow = workflow ?? "Workflows"
    let isFile = FileSystem.kind(of: workflow).map { $0 != .folder } ?? false
    let workflowPath = isFile ? workflow : "Workflows"
    if !isFile, !FileSystem.isFolder(workflowPath) {
      throw failure(
        "no workflow file '\(workflow)' and no ./Workflows folder to look up the id in; give a workflow file or run from the folder that holds Workflows/"
      )
    }
    let pluginsPath = plugins ?? defaultPlugins(besides: workflowPath)
    var paths = [workflowPath]
    if FileSystem.kind(of: pluginsPath) != nil || plugins != nil { paths.append(pluginsPath) }
    let catalog = Catalog.load(paths: paths)
    if catalog.hasErrors {
      let color = Platform.standardErrorWantsColor
      for diagnostic in catalog.diagnostics { Platform.printError(diagnostic.rendered(color: color)) }
      Platform.printError("the definitions have errors; fix them first (mesoflow validate shows them all)")
      throw ExitCode(1)
    }
    if isFile || workflow == workflowPath {
      let ids = catalog.workflows.keys.sorted()
      guard let only = ids.first else { throw failure("\(workflow) holds no workflow") }
      if ids.count > 1 {
        throw failure("\(workflow) holds \(ids.count) workflows (\(ids.joined(separator: ", "))); name the one to use")
      }
      return (catalog, only)
    }
    guard catalog.workflows[workflow] != nil else {
      let known = catalog.workflows.keys.sorted()
      throw failure(
        "no workflow '\(workflow)' in ./Workflows\(Suggestion.didYouMean(workflow, in: known))"
          + (known.isEmpty ? "" : "; workflows: \(known.joined(separator: ", "))"))
    }
    return (catalog, workflow)
  }

  /// The ids of the areas whose plugins extend workflow `id`, in id order.
  static func areas(of id: String, in catalog: Catalog) -> [String] {
    catalog.plugins.values.filter { $0.workflow == id }.map(\.id).sorted()
  }

  static func defaultPlugins(besides workflowPath: String) -> String {
    let folder = FileSystem.isFolder(workflowPath) ? workflowPath : PathName.parent(of: workflowPath)
    let candidate = PathName.join(PathName.parent(of: folder), "Plugins")
    return FileSystem.isFolder(candidate) ? candidate : "Plugins"
  }
}
