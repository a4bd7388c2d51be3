// What the fuzz targets share: turning libFuzzer's buffer into bytes, the
// shipped definitions they check their inputs against, and the main of a
// normal build, which replays files (a crash found by the fuzzer, say).
// docs/TESTING.md says how the targets are built and run.
package import Mesoflow
import MesoflowYAML

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The value of environment variable `name`, if set.
func getenvString(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }

/// One fuzz input.
package enum FuzzInput {
  /// The `size` bytes at `data` as an array (empty for a null pointer).
  package static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
  }

  /// Stops the process, as a crash the fuzzer reports, when an invariant of
  /// the code under test does not hold: a location outside its file, say.
  package static func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("fuzz invariant: " + message()) }
  }

  /// Requires `location` to be in `source`: line and column from 1, a line
  /// the source has, and a column at most one past the line's end.
  package static func requireInside(_ location: SourceLocation, _ source: SourceText, _ what: String) {
    require(location.line >= 1 && location.column >= 1, "\(what) at \(location), before the start of the file")
    guard let line = source.line(location.line) else {
      require(false, "\(what) at \(location), past the last line of \(source.name)")
      return
    }
    let width = line.unicodeScalars.count
    require(location.column <= width + 1, "\(what) at \(location), past the end of its line (\(width) characters)")
  }
}

/// The definitions shipped in Workflows/ and Plugins/, read once from the
/// package's folder (or MESOFLOW_ROOT, when set).
package enum Shipped {
  /// The package's folder.
  package static let root: String = {
    if let value = getenvString("MESOFLOW_ROOT") { return value }
    // This file is Tests/Fuzz/Support/FuzzSupport.swift.
    var path = #filePath
    for _ in 0..<4 { path = PathName.parent(of: path) }
    return path
  }()

  /// The YAML files of a folder, in name order.
  static func sources(in folder: String) -> [SourceText] {
    let path = PathName.join(root, folder)
    let names = (FileSystem.names(in: path) ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
    return names.compactMap { name in
      FileSystem.contents(of: PathName.join(path, name), limit: YAMLLimits.default.maxBytes).map {
        SourceText(name: PathName.join(folder, name), bytes: $0)
      }
    }
  }

  /// The shipped workflows' sources.
  package static let workflowSources = sources(in: "Workflows")
  /// The shipped plugins' sources.
  package static let pluginSources = sources(in: "Plugins")

  /// The shipped definitions, which must have no errors.
  package static let catalog: Catalog = {
    let catalog = Catalog(sources: workflowSources + pluginSources)
    if workflowSources.isEmpty || catalog.hasErrors || catalog.workflows.count != 1 {
      fatalError("the fuzz targets need the shipped definitions, without errors, under \(root) (MESOFLOW_ROOT)")
    }
    return catalog
  }()

  /// The day fuzz targets take for today (the scenarios' default), so that
  /// a run can be repeated.
  package static let today: CalendarDate = {
    guard let date = CalendarDate(year: 2026, month: 1, day: 5) else { fatalError("2026-01-05 is a date") }
    return date
  }()

  /// The shipped workflow's id.
  package static var workflow: String { catalog.workflows.keys.sorted()[0] }

  /// The ids of the shipped areas.
  package static var areas: [String] { catalog.plugins.keys.sorted() }

  /// The shipped workflow merged with every shipped area.
  package static let mergedWithEveryArea: MergedWorkflow = merged(areas)

  /// The shipped workflow merged with `areas`.
  package static func merged(_ areas: [String]) -> MergedWorkflow {
    do {
      return try catalog.merged(workflow: workflow, areas: areas)
    } catch {
      fatalError("the shipped workflow does not merge with \(areas): \(error.message)")
    }
  }

  /// What expressions of the shipped workflow with every area may read.
  package static let environment: ExpressionEnvironment = {
    var symbols: [String: ExpressionEnvironment.Symbol] = [:]
    for stage in mergedWithEveryArea.stages {
      for merged in stage.steps {
        let answer = merged.step.answer
        symbols[merged.step.id] = .init(type: answer.valueType, options: answer.options?.map(\.id))
      }
    }
    return ExpressionEnvironment(symbols: symbols)
  }()
}

/// The main of a fuzz target in a normal build: runs `body` on each file
/// named (every file of a folder named), one after another, as the fuzzer
/// would, so that a crash it found can be reproduced in a debugger or
/// without sanitizers. Exits 64 when no file is given or one cannot be read.
package enum FuzzReplay {
  package static func main(_ name: String, _ body: ([UInt8]) -> Void) {
    let paths = Array(CommandLine.arguments.dropFirst())
    guard !paths.isEmpty else {
      print("usage: \(name) FILE|FOLDER ...   (runs the fuzz target on each file; see docs/TESTING.md)")
      exit(64)
    }
    var count = 0
    for path in paths {
      let files =
        FileSystem.isFolder(path)
        ? (FileSystem.names(in: path) ?? []).sorted().map { PathName.join(path, $0) }.filter {
          if case .file? = FileSystem.kind(of: $0) { return true }
          return false
        }
        : [path]
      for file in files {
        guard let bytes = FileSystem.contents(of: file, limit: YAMLLimits.largestFile) else {
          print("\(file): cannot read the file")
          exit(64)
        }
        print("\(file): \(bytes.count) bytes")
        body(bytes)
        count += 1
      }
    }
    print("\(count) input\(count == 1 ? "" : "s") run, no crash")
  }
}

#if MESOFLOW_FUZZING
  @_silgen_name("LLVMFuzzerRunDriver")
  private func llvmFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
  ) -> Int32

  /// The main of a fuzz target in the fuzz build.
  package enum FuzzDriver {
    /// Reads the shipped definitions, then hands the program's arguments and
    /// `callback` to libFuzzer, which parses its options, runs the inputs and
    /// returns the exit code.
    package static func run(
      _ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
      _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
    ) -> Int32 {
      if getenvString("SWIFT_BACKTRACE") == nil {
        print("note: set SWIFT_BACKTRACE=enable=no, or Swift's backtracer takes the crashes libFuzzer reports")
      }
      // Read once before the first input, so that it is not timed as one.
      _ = Shipped.catalog
      var count = argc
      var arguments = argv
      return llvmFuzzerRunDriver(&count, &arguments, callback)
    }
  }
#endif
