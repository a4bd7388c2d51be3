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
        for name in names { if let value = pairs.first(where: { $0.name == name })?.value.scalar?.value { return value } }
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
