#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The library's few file-system calls, on libc, so that loading definitions
/// needs no Foundation. They only read: writing files is for the programs
/// that need it (the command's exports are written by its `Platform`).
package enum FileSystem {
  /// What is at a path.
  package enum Kind: Equatable {
    case file(size: Int)
    case folder
    case other
  }

  /// What is at `path`, following symbolic links, or `nil` when nothing is.
  package static func kind(of path: String) -> Kind? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    switch info.st_mode & S_IFMT {
    case S_IFDIR: return .folder
    case S_IFREG: return .file(size: Int(info.st_size))
    default: return .other
    }
  }

  /// Whether `path` is a folder.
  package static func isFolder(_ path: String) -> Bool { kind(of: path) == .folder }

  /// The names in a folder, without `.` and `..`, or `nil` when it cannot be read.
  package static func names(in folder: String) -> [String]? {
    guard let directory = opendir(folder) else { return nil }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
      let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
        pointer.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) {
          String(cString: $0)
        }
      }
      if name != "." && name != ".." { names.append(name) }
    }
    return names
  }

  /// The bytes of a file, at most `limit` of them, or `nil` when it cannot
  /// be read. The limit also bounds endless files such as `/dev/zero`.
  package static func contents(of path: String, limit: Int) -> [UInt8]? {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while bytes.count < limit {
      let wanted = min(chunk.count, limit - bytes.count)
      let count = chunk.withUnsafeMutableBytes { buffer in read(descriptor, buffer.baseAddress, wanted) }
      if count < 0 {
        if errno == EINTR { continue }
        return nil
      }
      if count == 0 { return bytes }
      bytes.append(contentsOf: chunk[0..<count])
    }
    return bytes
  }

  /// The absolute, normalised form of `path` (`.` and `..` resolved), for
  /// telling whether two paths name the same file.
  package static func absolute(_ path: String) -> String {
    var base = ""
    if !path.hasPrefix("/") {
      var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
      if getcwd(&buffer, buffer.count) != nil {
        let length = buffer.firstIndex(of: 0) ?? buffer.count
        base = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
      }
    }
    var parts: [Substring] = []
    for part in (base + "/" + path).split(separator: "/") {
      switch part {
      case ".": continue
      case "..": _ = parts.popLast()
      default: parts.append(part)
      }
    }
    return "/" + parts.joined(separator: "/")
  }
}
