import Foundation
import Testing

/// `mesoflow export --output FILE`: aftercare sheets and calendars hold
/// patient data, so they are written owner-only and atomically, and a failure
/// says why.
struct ExportFileTests {
  let cli = CLITests()

  /// A store with one completed consultation, and its id.
  func completed() throws -> (store: String, id: String) {
    let store = RunCommandTests.storePath()
    let result = try cli.run(
      [
        "run", "--area", "face", "--staff", "kim", "--password-stdin", "--store", store, "--answers",
        RunCommandTests.answers.path,
      ],
      stdin: RunCommandTests.passwords("kim"))
    #expect(result.status == 0, "\(result.stderr)")
    return (store, try RunCommandTests.id(in: result.stdout))
  }

  func scratchFolder() throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mesoflow-export-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
  }

  func mode(_ path: String) throws -> Int {
    try #require((FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue)
  }

  func inode(_ path: String) throws -> UInt64 {
    try #require((FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? NSNumber)?.uint64Value)
  }

  @Test func theFileIsTheOwnersOnlyAndHoldsWhatStandardOutputWould() throws {
    let (store, id) = try completed()
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    for format in ["ics", "markdown", "html"] {
      let path = folder.appendingPathComponent("aftercare.\(format)").path
      // Even under a umask that leaves the file open to everyone.
      let command =
        "'\(CLITests.binary("mesoflow").path)' export \(id) --format \(format) --output '\(path)' --store '\(store)'"
      let result = try CLITests.shell("umask 000; \(command); echo \"exit $?\"")
      #expect(result == "exit 0\n", "\(format)")
      #expect(try mode(path) == 0o600, "\(format)")
      let expected = try cli.run(["export", id, "--format", format, "--store", store]).stdout
      let written = try String(contentsOfFile: path, encoding: .utf8)
      if format == "ics" {
        // The calendar's DTSTAMP is the time of the export.
        let stamp = { (text: String) in text.replacing(/DTSTAMP:[0-9TZ]+/, with: "DTSTAMP") }
        #expect(stamp(written) == stamp(expected))
      } else {
        #expect(written == expected, "\(format)")
      }
    }
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        == ["aftercare.html", "aftercare.ics", "aftercare.markdown"])
  }

  @Test func anExistingFileIsReplacedWholeByANewOne() throws {
    let (store, id) = try completed()
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let path = folder.appendingPathComponent("sheet.md").path
    // An older, longer file, readable by everyone.
    let old = String(repeating: "an earlier patient's sheet\n", count: 10_000)
    try old.write(toFile: path, atomically: false, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
    let before = try inode(path)

    let result = try cli.run(["export", id, "--format", "markdown", "--output", path, "--store", store])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout == "")
    let written = try String(contentsOfFile: path, encoding: .utf8)
    #expect(written == (try cli.run(["export", id, "--format", "markdown", "--store", store])).stdout)
    #expect(!written.contains("an earlier patient's sheet"))
    #expect(try mode(path) == 0o600)
    #expect(try inode(path) != before, "renamed into place, not rewritten in place")
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["sheet.md"], "no temporary file left")
  }

  @Test func aFileThatCannotBeWrittenSaysWhyAndLeavesNothingBehind() throws {
    let (store, id) = try completed()
    let folder = try scratchFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let regular = folder.appendingPathComponent("notes.txt").path
    try "kept".write(toFile: regular, atomically: false, encoding: .utf8)
    let existingFolder = folder.appendingPathComponent("sheets").path
    try FileManager.default.createDirectory(atPath: existingFolder, withIntermediateDirectories: false)

    let cases = [
      (folder.appendingPathComponent("missing/x.ics").path, "No such file or directory"),
      (regular + "/x.ics", "Not a directory"),
      (existingFolder, "Is a directory"),
    ]
    for (path, reason) in cases {
      let result = try cli.run(["export", id, "--format", "ics", "--output", path, "--store", store])
      #expect(result.status == 1, "\(path)")
      #expect(result.stdout == "")
      #expect(result.stderr == "error: \(path): cannot write the file: \(reason)\n")
    }
    #expect(try String(contentsOfFile: regular, encoding: .utf8) == "kept")
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["notes.txt", "sheets"])
    #expect(try FileManager.default.contentsOfDirectory(atPath: existingFolder).isEmpty)
  }
}
