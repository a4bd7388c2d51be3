import ArgumentParser
import Mesoflow
import MesoflowRecords

extension MesoflowCommand {
  struct Describe: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show a workflow merged with the plugins of the chosen areas.",
      discussion: """
        Lists the stages in order with their steps, checks, waits and
        transitions, and the expected duration of the whole consultation.
        The JSON format is stable and documented in docs/DESCRIBE-JSON.md;
        fhir writes the merged workflow as a FHIR R4 Questionnaire
        (docs/FHIR.md).
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
      case text, json, fhir
    }

    @Argument(help: "A workflow id (looked up in ./Workflows) or a workflow file.")
    var workflow: String

    @Option(name: .customLong("area"), help: "An area to include; repeat for several.")
    var areas: [String] = []

    @Option(help: "The output format: text, json or fhir.")
    var format: Format = .text

    @Option(help: "The folder of area plugins. Default: Plugins beside the workflow's folder, else ./Plugins.")
    var plugins: String?

    @OptionGroup var fhir: FHIROptions

    func run() throws {
      let merged = try LoadedDefinitions.load(workflow: workflow, areas: areas, plugins: plugins).merged
      switch format {
      case .text:
        print(WorkflowDescription.text(for: merged), terminator: "")
      case .json:
        print(try WorkflowDescription.json(for: merged), terminator: "")
      case .fhir:
        print(
          try FHIRExport.questionnaire(for: merged, options: fhir.export),
          terminator: "")
      }
    }
  }
}
