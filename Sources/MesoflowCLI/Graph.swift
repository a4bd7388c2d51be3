import ArgumentParser
import Mesoflow

extension MesoflowCommand {
  struct Graph: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Draw a workflow merged with the chosen areas as a state machine.",
      discussion: """
        Prints a Mermaid flowchart or a Graphviz DOT graph: each stage with its
        duration, waits, steps and warn/exclude checks; transitions labelled
        with their conditions; and edges to the completed, deferred and
        referred outcomes, the last two labelled with the stop and refer
        checks that lead there. docs/GRAPH.md shows how to render it.
        """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
      case mermaid, dot
    }

    @Argument(
      help: "A workflow id (looked up in ./Workflows) or a workflow file. Default: the only workflow in ./Workflows.")
    var workflow: String?

    @Option(name: .customLong("area"), help: "An area to include; repeat for several.")
    var areas: [String] = []

    @Option(help: "The folder of area plugins. Default: Plugins beside the workflow's folder, else ./Plugins.")
    var plugins: String?

    @Option(help: "The output format: mermaid or dot.")
    var format: Format = .mermaid

    func run() throws {
      let (catalog, id) = try LoadedDefinitions.loadCatalog(workflow: workflow, plugins: plugins)
      let graph = WorkflowGraph(try LoadedDefinitions.merged(catalog, id, areas))
      switch format {
      case .mermaid: print(graph.mermaid(), terminator: "")
      case .dot: print(graph.dot(), terminator: "")
      }
    }
  }
}
