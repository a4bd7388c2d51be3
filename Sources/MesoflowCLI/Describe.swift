import ArgumentParser
#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif
import Mesoflow

extension MesoflowCommand {
  struct Describe: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show a workflow merged with the plugins of the chosen areas.",
      discussion: """
        Lists the stages in order with their steps, checks, waits and
        transitions, and the expected duration of the whole consultation.
        The JSON format is stable and documented in docs/DESCRIBE-JSON.md.
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
      case text, json
    }

    @Argument(help: "A workflow id (looked up in ./Workflows) or a workflow file.")
    var workflow: String

    @Option(name: .customLong("area"), help: "An area to include; repeat for several.")
    var areas: [String] = []

    @Option(help: "The output format: text or json.")
    var format: Format = .text

    @Option(help: "The folder of area plugins. Default: Plugins beside the workflow's folder, else ./Plugins.")
    var plugins: String?

    func run() throws {
      let isFile = FileSystem.kind(of: workflow).map { $0 != .folder } ?? false
      let workflowPath = isFile ? workflow : "Workflows"
      let pluginsPath = plugins ?? Self.defaultPlugins(besides: workflowPath)
      var paths = [workflowPath]
      if FileSystem.kind(of: pluginsPath) != nil || plugins != nil { paths.append(pluginsPath) }
      let catalog = Catalog.load(paths: paths)
      if catalog.hasErrors {
        let color = Platform.standardErrorWantsColor
        for diagnostic in catalog.diagnostics { Platform.printError(diagnostic.rendered(color: color)) }
        Platform.printError("the definitions have errors; fix them first (mesoflow validate shows them all)")
        throw ExitCode(1)
      }
      let id: String
      if isFile {
        guard let only = catalog.workflows.keys.sorted().first else {
          throw ValidationError("\(workflow) holds no workflow")
        }
        id = only
      } else {
        id = workflow
      }
      let merged: MergedWorkflow
      do {
        merged = try catalog.merged(workflow: id, areas: areas)
      } catch {
        throw ValidationError(error.message)
      }
      switch format {
      case .text:
        print(DescriptionText.render(merged), terminator: "")
      case .json:
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(WorkflowDescription(merged))
        print(String(decoding: data, as: UTF8.self))
      }
    }

    static func defaultPlugins(besides workflowPath: String) -> String {
      let folder = FileSystem.isFolder(workflowPath) ? workflowPath : PathName.parent(of: workflowPath)
      let candidate = PathName.join(PathName.parent(of: folder), "Plugins")
      return FileSystem.isFolder(candidate) ? candidate : "Plugins"
    }
  }
}
