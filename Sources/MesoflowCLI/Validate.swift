import ArgumentParser
import Mesoflow

extension MesoflowCommand {
  struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Check workflow and plugin definitions.",
      discussion: """
        Reports every problem in every file as PATH:LINE:COL: error: MESSAGE,
        followed by the offending line and a caret. Exits 0 when everything is
        valid and 1 when anything is not.
        """
    )

    @Argument(help: "Definition files or folders. Default: ./Workflows and ./Plugins.")
    var paths: [String] = []

    func run() throws {
      let targets = paths.isEmpty ? ["Workflows", "Plugins"] : paths
      let catalog = Catalog.load(paths: targets)
      if catalog.sourceNames.isEmpty, catalog.diagnostics.isEmpty {
        Platform.printError("error: no definition files (.yaml, .yml) in \(targets.joined(separator: ", "))")
        throw ExitCode(1)
      }
      let color = Platform.standardErrorWantsColor
      for diagnostic in catalog.diagnostics {
        Platform.printError(diagnostic.rendered(color: color))
      }
      let errors = catalog.diagnostics.filter { $0.severity == .error }
      let warnings = catalog.diagnostics.count - errors.count
      let warningNote = warnings == 0 ? "" : " (and \(warnings) warning\(warnings == 1 ? "" : "s"))"
      for workflow in Set(catalog.uncheckedPlugins.map(\.workflow)).sorted() {
        let plugins = catalog.uncheckedPlugins.filter { $0.workflow == workflow }.map(\.plugin).sorted()
        Platform.printError(
          "note: plugin\(plugins.count == 1 ? "" : "s") \(plugins.joined(separator: ", ")) will be checked against workflow '\(workflow)' once its errors are fixed")
      }
      if !errors.isEmpty {
        let files = Set(errors.map(\.location.file)).count
        Platform.printError(
          "\(errors.count) error\(errors.count == 1 ? "" : "s") in \(files) file\(files == 1 ? "" : "s")\(warningNote)")
        throw ExitCode(1)
      }
      let workflows = catalog.workflows.keys.sorted()
      let plugins = catalog.plugins.keys.sorted()
      var parts: [String] = []
      if !workflows.isEmpty {
        parts.append("\(workflows.count) workflow\(workflows.count == 1 ? "" : "s") (\(workflows.joined(separator: ", ")))")
      }
      if !plugins.isEmpty {
        parts.append("\(plugins.count) plugin\(plugins.count == 1 ? "" : "s") (\(plugins.joined(separator: ", ")))")
      }
      let files = catalog.sourceNames.count
      print(
        "ok: \(files) file\(files == 1 ? "" : "s") valid" + (parts.isEmpty ? "" : ": " + parts.joined(separator: ", "))
          + warningNote)
    }
  }
}
