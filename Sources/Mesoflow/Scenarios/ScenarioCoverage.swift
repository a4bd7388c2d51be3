public import MesoflowYAML

/// Which contraindications the scenarios test: the stop and refer checks of
/// the definitions that no scenario run fired, so that a referral added
/// without a scenario does not pass `mesoflow test` in silence.
public enum ScenarioCoverage {
  /// Which checks to look at.
  public enum Scope: Sendable, Hashable {
    /// Every workflow of the catalog and every area plugin of each: the
    /// scenarios run are all there are.
    case everything
    /// Only the plugins of the areas some scenario chose, of the workflows
    /// it ran: the scenarios run are some of them, such as one area's folder,
    /// which tests its plugin but the workflow only in part.
    case chosenAreas
  }

  /// A warning, at the check, for each stop and refer check that no scenario
  /// of `results` fired. A workflow's own check counts as fired when a
  /// scenario of that workflow fired it; an area's, when a scenario of that
  /// workflow with that area among its areas did. A scenario that failed
  /// counts for what it fired and for what it expects to fire (its failure
  /// says what went wrong already); one that could not run, for nothing.
  public static func unexercisedChecks(
    in catalog: Catalog, results: [ScenarioResult], scope: Scope = .everything
  ) -> [Diagnostic] {
    let sources = Dictionary(catalog.sources.values.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    var warnings: [Diagnostic] = []
    func warn(_ check: Check) {
      let message =
        "\(check.outcome.rawValue) check '\(check.id)' is never fired by any scenario; add one that fires it"
      warnings.append(
        sources[check.location.file]?.diagnostic(.warning, at: check.location, message)
          ?? Diagnostic(.warning, at: check.location, message))
    }
    func contraindications(_ checks: [Check], firedIn runs: [ScenarioResult]) {
      var fired = Set<String>()
      for run in runs where run.diagnostics.isEmpty {
        fired.formUnion(run.fired)
        if !run.passed { fired.formUnion(run.scenario.expect.fired ?? []) }
      }
      for check in checks where (check.outcome == .stop || check.outcome == .refer) && !fired.contains(check.id) {
        warn(check)
      }
    }
    for (id, workflow) in catalog.workflows.sorted(by: { $0.key < $1.key }) {
      let runs = results.filter { $0.workflow == id }
      if scope == .everything { contraindications(workflow.stages.flatMap(\.checks), firedIn: runs) }
      for (area, plugin) in catalog.plugins.sorted(by: { $0.key < $1.key }) where plugin.workflow == id {
        let areaRuns = runs.filter { $0.scenario.areas.contains(area) }
        if scope == .chosenAreas, areaRuns.isEmpty { continue }
        contraindications(plugin.stages.flatMap(\.checks), firedIn: areaRuns)
      }
    }
    return warnings
  }
}
