import ArgumentParser
import Mesoflow
import MesoflowYAML

extension MesoflowCommand {
  struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Prove a workflow safe for each area before staff use it.",
      discussion: """
        Analyses the workflow merged with each chosen area (every area of the
        workflow when none is given), and with all of them together, on every
        path a consultation can take: every stage is reachable and has a way
        out, every outcome can be reached, the procedure stage never begins
        before every screening check is decided and consent is taken, and
        every condition reads only answers asked on every path before it.
        Checks that can never fire, or always fire, are warnings.

        Each problem is printed as PATH:LINE:COL: error: MESSAGE (or warning:),
        with the source line, a caret, and the path that breaks the rule.
        Exits 0 when the workflow is safe and 1 when it is not.
        See docs/TESTING.md.
        """
    )

    @Argument(
      help: "A workflow id (looked up in ./Workflows) or a workflow file. Default: the only workflow in ./Workflows.")
    var workflow: String?

    @Option(
      name: .customLong("area"), help: "An area to check; repeat for several. Default: every area of the workflow.")
    var areas: [String] = []

    @Option(help: "The folder of area plugins. Default: Plugins beside the workflow's folder, else ./Plugins.")
    var plugins: String?

    func run() throws {
      let (catalog, id) = try LoadedDefinitions.loadCatalog(workflow: workflow, plugins: plugins)
      let chosen = areas.isEmpty ? LoadedDefinitions.areas(of: id, in: catalog) : Array(Set(areas)).sorted()
      // Each area alone, then all of them together.
      var combinations = chosen.map { [$0] }
      if chosen.count > 1 { combinations.append(chosen) }
      if combinations.isEmpty { combinations = [[]] }

      let today = SystemClock().now().date(utcOffset: SystemClock.utcOffset(at: SystemClock().now()))
      // One finding per rule, place and message, whatever the path; the
      // shortest path to read is kept, with the areas it occurs with.
      struct Key: Hashable {
        var rule: WorkflowAnalysis.Finding.Rule
        var location: SourceLocation
        var message: String
        init(_ finding: WorkflowAnalysis.Finding) {
          (rule, location, message) = (finding.rule, finding.location, finding.message)
        }
      }
      var found: [Key: (finding: WorkflowAnalysis.Finding, areas: [[String]])] = [:]
      var stageCount = 0
      for combination in combinations {
        let merged = try LoadedDefinitions.merged(catalog, id, combination)
        stageCount = merged.stages.count
        for finding in WorkflowAnalysis(merged, today: today).findings {
          guard let kept = found[Key(finding)] else {
            found[Key(finding)] = (finding, [combination])
            continue
          }
          let shorter = Self.length(finding.path) < Self.length(kept.finding.path) ? finding : kept.finding
          found[Key(finding)] = (shorter, kept.areas + [combination])
        }
      }

      let sources = Dictionary(catalog.sources.values.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
      let color = Platform.standardErrorWantsColor
      let order = found.values.sorted {
        ($0.finding.location, $0.finding.message, $0.finding.rule.rawValue)
          < ($1.finding.location, $1.finding.message, $1.finding.rule.rawValue)
      }
      for (finding, areas) in order {
        var diagnostic = finding.diagnostic(source: sources[finding.location.file])
        if combinations.count > 1, areas.count < combinations.count {
          diagnostic.notes.insert("with " + areas.map(Self.describe).joined(separator: "; "), at: 0)
        }
        Platform.printError(diagnostic.rendered(color: color))
      }

      let errors = order.filter { $0.finding.severity == .error }.count
      let warnings = order.count - errors
      let scope = Self.scope(chosen)
      if errors > 0 {
        Platform.printError(
          "\(id) is not safe \(scope): \(Self.count(errors, "error"))\(warnings == 0 ? "" : " and \(Self.count(warnings, "warning"))")"
        )
        throw ExitCode(1)
      }
      print(
        "ok: \(id) is safe \(scope) (\(Self.count(stageCount, "stage")) checked on every path)"
          + (warnings == 0 ? "" : "; \(Self.count(warnings, "warning"))"))
    }

    static func length(_ path: [WorkflowAnalysis.PathStage]) -> Int { path.reduce(0) { $0 + 1 + $1.steps.count } }

    static func describe(_ areas: [String]) -> String {
      switch areas.count {
      case 0: return "no area"
      case 1: return "area \(areas[0])"
      default: return "areas \(areas.joined(separator: ", ")) together"
      }
    }

    static func scope(_ areas: [String]) -> String {
      switch areas.count {
      case 0: return "with no area"
      case 1: return "with area \(areas[0])"
      case 2: return "with each of \(areas.joined(separator: ", ")) and with both together"
      default: return "with each of \(areas.joined(separator: ", ")) and with all \(areas.count) together"
      }
    }

    static func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }
  }
}
