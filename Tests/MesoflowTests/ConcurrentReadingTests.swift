import Foundation
import Testing

@testable import Mesoflow

/// A catalog reads its files on several threads; what it finds must not
/// depend on that, nor on which file finishes first.
struct ConcurrentReadingTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  static func sources(in folder: String) throws -> [SourceText] {
    let url = root.appendingPathComponent(folder)
    return try FileManager.default.contentsOfDirectory(atPath: url.path).filter { $0.hasSuffix(".yaml") }.sorted()
      .map { name in
        SourceText(name: "\(folder)/\(name)", bytes: [UInt8](try Data(contentsOf: url.appendingPathComponent(name))))
      }
  }

  /// Everything a catalog reports, in a form that can be compared.
  static func summary(_ catalog: Catalog) -> [String] {
    catalog.diagnostics.map(\.description) + ["workflows: \(catalog.workflows.keys.sorted())"]
      + ["plugins: \(catalog.plugins.keys.sorted())"] + ["sources: \(catalog.sourceNames)"]
      + ["unchecked: \(catalog.uncheckedPlugins.map { "\($0.plugin)->\($0.workflow)" })"]
      + ["origins: \(catalog.sources.mapValues(\.name).sorted { $0.key < $1.key })"]
  }

  @Test func readingFilesConcurrentlyFindsWhatReadingThemInTurnFinds() throws {
    let shipped = try Self.sources(in: "Workflows") + Self.sources(in: "Plugins")
    let corpus = try Self.sources(in: "Tests/MesoflowTests/Corpus")
    // The shipped files twice under other names, so that which copy of a
    // workflow or plugin is "already defined" depends on file order alone.
    let copies = shipped.map { SourceText(name: "copy/" + $0.name, bytes: $0.bytes) }
    let sets: [(sources: [SourceText], extras: [SourceText])] = [
      (shipped, []),
      (shipped + copies, []),
      (corpus, shipped),
      (shipped + corpus + copies, []),
    ]
    for (sources, extras) in sets {
      let inTurn = Self.summary(
        Catalog(sources: sources, extraWorkflows: extras, limits: .default, concurrently: false))
      #expect(inTurn.contains("workflows: [\"mesotherapy\"]"))
      for _ in 0..<10 {
        let atOnce = Self.summary(
          Catalog(sources: sources, extraWorkflows: extras, limits: .default, concurrently: true))
        #expect(atOnce == inTurn)
      }
    }
  }

  @Test func aSecondDefinitionOfAWorkflowIsTheOneReportedWhicheverIsReadFirst() {
    // The same bytes twice: either may be read first when read at once.
    for _ in 0..<20 {
      let catalog = Catalog(sources: [
        SourceText(name: "a.yaml", text: CatalogTests.workflow),
        SourceText(name: "b.yaml", text: CatalogTests.workflow),
      ])
      #expect(
        catalog.diagnostics.map(\.description) == [
          "b.yaml:1:1: error: workflow 'demo' is already defined in a.yaml:1:1"
        ])
      #expect(catalog.sources["workflow:demo"]?.name == "a.yaml")
    }
  }
}
