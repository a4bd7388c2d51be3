import Foundation
import Testing

/// `mesoflow check`, run as a user would on the shipped definitions and on
/// broken scratch copies of them.
struct CheckCommandTests {
  let cli = CLITests()

  static let everyArea = "with each of body, eye, face, scalp and with all 4 together"

  /// The 1-based column, in Unicode scalars, of `needle` on line `line` of `file`.
  func column(of needle: String, onLine line: Int, in file: URL) throws -> Int {
    let text = try String(contentsOf: file, encoding: .utf8).components(separatedBy: "\n")[line - 1]
    let found = try #require(text.range(of: needle), "line \(line) lacks \(needle)")
    return text.unicodeScalars[text.startIndex..<found.lowerBound].count + 1
  }

  /// The text of line `line` of `file`.
  func text(ofLine line: Int, in file: URL) throws -> String {
    try String(contentsOf: file, encoding: .utf8).components(separatedBy: "\n")[line - 1]
  }

  /// A caret under column `column`.
  func caret(_ column: Int) -> String { String(repeating: " ", count: column - 1) + "^" }

  @Test func theShippedDefinitionsAreSafe() throws {
    let result = try cli.run(["check"])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout == "ok: mesotherapy is safe \(Self.everyArea) (6 stages checked on every path)\n")
    #expect(result.stderr == "")

