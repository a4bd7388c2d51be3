/// Path arithmetic on strings, without Foundation's `NSString` path methods
/// (whose Linux implementation traps on "." in this toolchain).
package enum PathName {
  /// The folder that holds `path`: `a/b/c.yaml` → `a/b`, `c.yaml` → `.`,
  /// `.` → `..`, `/x` → `/`.
  package static func parent(of path: String) -> String {
    var trimmed = Substring(path)
    while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
    if trimmed.isEmpty || trimmed == "." { return ".." }
    if trimmed == ".." || trimmed.hasSuffix("/..") { return String(trimmed) + "/.." }
    guard let slash = trimmed.lastIndex(of: "/") else { return "." }
    if slash == trimmed.startIndex { return "/" }
    return String(trimmed[..<slash])
  }

  /// `path` with `.` parts and each `name/..` pair taken out, as written (no
  /// link is followed): `a/b/../c.yaml` → `a/c.yaml`, `./x` → `x`,
  /// `../x` stays, `a/..` → `.`.
  package static func normalized(_ path: String) -> String {
    let absolute = path.hasPrefix("/")
    var parts: [Substring] = []
    for part in path.split(separator: "/", omittingEmptySubsequences: true) where part != "." {
      if part == "..", let last = parts.last, last != ".." {
        parts.removeLast()
      } else if part == "..", absolute {
        continue
      } else {
        parts.append(part)
      }
    }
    let joined = parts.joined(separator: "/")
    return absolute ? "/" + joined : joined.isEmpty ? "." : joined
  }

  /// `folder/name`, without doubling a slash; `.` as the folder adds nothing.
  package static func join(_ folder: String, _ name: String) -> String {
    if folder.isEmpty || folder == "." { return name }
    return folder.hasSuffix("/") ? folder + name : folder + "/" + name
  }
}
