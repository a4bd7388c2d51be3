import Foundation
import Testing

/// `mesoflow graph`, run as a user would, and the pictures committed under
/// docs/graphs, which must be what the command prints now.
struct GraphCommandTests {
  let cli = CLITests()
  static let graphs = CLITests.root.appendingPathComponent("docs/graphs")

  /// The areas of the shipped plugins, from the names of Plugins/*.yaml.
  static func shippedAreas() throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: CLITests.root.appendingPathComponent("Plugins").path)
      .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(".yaml".count)) }.sorted()
  }

  /// The `dot` program, when Graphviz is installed.
  static func graphviz() -> URL? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent("dot") }
      .first { FileManager.default.isExecutableFile(atPath: $0.path) }
  }

  /// Renders `source` with `dot -Tsvg`; returns the exit status, the SVG and
  /// what dot wrote to standard error.
  static func render(_ source: String, with dot: URL) throws -> (status: Int32, svg: String, stderr: String) {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mesoflow-graph-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let input = directory.appendingPathComponent("graph.dot")
    let output = directory.appendingPathComponent("graph.svg")
    try source.write(to: input, atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = dot
    process.arguments = ["-Tsvg", input.path, "-o", output.path]
    let err = Pipe()
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let svg = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
    return (process.terminationStatus, svg, String(decoding: stderr, as: UTF8.self))
  }

  @Test func mermaidDrawsTheOnlyWorkflowOfTheFolder() throws {
    let result = try cli.run(["graph", "--format", "mermaid"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr == "")
    let out = result.stdout
    #expect(out.hasPrefix("%%{init: {\"flowchart\": {\"wrappingWidth\": 400}}}%%\nflowchart TD\n"))
    #expect(out.contains("  %% Mesotherapy consultation (mesotherapy, version 1), areas: none\n"))
    for stage in ["consultation", "screening", "anaesthetic", "injection", "aftercare", "follow_up"] {
      #expect(out.contains("  stage_\(stage)[\""), "\(stage)")
    }
    #expect(out.contains("  start --> stage_consultation\n"))
    #expect(out.contains("  stage_follow_up --> terminal_completed\n"))
    #expect(out.contains("  stage_screening -.->|\"stop#58; under_18,"))
    #expect(out.contains("  stage_screening -.->|\"refer, not approved#58;<br/>anticoagulants_refer,"))
    #expect(out.contains("Injection technique<br/>(procedure stage)<br/>"))
    #expect(out.contains("<br/>wait ≥ 1h since cream_applied when"))
    for outcome in ["completed", "deferred", "referred"] {
      #expect(out.contains("  terminal_\(outcome)(((\""), "\(outcome)")
    }
    // The default is mermaid, and the workflow may be named by id or file.
    #expect(try cli.run(["graph"]).stdout == out)
    #expect(try cli.run(["graph", "mesotherapy"]).stdout == out)
    #expect(try cli.run(["graph", "Workflows/mesotherapy.yaml"]).stdout == out)
  }

  @Test func dotDrawsAnAreaAndGraphvizReadsIt() throws {
    let result = try cli.run(["graph", "--area", "face", "--format", "dot"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stderr == "")
    let out = result.stdout
    #expect(out.hasPrefix("digraph \"mesotherapy\" {\n"))
    #expect(out.hasSuffix("\n}\n"))
    #expect(out.contains("label=\"Mesotherapy consultation (mesotherapy, version 1), areas: face\""))
    #expect(out.contains("\\l8. face_concerns\\l9. face_recent_treatments (optional)\\l"))
    #expect(out.contains("  stage_injection [label=\"Injection technique\\n(procedure stage)\\n"))
    #expect(out.contains("  stage_follow_up -> terminal_completed [penwidth=2, weight=8];\n"))
    #expect(out.contains("  stage_anaesthetic -> terminal_deferred [label=\"stop: not_cleansed\\l\""))
    #expect(out.contains("  stage_injection -> terminal_referred [label=\"refer, not approved: cold_chain_broken\\l\""))
    guard let dot = Self.graphviz() else { return }  // Graphviz is optional.
    let rendered = try Self.render(out, with: dot)
    #expect(rendered.status == 0, "\(rendered.stderr)")
    #expect(rendered.stderr == "")
    #expect(rendered.svg.contains("<svg"))
    #expect(rendered.svg.contains("areas: face"))
  }

  @Test func anUnknownAreaOrFormatIsRefused() throws {
    let area = try cli.run(["graph", "--area", "fase"])
    #expect(area.status != 0)
    #expect(area.stdout == "")
    #expect(area.stderr.contains("unknown area 'fase' (did you mean 'face'?); areas: body, eye, face, scalp"))
    let format = try cli.run(["graph", "--format", "png"])
    #expect(format.status != 0)
    #expect(format.stdout == "")
    #expect(format.stderr.contains("png"))
  }

  @Test func theCommittedPicturesAreWhatTheCommandPrintsNow() throws {
    let regenerate = "regenerate them as docs/GRAPH.md says"
    let mermaid = try cli.run(["graph", "--format", "mermaid"])
    #expect(mermaid.status == 0)
    let committed = try String(contentsOf: Self.graphs.appendingPathComponent("mesotherapy.mmd"), encoding: .utf8)
    #expect(committed == mermaid.stdout, "docs/graphs/mesotherapy.mmd is stale; \(regenerate)")
    let readme = try String(contentsOf: CLITests.root.appendingPathComponent("README.md"), encoding: .utf8)
    #expect(readme.contains("```mermaid\n\(mermaid.stdout)```\n"), "README.md's diagram is stale; \(regenerate)")

    let areas = try Self.shippedAreas()
    #expect(areas == ["body", "eye", "face", "scalp"])
    for area in areas {
      let dot = try cli.run(["graph", "--area", area, "--format", "dot"])
      #expect(dot.status == 0, "\(dot.stderr)")
      let file = Self.graphs.appendingPathComponent("mesotherapy-\(area).dot")
      let committedDot = try String(contentsOf: file, encoding: .utf8)
      #expect(committedDot == dot.stdout, "docs/graphs/mesotherapy-\(area).dot is stale; \(regenerate)")
      // The picture is Graphviz's rendering of that file (its bytes depend on
      // the Graphviz version and fonts, so only its caption is compared).
      let svg = try String(contentsOf: Self.graphs.appendingPathComponent("mesotherapy-\(area).svg"), encoding: .utf8)
      #expect(svg.contains("<svg"), "\(area)")
      #expect(svg.contains("Mesotherapy consultation (mesotherapy, version 1), areas: \(area)<"), "\(area)")
    }
  }
}