    let face = try cli.run(["check", "Workflows/mesotherapy.yaml", "--area", "face"])
    #expect(face.status == 0, "\(face.stderr)")
    #expect(face.stdout == "ok: mesotherapy is safe with area face (6 stages checked on every path)\n")
  }

  @Test func screeningMovedAfterTheInjectionIsNotSafe() throws {
    let directory = try cli.scratchCopy()
    defer { try? FileManager.default.removeItem(at: directory) }
    let workflow = directory.appendingPathComponent("Workflows/mesotherapy.yaml")
    let body = directory.appendingPathComponent("Plugins/body.yaml")
    // consultation -> anaesthetic -> injection -> screening -> aftercare
    try cli.replace("next: screening", with: "next: <consultation>", in: workflow)
    try cli.replace("next: anaesthetic", with: "next: <screening>", in: workflow)
    try cli.replace("next: aftercare", with: "next: screening", in: workflow)
    try cli.replace("next: <consultation>", with: "next: anaesthetic", in: workflow)
    try cli.replace("next: <screening>", with: "next: aftercare", in: workflow)

    let result = try cli.run(["check"], in: directory)
    #expect(result.status == 1)
    #expect(result.stdout == "")
    let lines = result.stderr.components(separatedBy: "\n")
    try #require(lines.count > 5)

    // The first diagnostic: the body area's first screening check, at the read.
    let bodyLine = try cli.line(of: "when: '\"phosphatidylcholine\" in ingredient_allergies'", in: body)
    let bodyColumn = try column(of: "ingredient_allergies", onLine: bodyLine, in: body)
    #expect(
      Array(lines[0..<4]) == [
        "Plugins/body.yaml:\(bodyLine):\(bodyColumn): error: screening check 'body_allergy_phosphatidylcholine' is not decided before stage 'injection' on every path: it reads 'ingredient_allergies', which is asked only later, in stage 'screening'",
        try text(ofLine: bodyLine, in: body),
        caret(bodyColumn),
        "note: with area body; areas body, eye, face, scalp together",
      ])
    #expect(lines[4].hasPrefix("note: path: consultation ("), "\(lines[4])")
    #expect(
      lines[4].hasSuffix(") -> anaesthetic (cleansed, cream_used, cream_applied (only when cream_used)) -> injection"),
      "\(lines[4])")

    // The workflow's own checks and consent, each at its place.
    let pregnancyLine = try cli.line(of: "when: pregnant_or_breastfeeding", in: workflow)
    #expect(
      result.stderr.contains(
        """
        Workflows/mesotherapy.yaml:\(pregnancyLine):15: error: screening check 'pregnancy_or_breastfeeding' is not decided before stage 'injection' on every path: it reads 'pregnant_or_breastfeeding', which is asked only later, in stage 'screening'
                when: pregnant_or_breastfeeding
                      ^
        note: path: consultation (
        """))
    let consentLine = try cli.line(of: "- id: consent", in: workflow)
    #expect(
      result.stderr.contains(
        "Workflows/mesotherapy.yaml:\(consentLine):9: error: stage 'injection' can begin before any consent is taken: consent 'consent' is asked only after it, in stage 'screening'; take consent before the procedure\n"
      ))
    // The age is asked in the consultation, so the under-18 check is still decided in time.
    #expect(!result.stderr.contains("'under_18'"))

    let summary = try #require(lines.dropLast().last)
    #expect(summary.hasPrefix("mesotherapy is not safe \(Self.everyArea): "), "\(summary)")
    #expect(summary.hasSuffix(" errors"), "\(summary)")
    #expect(lines.last == "")
  }

  @Test func aScreeningCheckReadingAnAnswerAskedLaterIsNotSafe() throws {
    let directory = try cli.scratchCopy()
    defer { try? FileManager.default.removeItem(at: directory) }
    let workflow = directory.appendingPathComponent("Workflows/mesotherapy.yaml")
    try cli.replace(
      "when: pregnant_or_breastfeeding\n", with: "when: pregnant_or_breastfeeding or not aftercare_sheet_given\n",
      in: workflow)
    let line = try cli.line(of: "or not aftercare_sheet_given", in: workflow)
    let column = try column(of: "aftercare_sheet_given", onLine: line, in: workflow)
    #expect(column == 48)

    let result = try cli.run(["check"], in: directory)
    #expect(result.status == 1)
    #expect(result.stdout == "")
    #expect(
      result.stderr.hasPrefix(
        """
        Workflows/mesotherapy.yaml:\(line):\(column): error: check 'pregnancy_or_breastfeeding' reads 'aftercare_sheet_given', which is asked only later, in stage 'aftercare'
                when: pregnant_or_breastfeeding or not aftercare_sheet_given
        \(caret(column))
        note: path: consultation (
        """), "\(result.stderr)")
    // One error, with the path up to the end of screening, for every area alike.
    let lines = result.stderr.components(separatedBy: "\n")
    #expect(lines.count == 6, "\(result.stderr)")
    if lines.count == 6 {
      #expect(lines[3].contains(") -> screening ("))
      #expect(!lines[3].contains("aftercare"))
      #expect(lines[4] == "mesotherapy is not safe \(Self.everyArea): 1 error")
    }
  }

  @Test func anUnknownAreaIsRefused() throws {
    for arguments in [["check", "--area", "nosuch"], ["check", "mesotherapy", "--area", "face", "--area", "nosuch"]] {
      let result = try cli.run(arguments)
      // Exit 1, as for definitions that cannot be used, not 64: the command was typed correctly.
      #expect(result.status == 1)
      #expect(result.stdout == "")
      #expect(result.stderr == "error: unknown area 'nosuch'; areas: body, eye, face, scalp\n", "\(result.stderr)")
    }
    let workflow = try cli.run(["check", "mesotheraphy"])
    #expect(workflow.status == 1)
    #expect(
      workflow.stderr
        == "error: no workflow 'mesotheraphy' in ./Workflows (did you mean 'mesotherapy'?); workflows: mesotherapy\n",
      "\(workflow.stderr)")
  }

  @Test func aContraindicationThatCanNeverFireIsAnError() throws {
    let directory = try cli.scratchCopy()
    defer { try? FileManager.default.removeItem(at: directory) }
    let workflow = directory.appendingPathComponent("Workflows/mesotherapy.yaml")
    try cli.replace("when: age < 18\n", with: "when: age > 180\n", in: workflow)
    let line = try cli.line(of: "when: age > 180", in: workflow)

    let result = try cli.run(["check"], in: directory)
    #expect(result.status == 1)
    #expect(
      result.stderr.hasPrefix(
        """
        Workflows/mesotherapy.yaml:\(line):15: error: check 'under_18' can never fire: no answers to 'age' make `age > 180` hold; the stop it stands for is never applied
        \(try text(ofLine: line, in: workflow))
                      ^

        """))
  }

  @Test func aWarningThatCanNeverFireIsAWarningOnly() throws {
    let directory = try cli.scratchCopy()
    defer { try? FileManager.default.removeItem(at: directory) }
    let workflow = directory.appendingPathComponent("Workflows/mesotherapy.yaml")
    try cli.replace("when: not review_booked\n", with: "when: not review_booked and review_booked\n", in: workflow)
    let line = try cli.line(of: "when: not review_booked and review_booked", in: workflow)

    let result = try cli.run(["check"], in: directory)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout == "ok: mesotherapy is safe \(Self.everyArea) (6 stages checked on every path); 1 warning\n")
    #expect(
      result.stderr == """
        Workflows/mesotherapy.yaml:\(line):15: warning: check 'review_not_booked' can never fire: no answers to 'review_booked' make `not review_booked and review_booked` hold
        \(try text(ofLine: line, in: workflow))
                      ^

        """)
  }
}
