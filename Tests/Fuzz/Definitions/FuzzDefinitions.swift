// The fuzz target of the definition decoder and plugin linking: the input is
// one or more definition files, separated by a line `#--- next file`, read
// together as `mesoflow check` reads Workflows/ and Plugins/ (a plugin whose
// workflow is not among them is linked to the shipped one). Every diagnostic
// must lie in its file; definitions without errors are merged with each of
// their areas and with all, as `check` merges them, and the merge with all
// is analysed and drawn (analysing each area alone too would find little
// more, at several times the cost of each input).
import Mesoflow
import MesoflowFuzzSupport

enum FuzzDefinitions {
  static let separator = Array("#--- next file".utf8)
  /// The input cut at each separator line; the separator belongs to neither file.
  static func files(_ bytes: [UInt8]) -> [[UInt8]] {
    var files: [[UInt8]] = []
    var fileStart = 0
    var lineStart = 0
    for index in 0...bytes.count where index == bytes.count || bytes[index] == UInt8(ascii: "\n") {
      if bytes[lineStart..<index].elementsEqual(separator) {
        files.append(Array(bytes[fileStart..<lineStart]))
        fileStart = min(index + 1, bytes.count)
      }
      lineStart = index + 1
    }
    files.append(Array(bytes[fileStart...]))
    return files
  }

  static func run(_ bytes: [UInt8]) {
    let parts = files(bytes)
    let sources = parts.enumerated().map { SourceText(name: "fuzz-\($0.offset + 1).yaml", bytes: $0.element) }
    let catalog = Catalog(
      sources: sources, extraWorkflows: Shipped.workflowSources, limits: .default, concurrently: false)
    let byName = Dictionary((sources + Shipped.workflowSources).map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    for diagnostic in catalog.diagnostics {
      guard let source = byName[diagnostic.location.file] else {
        FuzzInput.require(false, "a diagnostic in a file not read: \(diagnostic)")
        continue
      }
      FuzzInput.requireInside(diagnostic.location, source, "diagnostic '\(diagnostic.message)'")
      _ = diagnostic.rendered(color: true)
    }
    for id in catalog.workflows.keys.sorted() {
      let areas = catalog.plugins.values.filter { $0.workflow == id }.map(\.id).sorted()
      var combinations = areas.map { [$0] }
      if areas.count != 1 { combinations.append(areas) }
      for (index, combination) in combinations.enumerated() {
        let merged: MergedWorkflow
        do {
          merged = try catalog.merged(workflow: id, areas: combination)
        } catch {
          FuzzInput.require(false, "workflow '\(id)' without errors does not merge with \(combination): \(error)")
          continue
        }
        _ = merged.definitionHash
        _ = merged.expectedDuration
        _ = merged.aftercare
        _ = merged.ingredients
        guard index == combinations.count - 1 else { continue }
        for finding in WorkflowAnalysis(merged, today: Shipped.today).findings {
          let source = byName[finding.location.file]
          if let source { FuzzInput.requireInside(finding.location, source, "finding '\(finding.message)'") }
          _ = finding.diagnostic(source: source).rendered()
        }
        _ = WorkflowGraph(merged).render(.mermaid)
        _ = WorkflowGraph(merged).render(.dot)
      }
    }
  }
}

#if MESOFLOW_FUZZING
  /// libFuzzer's entry point: one input.
  @_cdecl("LLVMFuzzerTestOneInput")
  func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzDefinitions.run(FuzzInput.bytes(data, size))
    return 0
  }

  /// The program's main in the fuzz build: SwiftPM links an executable
  /// target's main under the name `TARGET_main`.
  @_cdecl("FuzzDefinitions_main")
  func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv, fuzzerTestOneInput)
  }
#else
  @main
  enum Replay {
    static func main() { FuzzReplay.main("mesoflow-fuzz-definitions", FuzzDefinitions.run) }
  }
#endif
