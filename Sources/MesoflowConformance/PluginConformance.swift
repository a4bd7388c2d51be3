public import Mesoflow

/// A conformance kit for area plugins: run it against your own plugin, from
/// your own tests, to learn whether the engine can use it safely.
///
/// ```swift
/// import MesoflowConformance
/// import Testing
///
/// @Test func handsPluginConforms() throws {
///   let report = PluginConformance.check(HandsPlugin(), workflow: workflow)
///   #expect(report.failures.isEmpty, "\(report)")
/// }
/// ```
///
/// The rules:
/// - `valid`: the plugin passes the rules ``PluginRegistry/register(_:)`` applies against its workflow and
///   the other plugins given (ids, stages, expressions, limits, aftercare,
///   follow-up).
/// - `deterministic`: merging it twice, or in another order beside the other
///   plugins, gives the same definition hash and the same steps in the same order.
/// - `quiet`: none of its checks fires before anything is answered.
/// - `pure`: each native check gives the same result twice on the same answers.
/// - `completes`: a consultation covering its area alone can be driven to
///   `completed` by a patient with no contraindication: for every question
///   some acceptable answer fires no stop.
/// - `replays`: that consultation's events replay to the same state.
/// - `limits`: when the workflow asks for a volume and the plugin limits it,
///   a volume over the limit is refused.
public enum PluginConformance {
  /// Checks `plugin` as an extension of `workflow`.
  ///
  /// - Parameters:
  ///   - plugin: The plugin under test.
  ///   - workflow: The workflow it extends.
  ///   - others: Other plugins of the workflow that may be chosen with it.
  ///   - start: The time the test consultation starts at.
  public static func check(
    _ plugin: any AreaPlugin, workflow: Workflow, alongside others: [any AreaPlugin] = [],
    start: Timestamp = Timestamp(millisecondsSinceEpoch: 1_795_251_600_000)
  ) -> ConformanceReport {
    var report = ConformanceReport(plugin: plugin.id, failures: [])
    let problems = PluginValidation.problems(plugin, workflow: workflow, alongside: others)
    for problem in problems { report.fail("valid", problem) }
    guard problems.isEmpty else { return report }

    // deterministic
    let alone = MergedWorkflow(workflow: workflow, areas: [plugin])
    let again = MergedWorkflow(workflow: workflow, areas: [plugin])
    if alone.definitionHash != again.definitionHash {
      report.fail(
        "deterministic", "merging the plugin twice gives two definition hashes: a requirement changes between reads")
    }
    if !others.isEmpty {
      let forward = MergedWorkflow(workflow: workflow, areas: [plugin] + others)
      let backward = MergedWorkflow(workflow: workflow, areas: others.reversed() + [plugin])
      if forward.definitionHash != backward.definitionHash
        || forward.stages.flatMap(\.steps).map(\.step.id) != backward.stages.flatMap(\.steps).map(\.step.id)
      {
        report.fail("deterministic", "the merged steps depend on the order the areas are chosen in")
      }
    }

    // quiet and pure
    let today = start.date(utcOffset: 0)
    let nothing = EvaluationContext(today: today, answers: [:])
    for addition in plugin.stages {
      for check in addition.checks {
        if check.condition.evaluate(in: nothing) == true {
          report.fail("quiet", "check '\(check.id)' fires before anything is answered")
        }
      }
    }

    // completes, replays, limits
    let clock = ManualClock(start)
    let driver = HappyPathDriver(workflow: alone, clock: clock)
    switch driver.run() {
    case .failure(let failure):
      report.fail(failure.rule, failure.message)
    case .success(let consultation):
      let sample = EvaluationContext(today: today) { consultation.state.answers[$0]?.value }
      for addition in plugin.stages {
        for check in addition.checks where check.condition.isNative {
          if check.condition.evaluate(in: sample) != check.condition.evaluate(in: sample) {
            report.fail("pure", "native check '\(check.id)' gives two results on the same answers")
          }
        }
      }
      do {
        let replayed = try Consultation(replaying: consultation.events, workflow: alone, clock: clock)
        if replayed.state != consultation.state {
          report.fail(
            "replays", "replaying the consultation's events gives another state; a native check may not be pure")
        }
      } catch {
        report.fail("replays", "the consultation's own events do not replay: \(error)")
      }
      if let failure = driver.limitFailure(plugin) { report.fail("limits", failure) }
    }
    return report
  }
}

/// What ``PluginConformance`` found.
public struct ConformanceReport: Sendable, CustomStringConvertible {
  /// The plugin's id.
  public var plugin: String
  /// Every rule broken, with why.
  public var failures: [ConformanceFailure]

  /// Whether every rule holds.
  public var passed: Bool { failures.isEmpty }

  mutating func fail(_ rule: String, _ message: String) {
    failures.append(ConformanceFailure(rule: rule, message: message))
  }

  public var description: String {
    if failures.isEmpty { return "plugin '\(plugin)' conforms" }
    return "plugin '\(plugin)' does not conform:\n"
      + failures.map { "  - [\($0.rule)] \($0.message)" }.joined(separator: "\n")
  }
}

/// One rule a plugin breaks.
public struct ConformanceFailure: Error, Sendable, Hashable {
  /// The rule's name: `valid`, `deterministic`, `quiet`, `pure`, `completes`,
  /// `replays` or `limits`.
  public var rule: String
  /// What is wrong.
  public var message: String
}
