package import MesoflowYAML

/// How an answer written in YAML (an answers file, a test scenario) becomes
/// the text staff would type at the prompt, which ``Step/parseAnswer(_:now:)``
/// then reads.
package enum AnswerText {
  /// The typed form of a value: scalars as written; lists joined by commas;
  /// a product as `name; lot; expiry`; a consent as its signer; a volume
  /// entry as `AREA ML over N points`; an approval as its reason.
  package static func text(of node: Node, _ source: SourceText) throws(Diagnostic) -> String {
    switch node.content {
    case .scalar(let scalar):
      if scalar.isNull {
        throw source.diagnostic(
          at: node.location, "the answer is empty; write it, or leave the step out (an optional step is then skipped)")
      }
      return scalar.value
    case .sequence(let items):
      var parts: [String] = []
      for item in items { parts.append(try text(of: item, source)) }
      return parts.joined(separator: ", ")
    case .mapping(let pairs):
      func field(_ names: String...) -> String? {
        for name in names {
          if let value = pairs.first(where: { $0.name == name })?.value.scalar?.value { return value }
        }
        return nil
      }
      if let name = field("name"), let lot = field("lot"), let expiry = field("expiry") {
        return "\(name); \(lot); \(expiry)"
      }
      if let signer = field("signed-by", "signedBy") { return signer }
      if let ml = field("ml", "millilitres") {
        var text = (field("area").map { $0 + " " } ?? "") + ml
        if let points = field("points") { text += " over \(points) points" }
        return text
      }
      if let reason = field("approve") { return "approve: " + reason }
      if let note = field("end") { return "end: " + note }
      throw source.diagnostic(
        at: node.location,
        "expected an answer: a value, a list, a product (name, lot, expiry), a consent (signed-by), a volume (area, ml, points) or an approval (approve: REASON)"
      )
    }
  }
}

/// How an answers file or a scenario resolves a check that fired, read from
/// the entry under the check's id.
package enum CheckResolution: Equatable {
  /// A warning or exclusion acknowledged.
  case acknowledged
  /// A referral approved by a physician, with the written reason.
  case approve(reason: String)
  /// The consultation ended here, with a note.
  case end(note: String)

  /// The words that acknowledge a warning or an exclusion.
  package static let acknowledgements: Set<String> = ["acknowledged", "acknowledge", "ok", "yes", "true"]

  /// Reads `approve: REASON`, `end: NOTE` or an acknowledgement; `nil` for anything else.
  package init?(_ text: String) {
    let text = text.trimmed
    if Self.acknowledgements.contains(text.lowercased()) {
      self = .acknowledged
    } else if text.hasPrefix("approve:") {
      self = .approve(reason: String(text.dropFirst("approve:".count)).trimmed)
    } else if text.hasPrefix("end:") {
      self = .end(note: String(text.dropFirst("end:".count)).trimmed)
    } else {
      return nil
    }
  }

  /// The note of an end, if this is one.
  package var note: String? {
    if case .end(let note) = self { return note }
    return nil
  }
}

extension MergedWorkflow {
  /// Why `key` of an answers file or scenario names nothing, with a "did you
  /// mean"; `nil` when it is a step or a check of this consultation.
  package func unknownAnswerKey(_ key: String) -> String? {
    var known: [String] = []
    for stage in stages {
      known += stage.steps.map(\.step.id)
      known += stage.checks.map(\.check.id)
    }
    if known.contains(key) { return nil }
    return "no step or check '\(key)' in this consultation\(Suggestion.didYouMean(key, in: known.sorted()))"
  }
}
