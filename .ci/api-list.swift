// Prints the public API of the package's library modules, one declaration a
// line, sorted, from the symbol graphs of `swift package dump-symbol-graph`.
// Run by .ci/api; the argument is the folder of symbol graphs.
import Foundation

let libraries = ["Mesoflow", "MesoflowStore", "MesoflowSQLite", "MesoflowConformance", "MesoflowRecords"]
// The types `import Mesoflow` re-exports from the YAML layer (Exports.swift).
let reexported = ["Diagnostic", "SourceLocation", "SourceText", "YAMLError", "YAMLLimits"]

guard CommandLine.arguments.count == 2 else {
  FileHandle.standardError.write(Data("usage: api-list.swift SYMBOL_GRAPH_FOLDER\n".utf8))
  exit(2)
}
let folder = URL(fileURLWithPath: CommandLine.arguments[1])
let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []

var lines: [String: Set<String>] = [:]
for file in files.sorted() where file.hasSuffix(".symbols.json") {
  // Module.symbols.json, or Module@Extended.symbols.json for what Module
  // adds to another module's types.
  let parts = file.dropLast(".symbols.json".count).split(separator: "@").map(String.init)
  let module = parts[0]
  let listed: String
  if libraries.contains(module) {
    listed = module
  } else if module == "MesoflowYAML" && parts.count == 1 {
    listed = "Mesoflow"
  } else {
    continue
  }
  guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(file).path),
    let graph = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
    let symbols = graph["symbols"] as? [[String: Any]]
  else {
    FileHandle.standardError.write(Data("cannot read \(file)\n".utf8))
    exit(1)
  }
  for symbol in symbols {
    guard let access = symbol["accessLevel"] as? String, access == "public" || access == "open",
      let path = symbol["pathComponents"] as? [String],
      let kind = (symbol["kind"] as? [String: Any])?["displayName"] as? String,
      let fragments = symbol["declarationFragments"] as? [[String: Any]]
    else { continue }
    if module == "MesoflowYAML" && !reexported.contains(path[0]) { continue }
    let declaration = fragments.compactMap { $0["spelling"] as? String }.joined()
      .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    let scope = parts.count == 2 && module != "MesoflowYAML" ? " (extends \(parts[1]))" : ""
    lines[listed, default: []].insert("\(path.joined(separator: ".")) [\(kind.lowercased())]\(scope): \(declaration)")
  }
}
for module in libraries {
  print("# \(module)")
  for line in (lines[module] ?? []).sorted() { print(line) }
}
