import Mesoflow

/// The text form of `mesoflow describe`, for a clinic lead to read.
enum DescriptionText {
  static func render(_ merged: MergedWorkflow) -> String {
    let flow = merged.workflow
    var out = "\(flow.title) (\(flow.id), version \(flow.version))\n"
    let areas = merged.areas.map { "\($0.title) (\($0.id))" }
    out += "Areas: \(areas.isEmpty ? "none" : areas.joined(separator: ", "))\n"
    out += "Expected duration: \(human(merged.expectedDuration))"
    let longestWaits = merged.stages.compactMap { $0.waits.map(\.wait.atLeast).max() }
    if !longestWaits.isEmpty {
      out += " (the upper end includes waits of up to \(longestWaits.reduce(.zero, +)))"
    }
    out += "\n"

    for (index, stage) in merged.stages.enumerated() {
      out += "\n\(index + 1). \(stage.stage.title) [\(stage.id)]"
      out += stage.isProcedure ? " (procedure)" : ""
      out += ", \(human(stage.duration))\n"
      for (wait, origin) in stage.waits.lazy.map({ ($0.wait, $0.origin) }) {
        out += "   Wait: at least \(wait.atLeast) after '\(wait.since)'\(tag(origin))"
        if let condition = wait.condition { out += ", when \(condition.text)" }
        out += "\n"
        if let reason = wait.reason { out += "         \(reason)\n" }
      }
      if !stage.steps.isEmpty {
        out += "   Steps:\n"
        for (step, origin) in stage.steps.lazy.map({ ($0.step, $0.origin) }) {
          let limit = step.countsInjectionPoints ? ", held to the areas' max-points" : ""
          out +=
            "   - \(step.id)\(tag(origin)): \(step.prompt) [\(answer(step.answer))\(limit)\(step.isOptional ? ", optional" : "")]\n"
          if let condition = step.condition { out += "       asked when \(condition.text)\n" }
        }
      }
      if !stage.checks.isEmpty {
        out += "   Checks:\n"
        for (check, origin) in stage.checks.lazy.map({ ($0.check, $0.origin) }) {
          out += "   - \(check.outcome.rawValue.uppercased()) \(check.id)\(tag(origin)) when \(check.condition.text)\n"
          out += "       \(check.reason)\n"
          if !check.excludes.isEmpty { out += "       excludes: \(check.excludes.joined(separator: ", "))\n" }
        }
      }
      switch stage.stage.transition {
      case .end(let outcome, _):
        out += "   Ends: \(flow.outcomes[outcome]?.title ?? outcome.rawValue)\n"
      case .branches(let branches):
        let targets = branches.map { branch in
          branch.condition.map { "\(branch.target) when \($0.text)" } ?? branch.target
        }
        out += "   Next: \(targets.joined(separator: "; otherwise "))\n"
      }
    }

    out += "\nOutcomes:\n"
    for outcome in Outcome.allCases {
      guard let text = flow.outcomes[outcome] else { continue }
      out += "- \(text.title) (\(outcome.rawValue))\(text.message.map { ": \($0)" } ?? "")\n"
    }

    let aftercare = merged.aftercare
    if !aftercare.isEmpty {
      out += "\nAftercare:\n"
      for entry in aftercare {
        out += "- \(entry.item.text)\(entry.item.window.map { " (for \($0))" } ?? "")\(tag(entry.origin))\n"
      }
    }

    var plans: [(String, FollowUpPlan)] = flow.followUp.map { [("all areas", $0)] } ?? []
    for plugin in merged.areas {
      if let plan = plugin.followUp { plans.append((plugin.title, plan)) }
    }
    if !plans.isEmpty {
      out += "\nFollow-up:\n"
      for (who, plan) in plans {
        var parts: [String] = []
        if let course = plan.course { parts.append("\(course.sessions) sessions, one every \(course.interval)") }
        if let every = plan.maintenanceInterval { parts.append("then maintenance every \(every)") }
        if let review = plan.review {
          parts.append("review \(review.after) after the last session" + (review.reason.map { " (\($0))" } ?? ""))
        }
        out += "- \(who): \(parts.joined(separator: "; "))\n"
      }
    }

    if !merged.areas.isEmpty {
      out += "\nProcedure per area:\n"
      for plugin in merged.areas {
        let technique = plugin.procedure.technique
        var parts = ["\(human(plugin.procedure.duration))"]
        if let needle = technique.needle { parts.append("needle \(needle)") }
        if !technique.methods.isEmpty { parts.append(technique.methods.joined(separator: " or ")) }
        if let depth = technique.depthMillimetres { parts.append("depth \(depth) mm") }
        if let volume = technique.volumePerPointMillilitres { parts.append("\(volume) ml per point") }
        if let spacing = technique.spacingMillimetres { parts.append("points \(spacing) mm apart") }
        var limits: [String] = []
        if let max = plugin.limits.maxVolumeMillilitres { limits.append("at most \(format(max)) ml per session") }
        if let max = plugin.limits.maxVolumePerPointMillilitres { limits.append("\(format(max)) ml per point") }
        if let max = plugin.limits.maxPoints { limits.append("\(max) points") }
        out += "- \(plugin.title): \(parts.joined(separator: ", "))\n"
        if !limits.isEmpty { out += "    limits: \(limits.joined(separator: ", "))\n" }
      }
    }
    return out
  }

  static func tag(_ origin: MergedWorkflow.Origin) -> String {
    if case .area(let id) = origin { return " (\(id))" }
    return ""
  }

  static func human(_ range: TimeRange) -> String {
    range.min == range.max ? "\(range.min)" : "\(range.min) to \(range.max)"
  }

  static func format(_ value: Double) -> String {
    value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
  }

  static func answer(_ type: AnswerType) -> String {
    switch type {
    case .integer(let bounds), .decimal(let bounds):
      var text = type.name
      switch (bounds.min, bounds.max) {
      case (let min?, let max?): text += " \(format(min))..\(format(max))"
      case (let min?, nil): text += " from \(format(min))"
      case (nil, let max?): text += " up to \(format(max))"
      default: break
      }
      if let unit = bounds.unit { text += " \(unit)" }
      return text
    case .choice(let options), .multipleChoice(let options):
      return "\(type.name): " + options.map(\.id).joined(separator: " | ")
    case .text(let maxLength?):
      return "text, up to \(maxLength) characters"
    case .volume(let max?):
      return "volume, up to \(format(max)) ml"
    case .date(let bounds) where bounds != .any:
      return "date" + (bounds.earliest.map { " from \($0)" } ?? "") + (bounds.latest.map { " up to \($0)" } ?? "")
    default:
      return type.name
    }
  }
}
