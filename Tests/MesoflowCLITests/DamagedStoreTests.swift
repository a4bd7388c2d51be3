import Foundation
import Testing

/// Rows edited to the wrong type with the sqlite3 tool: `list`, `show` and
/// `verify` name the damaged consultation and go on with the others.
struct DamagedStoreTests {
  let cli = CLITests()

  /// A store with two completed consultations, oldest first.
  func twoConsultations() throws -> (store: String, first: String, second: String) {
    let store = RunCommandTests.storePath()
    var ids: [String] = []
    for _ in 0..<2 {
      let result = try cli.run(
        [
          "run", "--area", "face", "--staff", "kim", "--password-stdin", "--store", store, "--answers",
          RunCommandTests.answers.path,
        ],
        stdin: RunCommandTests.passwords("kim"))
      #expect(result.status == 0, "\(result.stderr)")
      ids.append(try RunCommandTests.id(in: result.stdout))
    }
    let ordered = try CLITests.shell("sqlite3 '\(store)' 'SELECT id FROM consultation ORDER BY started_at, id'")
    #expect(ordered.split(separator: "\n").map(String.init) == ids)
    return (store, ids[0], ids[1])
  }

  @Test(arguments: [
    ("event_count = 'abc'", "column event_count of its summary holds text where an integer belongs"),
    ("started_at = 'x'", "column started_at of its summary holds text where an integer belongs"),
    ("workflow = X'FFFE'", "column workflow of its summary holds a blob that is not UTF-8 where text belongs"),
  ])
  func aDamagedSummaryIsNamedAndTheOthersAreListedAndVerified(_ change: String, _ problem: String) throws {
    let (store, damaged, healthy) = try twoConsultations()
    _ = try CLITests.shell("sqlite3 '\(store)' \"UPDATE consultation SET \(change) WHERE id = '\(damaged)'\"")
    let error = "consultation '\(damaged)' is damaged: \(problem)"

    let list = try cli.run(["list", "--store", store])
    #expect(list.status == 1)
    #expect(list.stdout.hasPrefix("ID "))
    #expect(list.stdout.contains("\n\(healthy)  "))
    #expect(!list.stdout.contains(damaged))
    #expect(list.stderr == "error: \(error)\n1 consultation could not be read; mesoflow verify checks every record\n")
    let due = try cli.run(["list", "--due-before", "2999-01-01", "--store", store])
    #expect(due.status == 1)
    #expect(
      due.stdout.split(separator: "\n").count == 5, "a header and the healthy one's four follow-ups:\n\(due.stdout)")
    #expect(due.stderr.hasPrefix("error: \(error)\n"))

    let verify = try cli.run(["verify", "--store", store])
    #expect(verify.status == 1)
    #expect(verify.stdout.hasPrefix("ok   \(healthy): "))
    #expect(verify.stdout.contains("FAIL \(damaged):\n       \(error)\n"))
    #expect(verify.stdout.contains("1 of 2 consultations intact\nok   audit log: "))
    let one = try cli.run(["verify", damaged, "--store", store])
    #expect(one.status == 1)
    #expect(one.stdout == "FAIL \(damaged):\n       \(error)\n0 of 1 consultation intact\n")

    let show = try cli.run(["show", damaged, "--store", store])
    #expect(show.status == 1)
    #expect(show.stdout == "")
    #expect(show.stderr == "error: \(error)\n")
    let other = try cli.run(["show", healthy, "--store", store])
    #expect(other.status == 0, "\(other.stderr)")
    #expect(other.stdout.contains(healthy))
  }

  @Test(arguments: [
    ("sequence = 'abc'", "column sequence of an event holds text where an integer belongs"),
    ("json = X'FFFE'", "column json of event 5 holds a blob that is not UTF-8 where text belongs"),
  ])
  func aDamagedEventIsNamedAndTheOthersAreVerified(_ change: String, _ problem: String) throws {
    let (store, healthy, damaged) = try twoConsultations()
    _ = try CLITests.shell(
      "sqlite3 '\(store)' \"UPDATE event SET \(change) WHERE consultation_id = '\(damaged)' AND sequence = 5\"")
    let error = "consultation '\(damaged)' is damaged: \(problem)"

    // The summaries are intact, so both are listed.
    let list = try cli.run(["list", "--store", store])
    #expect(list.status == 0, "\(list.stderr)")
    #expect(list.stdout.contains(healthy) && list.stdout.contains(damaged))

    let verify = try cli.run(["verify", "--store", store])
    #expect(verify.status == 1)
    #expect(verify.stdout.hasPrefix("ok   \(healthy): "))
    #expect(verify.stdout.contains("FAIL \(damaged):\n       \(error)\n"))
    #expect(verify.stdout.contains("1 of 2 consultations intact\nok   audit log: "))

    for command in [["show", damaged], ["export", damaged, "--format", "ics"], ["resume", damaged]] {
      let result = try cli.run(command + ["--store", store])
      #expect(result.status == 1, "\(command)")
      #expect(result.stderr == "error: \(error)\n", "\(command)")
    }
    #expect(try cli.run(["show", healthy, "--store", store]).status == 0)
  }

  @Test func aStoreWhoseEveryRowIsDamagedListsNothingAndSaysSo() throws {
    let (store, first, second) = try twoConsultations()
    _ = try CLITests.shell("sqlite3 '\(store)' \"UPDATE consultation SET updated_at = 'later'\"")
    let list = try cli.run(["list", "--store", store])
    #expect(list.status == 1)
    #expect(list.stdout == "", "not 'No consultations.': there are two, unreadable")
    let problem = "is damaged: column updated_at of its summary holds text where an integer belongs"
    #expect(
      list.stderr
        == "error: consultation '\(first)' \(problem)\nerror: consultation '\(second)' \(problem)\n"
        + "2 consultations could not be read; mesoflow verify checks every record\n")
    let verify = try cli.run(["verify", "--store", store])
    #expect(verify.status == 1)
    #expect(verify.stdout.contains("0 of 2 consultations intact\nok   audit log: "))
  }
}
