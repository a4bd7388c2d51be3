// The fuzz target of the YAML loader: any bytes, loaded with the default
// limits and with small ones; every node of the tree is visited and every
// location must lie in the file.
import MesoflowFuzzSupport
import MesoflowYAML

enum FuzzYAML {
  /// Limits small enough for the fuzzer to reach each of them.
  static let smallLimits = YAMLLimits(maxBytes: 4096, maxDepth: 8, maxAliasExpansion: 64)

  static func run(_ bytes: [UInt8]) {
    let source = SourceText(name: "fuzz.yaml", bytes: bytes)
    for limits in [YAMLLimits.default, smallLimits] {
      do {
        let document = try YAML.load(source, limits: limits)
        if let root = document.root { visit(root, source) }
      } catch {
        let diagnostic = error.diagnostic
        FuzzInput.require(diagnostic.location.file == source.name, "an error in another file: \(diagnostic)")
        FuzzInput.requireInside(diagnostic.location, source, "error '\(diagnostic.message)'")
        _ = diagnostic.rendered(color: true)
      }
    }
  }

  /// Visits every node without recursion, as the loader builds them.
  static func visit(_ root: Node, _ source: SourceText) {
    var pending = [root]
    var visited = 0
    while let node = pending.popLast() {
      visited += 1
      FuzzInput.requireInside(node.location, source, "a \(node.kindDescription)")
      _ = node.isNull
      switch node.content {
      case .scalar(let scalar):
        _ = scalar.isPlain
        _ = node.text
      case .sequence(let items):
        pending.append(contentsOf: items)
      case .mapping(let pairs):
        for pair in pairs {
          FuzzInput.require(pairs[pair.name] != nil, "key '\(pair.name)' not found in its own mapping")
          pending.append(pair.key)
          pending.append(pair.value)
        }
      }
      // A diagnostic at the first nodes, as a decoder would report one.
      if visited <= 16 { _ = source.diagnostic(at: node.location, "here").rendered() }
    }
  }
}

#if MESOFLOW_FUZZING
  /// libFuzzer's entry point: one input.
  @_cdecl("LLVMFuzzerTestOneInput")
  func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzYAML.run(FuzzInput.bytes(data, size))
    return 0
  }

  /// The program's main in the fuzz build: SwiftPM links an executable
  /// target's main under the name `TARGET_main`.
  @_cdecl("FuzzYAML_main")
  func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv, fuzzerTestOneInput)
  }
#else
  @main
  enum Replay {
    static func main() { FuzzReplay.main("mesoflow-fuzz-yaml", FuzzYAML.run) }
  }
#endif
