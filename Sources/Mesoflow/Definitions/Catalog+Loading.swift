public import MesoflowYAML

extension Catalog {
  /// Reads definitions from files and folders and checks them.
  ///
  /// A folder contributes its `.yaml` and `.yml` files, not those of its
  /// subfolders (where scenario files live). A plugin whose workflow is not
  /// among `paths` is checked against the workflows in the `Workflows` folder
  /// beside the plugin's folder, or in `./Workflows`.
  ///
  /// This is one of the library's I/O entry points; ``init(sources:extraWorkflows:limits:)``
  /// does the same work on bytes already read.
  ///
  /// - Parameters:
  ///   - paths: Files and folders.
  ///   - limits: Bounds on each YAML file.
  /// - Returns: The catalog. A path that cannot be read is reported among its
  ///   diagnostics, as `PATH:1:1: error: ...`; nothing is thrown.
  public static func load(paths: [String], limits: YAMLLimits = .default) -> Catalog {
    var sources: [SourceText] = []
    var unreadable: [Diagnostic] = []
    var folders: [String] = []
    var alreadyRead = Set<String>()
    for path in paths {
      // A file named twice (directly and through its folder, say) is read once.
      for file in definitionFiles(at: path, problems: &unreadable)
      where alreadyRead.insert(FileSystem.absolute(file)).inserted {
        guard let source = read(file, limits: limits, problems: &unreadable) else { continue }
        sources.append(source)
        folders.append(PathName.parent(of: file))
      }
    }
    // Where a plugin's workflow may be found when it was not named.
    var extraFolders: [String] = []
    for folder in Set(folders).sorted() {
      extraFolders.append(PathName.join(PathName.parent(of: folder), "Workflows"))
    }
    extraFolders.append("Workflows")
    var extras: [SourceText] = []
    var seen = alreadyRead
    for folder in extraFolders where FileSystem.isFolder(folder) {
      var ignored: [Diagnostic] = []
      for file in definitionFiles(at: folder, problems: &ignored) where seen.insert(FileSystem.absolute(file)).inserted
      {
        if let source = read(file, limits: limits, problems: &ignored) { extras.append(source) }
      }
    }
    var catalog = Catalog(sources: sources, extraWorkflows: extras, limits: limits)
    catalog.prepend(unreadable)
    return catalog
  }

  /// The definition files at `path`: the file itself, or a folder's YAML files
  /// in name order.
  static func definitionFiles(at path: String, problems: inout [Diagnostic]) -> [String] {
    guard let kind = FileSystem.kind(of: path) else {
      problems.append(Diagnostic(at: SourceLocation(file: path, line: 1, column: 1), "no such file or folder"))
      return []
    }
    guard kind == .folder else { return [path] }
    guard let names = FileSystem.names(in: path) else {
      problems.append(Diagnostic(at: SourceLocation(file: path, line: 1, column: 1), "cannot read the folder"))
      return []
    }
    return names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map {
      PathName.join(path, $0)
    }.filter {
      if case .file? = FileSystem.kind(of: $0) { return true }
      return false
    }
  }

  /// The file's bytes, refusing oversize files before reading them.
  static func read(_ path: String, limits: YAMLLimits, problems: inout [Diagnostic]) -> SourceText? {
    let at = SourceLocation(file: path, line: 1, column: 1)
    guard case .file(let size)? = FileSystem.kind(of: path) else {
      // A device or a pipe could block or never end.
      problems.append(Diagnostic(at: at, "not a regular file"))
      return nil
    }
    if size > limits.maxBytes {
      problems.append(Diagnostic(at: at, "file is \(size) bytes, more than the limit of \(limits.maxBytes) bytes"))
      return nil
    }
    guard let bytes = FileSystem.contents(of: path, limit: limits.maxBytes + 1) else {
      problems.append(Diagnostic(at: at, "cannot read the file"))
      return nil
    }
    if bytes.count > limits.maxBytes {
      problems.append(Diagnostic(at: at, "file is more than the limit of \(limits.maxBytes) bytes"))
      return nil
    }
    return SourceText(name: path, bytes: bytes)
  }

  mutating func prepend(_ problems: [Diagnostic]) {
    guard !problems.isEmpty else { return }
    var all = problems
    all.append(contentsOf: diagnostics)
    replaceDiagnostics(all)
  }
}
