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

    @Argument(
      help: ArgumentHelp(
        "Definition files or folders. Default: ./Workflows and ./Plugins.",
        discussion: "A clinic's folder that holds Workflows/ and Plugins/ stands for those two folders."))
    var paths: [String] = []

    func run() throws {
      let targets = paths.isEmpty ? ["Workflows", "Plugins"] : paths.flatMap(Self.definitionFolders)
      let catalog = Catalog.load(paths: targets)
      if catalog.sourceNames.isEmpty, catalog.diagnostics.isEmpty {
        Platform.printError(
          "error: no definition files (.yaml, .yml) in \(targets.joined(separator: ", ")), and no Workflows/ or Plugins/ folder there; give definition files, a folder of them, or a clinic's folder that holds Workflows/ and Plugins/"
        )
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
          "note: plugin\(plugins.count == 1 ? "" : "s") \(plugins.joined(separator: ", ")) will be checked against workflow '\(workflow)' once its errors are fixed"
        )
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
        parts.append(
          "\(workflows.count) workflow\(workflows.count == 1 ? "" : "s") (\(workflows.joined(separator: ", ")))")
      }
      if !plugins.isEmpty {
        parts.append("\(plugins.count) plugin\(plugins.count == 1 ? "" : "s") (\(plugins.joined(separator: ", ")))")
      }
      let files = catalog.sourceNames.count
      print(
        "ok: \(files) file\(files == 1 ? "" : "s") valid" + (parts.isEmpty ? "" : ": " + parts.joined(separator: ", "))
          + warningNote)
    }

    /// `path` itself, unless it is a folder with no definition files of its
    /// own that holds Workflows/ or Plugins/: then those.
    static func definitionFolders(_ path: String) -> [String] {
      guard FileSystem.isFolder(path) else { return [path] }
      let own = FileSystem.names(in: path)?.contains { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") } ?? true
      if own { return [path] }
      let inner = ["Workflows", "Plugins"].map { PathName.join(path, $0) }.filter(FileSystem.isFolder)
      return inner.isEmpty ? [path] : inner
    }
  }
}
