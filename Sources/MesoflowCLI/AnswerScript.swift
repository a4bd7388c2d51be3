import Mesoflow
import MesoflowYAML

/// A file of answers for a scripted run: a YAML mapping from step id to
/// answer, and from check id to how it is resolved (see docs/RUN.md).
struct AnswerScript {
  /// One entry: its text form and where it is in the file.
  struct Entry {
    var text: String
    var node: Node
    var keyLocation: SourceLocation
  }

  let source: SourceText
  private(set) var entries: [String: Entry] = [:]
  private(set) var order: [String] = []

  /// SHA-256 of the file's bytes, in hex.
  var digest: String { SHA256.hash(source.bytes).description }

  /// The reserved key that lets a physician end a wait early, with its reason.
  static let waitOverrideKey = "override-wait"

  /// Reads `path`; every problem is a diagnostic with its location.
  static func load(path: String) throws(DiagnosticList) -> AnswerScript {
    guard let bytes = FileSystem.contents(of: path, limit: YAMLLimits.default.maxBytes) else {
      throw DiagnosticList([
        Diagnostic(at: SourceLocation(file: path, line: 1, column: 1), "cannot read the answers file")
      ])
    }
    let source = SourceText(name: path, bytes: bytes)
    let document: YAMLDocument
    do {
      document = try YAML.load(source)
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

  subscript(key: String) -> Entry? { entries[key] }

  /// Keys that name neither a step nor a check of `workflow`.
  func unknownKeys(in workflow: MergedWorkflow) -> [Diagnostic] {
    order.filter { $0 != Self.waitOverrideKey }.compactMap { key in
      guard let entry = entries[key], let message = workflow.unknownAnswerKey(key) else { return nil }
      return source.diagnostic(at: entry.keyLocation, message)
    }
  }

  /// A diagnostic at an entry's value.
  func diagnostic(_ key: String, _ message: String) -> Diagnostic {
    source.diagnostic(at: entries[key]?.node.location ?? SourceLocation(file: source.name, line: 1, column: 1), message)
  }
}

/// Several diagnostics, thrown together.
struct DiagnosticList: Error {
  var diagnostics: [Diagnostic]
  init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
}
