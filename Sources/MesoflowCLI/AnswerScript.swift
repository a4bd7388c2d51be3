import Mesoflow
import MesoflowYAML

extension AnswerScript {
  /// Reads the answers file at `path` (``AnswerScript/read(_:limits:)`` does
  /// the rest); every problem is a diagnostic with its location.
  static func load(path: String) throws(DiagnosticList) -> AnswerScript {
    guard let bytes = FileSystem.contents(of: path, limit: YAMLLimits.default.maxBytes) else {
      throw DiagnosticList([
        Diagnostic(at: SourceLocation(file: path, line: 1, column: 1), "cannot read the answers file")
      ])
    }
    return try read(SourceText(name: path, bytes: bytes))
  }

  /// SHA-256 of the file's bytes, in hex.
  var digest: String { SHA256.hash(source.bytes).description }
}
