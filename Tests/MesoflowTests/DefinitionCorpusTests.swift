import Foundation
import Mesoflow
import Testing

/// Each file under Corpus/ is a broken definition whose leading
/// `# expect: LINE:COL: SEVERITY: MESSAGE` comments list, in order, exactly
/// the diagnostics it must produce. Plugins are checked against the shipped
/// workflow.
struct DefinitionCorpusTests {
  static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Corpus")
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  static var files: [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: corpus.path)) ?? [])
      .filter { $0.hasSuffix(".yaml") }.sorted()
  }

  static func expectations(in bytes: [UInt8]) -> [String] {
    var lines: [String] = []
    for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
      let text = String(decoding: line, as: UTF8.self)
      guard text.hasPrefix("#") else { break }
      if text.hasPrefix("# expect: ") { lines.append(String(text.dropFirst("# expect: ".count))) }
    }
    return lines
  }

  @Test func theCorpusHasAtLeastThirtyBrokenDefinitions() {
    #expect(Self.files.count >= 30)
  }

  @Test(arguments: files)
  func producesExactlyItsExpectedDiagnostics(_ name: String) throws {
    let url = Self.corpus.appendingPathComponent(name)
    let bytes = [UInt8](try Data(contentsOf: url))
    let expected = Self.expectations(in: bytes)
    #expect(!expected.isEmpty, "\(name) has no '# expect:' line")
    let shipped = Self.root.appendingPathComponent("Workflows/mesotherapy.yaml")
    let workflow = SourceText(name: "Workflows/mesotherapy.yaml", bytes: [UInt8](try Data(contentsOf: shipped)))
    let catalog = Catalog(sources: [SourceText(name: name, bytes: bytes)], extraWorkflows: [workflow])
    let actual = catalog.diagnostics.map { d -> String in
      #expect(d.location.file == name, "diagnostic outside the file under test: \(d)")
      return "\(d.location.line):\(d.location.column): \(d.severity.rawValue): \(d.message)"
    }
    #expect(actual == expected, "\(name)")
  }
}
