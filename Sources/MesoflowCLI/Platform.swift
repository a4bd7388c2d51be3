import Mesoflow

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The libc calls the command makes, in one place.
enum Platform {
  /// Whether standard error is a terminal that should get colour: not when
  /// NO_COLOR is set (https://no-color.org) or TERM is `dumb`.
  static var standardErrorWantsColor: Bool { wantsColor(fd: 2) }

  /// Writes `text` and a newline to standard error.
  static func printError(_ text: String) {
    var line = text + "\n"
    fflush(nil)
    line.withUTF8 { buffer in
      guard let base = buffer.baseAddress else { return }
      var offset = 0
      while offset < buffer.count {
        let written = write(2, base + offset, buffer.count - offset)
        if written <= 0 { return }
        offset += written
      }
    }
  }

  /// Flushes every output stream.
  static func flush() { fflush(nil) }
}

extension Platform {
  /// Why a file could not be written: the system's reason (`strerror`), as
  /// `No such file or directory`.
  struct WriteFailure: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
  }

  /// Writes `text` to `path`, readable and writable by its owner only, and
  /// atomically: the text goes to a new temporary file in the same folder
  /// (created exclusively, mode 0600), reaches the disk, and is then renamed
  /// over `path`, so a reader sees the old file or the whole new one, never
  /// a part. On any failure the temporary file is removed and `path` is left
  /// as it was. Exported records hold patient data, hence the mode.
  /// A device, a FIFO or a socket at `path` is refused, never replaced:
  /// only a regular file (or a symbolic link, which is replaced, not
  /// followed) is; a folder there makes the rename fail.
  static func writeFileAtomically(_ text: String, to path: String) throws(WriteFailure) {
    var existing = stat()
    if lstat(path, &existing) == 0 {
      let kind = existing.st_mode & S_IFMT
      guard kind == S_IFREG || kind == S_IFLNK || kind == S_IFDIR else {
        throw WriteFailure(reason: "it is not a regular file, and only a regular file is replaced")
      }
    }
    let folder = PathName.parent(of: path)
    var temporary = ""
    var descriptor: Int32 = -1
    for _ in 0..<16 {
      let suffix = String(UInt64.random(in: .min ... .max), radix: 36)
      temporary = PathName.join(folder, ".mesoflow-\(suffix).tmp")
      descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
      if descriptor >= 0 || errno != EEXIST { break }
    }
    guard descriptor >= 0 else { throw WriteFailure(reason: systemReason()) }
    /// The reason for the latest failure, taken before the temporary file is
    /// closed (when `closing`) and removed.
    func abandon(closing: Bool) -> WriteFailure {
      let failure = WriteFailure(reason: systemReason())
      if closing { close(descriptor) }
      unlink(temporary)
      return failure
    }
    // The mode asked of open() is narrowed by the umask; set it exactly.
    guard fchmod(descriptor, 0o600) == 0, writeAll(text, to: descriptor), fsync(descriptor) == 0 else {
      throw abandon(closing: true)
    }
    guard close(descriptor) == 0 else { throw abandon(closing: false) }
    guard rename(temporary, path) == 0 else { throw abandon(closing: false) }
    // The rename reaches the disk with the folder; not every file system can sync a folder.
    let folderDescriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
    if folderDescriptor >= 0 {
      _ = fsync(folderDescriptor)
      close(folderDescriptor)
    }
  }

  /// Writes every byte of `text`, retrying after a signal; false, with errno set, when it cannot.
  private static func writeAll(_ text: String, to descriptor: Int32) -> Bool {
    var text = text
    return text.withUTF8 { buffer in
      guard let base = buffer.baseAddress else { return true }
      var offset = 0
      while offset < buffer.count {
        let written = write(descriptor, base + offset, buffer.count - offset)
        if written < 0 {
          if errno == EINTR { continue }
          return false
        }
        offset += written
      }
      return true
    }
  }

  /// The text of the current errno.
  private static func systemReason() -> String { String(cString: strerror(errno)) }
}
