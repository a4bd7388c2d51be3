package import MesoflowYAML

/// A file of answers for a scripted run: a YAML mapping from step id to
/// answer, and from check id to how it is resolved (see docs/RUN.md).
///
/// The CLI reads the file (`mesoflow run --answers`); this is the part that
/// reads its bytes, with no I/O, so that a fuzz target can call it too.
package struct AnswerScript: Sendable {
  /// One entry: its text form and where it is in the file.
  package struct Entry: Sendable {
    package var text: String
    package var node: Node
    package var keyLocation: SourceLocation
  }

  package let source: SourceText
  package private(set) var entries: [String: Entry] = [:]
  package private(set) var order: [String] = []

  /// The reserved key that lets a physician end a wait early, with its reason.
  package static let waitOverrideKey = "override-wait"

  package init(source: SourceText) { self.source = source }

  /// Reads an answers file from its bytes; every problem is a diagnostic
  /// with its location.
  package static func read(_ source: SourceText, limits: YAMLLimits = .default) throws(DiagnosticList)
    -> AnswerScript
  {
    let document: YAMLDocument
    do {
      document = try YAML.load(source, limits: limits)
    } catch {
      throw DiagnosticList([error.diagnostic])
    }
    var script = AnswerScript(source: source)
    guard let root = document.root, !root.isNull else { return script }
    guard let pairs = root.mapping else {
      throw DiagnosticList([
        source.diagnostic(
          at: root.location, "an answers file is a mapping from step id to answer, not a \(root.kindDescription)")
      ])
    }
    var problems: [Diagnostic] = []
    for pair in pairs {
      do throws(Diagnostic) {
        let text = try AnswerText.text(of: pair.value, source)
        script.entries[pair.name] = Entry(text: text, node: pair.value, keyLocation: pair.key.location)
        script.order.append(pair.name)
      } catch {
        problems.append(error)
      }
    }
    if !problems.isEmpty { throw DiagnosticList(problems) }
    return script
  }

  package subscript(key: String) -> Entry? { entries[key] }

  /// Keys that name neither a step nor a check of `workflow`.
  package func unknownKeys(in workflow: MergedWorkflow) -> [Diagnostic] {
    order.filter { $0 != Self.waitOverrideKey }.compactMap { key in
      guard let entry = entries[key], let message = workflow.unknownAnswerKey(key) else { return nil }
      return source.diagnostic(at: entry.keyLocation, message)
    }
  }

  /// A diagnostic at an entry's value.
  package func diagnostic(_ key: String, _ message: String) -> Diagnostic {
    source.diagnostic(
      at: entries[key]?.node.location ?? SourceLocation(file: source.name, line: 1, column: 1), message)
  }
}

/// Several diagnostics, thrown together.
package struct DiagnosticList: Error {
  package var diagnostics: [Diagnostic]
  package init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
}
