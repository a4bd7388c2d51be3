import ArgumentParser
import Mesoflow
import MesoflowRecords
import MesoflowYAML

extension MesoflowCommand {
  struct TestScenarios: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "test",
      abstract: "Run test scenarios: sample patients and what their consultation must produce.",
      discussion: """
        Each scenario file names a workflow, areas, a role, a patient's answers
        in order, and what must come out: the outcome, the stage reached, checks
        fired, answers refused, aftercare given, follow-up sessions booked.
        Prints each scenario's result, the difference between expected and
        actual for each that fails, a warning for each stop and refer check
        that no scenario fires, and a closing line `N passed, N failed`.
        Exits 0 when every scenario passes and 1 when any fails (warnings
        do not change it).
        See docs/TESTING.md for the format.
        """
    )

    @Argument(help: "Scenario files or folders. Default: Workflows/tests and Plugins/tests.")
    var paths: [String] = []

    @Option(help: "The folder (or file) of workflows.")
    var workflows: String = "Workflows"

    @Option(help: "The folder of area plugins.")
    var plugins: String = "Plugins"

    @Option(
      name: .customLong("fhir-output"),
      help: ArgumentHelp(
        "An existing folder to write each scenario's consultation to, as a FHIR R4 Bundle.",
        discussion: "One file a scenario, FILE--SCENARIO.json, as `mesoflow export --format fhir` writes it.",
        valueName: "folder"))
    var fhirOutput: String?

    func validate() throws {
      if let fhirOutput, !FileSystem.isFolder(fhirOutput) {
        throw ValidationError("--fhir-output: '\(fhirOutput)' is not a folder")
      }
    }

    func run() throws {
      let targets =
        paths.isEmpty ? ["Workflows/tests", "Plugins/tests"].filter { FileSystem.kind(of: $0) != nil } : paths
      var files: [String] = []
      for target in targets {
        guard FileSystem.kind(of: target) != nil else {
          throw ValidationError("no scenario file or folder '\(target)'")
        }
        files += Self.scenarioFiles(at: target)
      }
      guard !files.isEmpty else {
        throw ValidationError(
          "no scenario files (.yaml, .yml) in \(targets.isEmpty ? "Workflows/tests or Plugins/tests" : targets.joined(separator: ", "))"
        )
      }

      let catalog = Catalog.load(paths: [workflows, plugins].filter { FileSystem.kind(of: $0) != nil })
      let errorColor = Platform.standardErrorWantsColor
      if catalog.hasErrors {
        for diagnostic in catalog.diagnostics { Platform.printError(diagnostic.rendered(color: errorColor)) }
        Platform.printError("the definitions have errors; fix them first (mesoflow validate shows them all)")
        throw ExitCode(1)
      }

      let color = Platform.wantsColor(fd: 1)
      let style = Style(enabled: color)
      var passed = 0
      var failed = 0
      // Problems in a file of patients that several files include are shown once.
      var shown = Set<Diagnostic>()
      var results: [ScenarioResult] = []
      // Whether every scenario of every file ran, so that what none fired is known.
      var allRan = true
      for file in files {
        guard let bytes = FileSystem.contents(of: file, limit: YAMLLimits.default.maxBytes) else {
          Platform.printError("\(file):1:1: error: cannot read the scenario file")
          failed += 1
          allRan = false
          continue
        }
        let scenarios = ScenarioFile(source: SourceText(name: file, bytes: bytes), reading: Self.read)
        // A clean file of patients runs nothing and says nothing.
        if scenarios.holdsOnlyPatients, scenarios.diagnostics.isEmpty { continue }
        print(file)
        if scenarios.diagnostics.hasErrors {
          print(
            "  \(style.red("FAIL"))  the file has errors; \(scenarios.holdsOnlyPatients ? "it holds patients for other files" : "none of its scenarios ran")"
          )
        }
        // On standard output, in order with the results they explain.
        var elsewhere = Set<String>()
        for diagnostic in scenarios.diagnostics {
          if shown.contains(diagnostic) {
            elsewhere.insert(diagnostic.location.file)
            continue
          }
          shown.insert(diagnostic)
          print(Self.indented(diagnostic.rendered(color: color)))
        }
        for other in elsewhere.sorted() { print("        \(style.dim("the problems in \(other) are shown above"))") }
        if scenarios.diagnostics.hasErrors {
          failed += max(1, scenarios.scenarios.count)
          allRan = false
          continue
        }
        for scenario in scenarios.scenarios {
          let result = scenario.run(in: catalog)
          results.append(result)
          if let fhirOutput, let consultation = result.consultation {
            try Self.writeBundle(consultation, of: scenario, in: file, to: fhirOutput)
          }
          if !result.diagnostics.isEmpty { allRan = false }
          if result.passed {
            passed += 1
            print("  \(style.plainGreen("ok"))    \(scenario.name)")
            continue
          }
          failed += 1
          print("  \(style.red("FAIL"))  \(scenario.name) \(style.dim("(\(scenario.location))"))")
          for diagnostic in result.diagnostics {
            // In the scenario file, or in a file of patients it includes.
            let source = scenarios.sources[diagnostic.location.file] ?? SourceText(name: file, bytes: bytes)
            print(Self.indented(source.diagnostic(at: diagnostic.location, diagnostic.message).rendered(color: color)))
          }
          // The first cause first: what follows from it is not listed.
          if let cause = result.unanswered {
            print("        \(style.dim("\(cause.location)"))")
            print("        \(style.red("\(cause.description)"))")
          }
          for mismatch in result.mismatches {
            print("        \(style.dim("\(mismatch.location)"))")
            print("        \(style.red("- \(mismatch.key): \(mismatch.expected)"))")
            print("        \(style.plainGreen("+ \(mismatch.key): \(mismatch.actual)"))")
          }
        }
      }
      // The contraindications no scenario tests: of everything when the
      // default folders ran, else of the areas the scenarios given choose.
      if allRan {
        let scope: ScenarioCoverage.Scope = paths.isEmpty ? .everything : .chosenAreas
        for warning in ScenarioCoverage.unexercisedChecks(in: catalog, results: results, scope: scope) {
          print(warning.rendered(color: color))
        }
      }
      print("\(passed) passed, \(failed) failed")
      if failed > 0 { throw ExitCode(1) }
    }

    /// Writes the scenario's consultation as a FHIR Bundle named after the
    /// file and the scenario.
    static func writeBundle(_ consultation: Consultation, of scenario: Scenario, in file: String, to folder: String)
      throws
    {
      func slug(_ text: some StringProtocol) -> String {
        String(text.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" })
      }
      let name = file.split(separator: "/").last ?? Substring(file)
      let stem = name.split(separator: ".").first.map(slug) ?? "scenarios"
      let path = PathName.join(folder, "\(stem)--\(slug(scenario.name)).json")
      let text = try FHIRExport.bundle(for: consultation, chainHead: nil, assembledAt: consultation.state.lastEventAt)
      do {
        try Platform.writeFileAtomically(text, to: path)
      } catch {
        Platform.printError("error: \(path): cannot write the file: \(error)")
        throw ExitCode(1)
      }
    }

    /// A file named by a scenario file's `include`.
    static func read(_ path: String) -> SourceText? {
      FileSystem.contents(of: path, limit: YAMLLimits.default.maxBytes).map { SourceText(name: path, bytes: $0) }
    }

    static func indented(_ text: String) -> String {
      text.split(separator: "\n", omittingEmptySubsequences: false).map { "        " + $0 }.joined(separator: "\n")
    }

    /// `path` itself, or the scenario files in it and its subfolders, in order.
    static func scenarioFiles(at path: String) -> [String] {
      guard FileSystem.isFolder(path) else { return [path] }
      var files: [String] = []
      for name in (FileSystem.names(in: path) ?? []).sorted() where !name.hasPrefix(".") {
        let child = PathName.join(path, name)
        if FileSystem.isFolder(child) {
          files += scenarioFiles(at: child)
        } else if name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
          files.append(child)
        }
      }
      return files
    }
  }
}
