import Foundation
import Mesoflow
import Testing

@testable import MesoflowRecords

/// The patient's aftercare sheet: the whole of it in Markdown and HTML,
/// every text from the definitions or the record escaped in HTML, and the
/// line saying when to call the clinic from the workflow only.
struct AftercareSheetTests {
  /// The fixture's workflow with a `patient-sheet:` section.
  static func withWarningSigns(_ text: String) throws -> MergedWorkflow {
    let catalog = Catalog(sources: [
      SourceText(
        name: "clinic.yaml",
        text: RecordsFixture.workflowText + "\npatient-sheet:\n  warning-signs: \(text)\n"),
      SourceText(name: "patch.yaml", text: RecordsFixture.pluginText),
    ])
    return try RecordsFixture.merged(catalog)
  }

  @Test func theFixturesMarkdownSheetIsExactlyThis() throws {
    let consultation = try RecordsFixture.consultation(try RecordsFixture.merged())
    #expect(
      AftercareSheet.markdown(for: consultation) == """
        # Aftercare: Clinic \\& "care"

        Treated on 2026-11-21 09:02 (Patch \\<area\\>).

        Products: Serum \\<b\\>1\\</b\\> \\& "2", lot L-1, 'A'.

        ## What to do and avoid

        - [ ] Keep out of the \\<strong\\>sun\\</strong\\> \\& wind. **Until 2026-12-05 09:02.**
        - [ ] Be gentle; it's "normal" to be red.
        - [ ] Keep the patch dry. **Until 2026-11-22 09:02.**

        ## Your follow-up appointments

        | Date | What |
        |---|---|
        | 2026-12-12 | session 2 of 3 |
        | 2026-12-26 | session 3 of 3 |
        | 2027-01-02 | safety review: Check for late lumps, bumps; and a\\\\b. |

        """)
  }

  @Test func theFixturesHTMLSheetIsExactlyThis() throws {
    let consultation = try RecordsFixture.consultation(try RecordsFixture.merged())
    #expect(
      AftercareSheet.html(for: consultation) == """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>Aftercare: Clinic &amp; &quot;care&quot;</title>
        <style>
        html { font-family: system-ui, sans-serif; max-width: 40em; margin: 2em auto; line-height: 1.5; }
        li { margin: .4em 0; } .until { font-weight: bold; } table { border-collapse: collapse; }
        td, th { border: 1px solid #999; padding: .3em .8em; text-align: left; }
        @media print { html { margin: 0; } }
        </style>
        </head>
        <h1>Aftercare: Clinic &amp; &quot;care&quot;</h1>
        <p>Treated on 2026-11-21 09:02 (Patch &lt;area&gt;).</p>
        <p>Products: Serum &lt;b&gt;1&lt;/b&gt; &amp; &quot;2&quot;, lot L-1, &#39;A&#39;.</p>
        <h2>What to do and avoid</h2>
        <ul>
        <li>Keep out of the &lt;strong&gt;sun&lt;/strong&gt; &amp; wind. <span class="until">Until 2026-12-05 09:02.</span></li>
        <li>Be gentle; it&#39;s &quot;normal&quot; to be red.</li>
        <li>Keep the patch dry. <span class="until">Until 2026-11-22 09:02.</span></li>
        </ul>
        <h2>Your follow-up appointments</h2>
        <table>
        <tr><th>Date</th><th>What</th></tr>
        <tr><td>2026-12-12</td><td>session 2 of 3</td></tr>
        <tr><td>2026-12-26</td><td>session 3 of 3</td></tr>
        <tr><td>2027-01-02</td><td>safety review: Check for late lumps, bumps; and a\\b.</td></tr>
        </table>
        </html>

        """)
  }

  @Test func htmlEscapesMarkupAmpersandsAndQuotes() {
    #expect(
      HTMLText.escape(#"<a href="x">Tom & 'Jerry'</a>"#)
        == "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;")
    #expect(HTMLText.escape("&amp;") == "&amp;amp;", "an entity already written is text, escaped again")
    #expect(HTMLText.escape("plain é €") == "plain é €")
  }

  /// Markup anywhere a definition or the record puts text (the workflow's
  /// and an area's title, aftercare, a product's name and lot, a review's
  /// reason) is text in the page: the only tags are the sheet's own.
  @Test func theOnlyTagsInTheHTMLSheetAreItsOwn() throws {
    var workflow = RecordsFixture.workflowText
    for (find, replacement) in [
      (#"title: Clinic & "care""#, #"title: "<script>alert('t')</script>""#),
      ("text: Be gentle;", "text: <img src=x onerror=alert(1)> Be gentle;"),
      ("reason: Check", "reason: <iframe> Check"),
    ] {
      workflow = workflow.replacingOccurrences(of: find, with: replacement)
    }
    let plugin = RecordsFixture.pluginText.replacingOccurrences(of: "title: Patch <area>", with: "title: Patch </td>")
    let catalog = Catalog(sources: [
      SourceText(name: "clinic.yaml", text: workflow), SourceText(name: "patch.yaml", text: plugin),
    ])
    var answers = try RecordsFixture.answers()
    answers["product"] = .product(Product(name: "<svg onload=x>", lot: "</table>", expiry: try RecordsFixture.day(30)))
    let consultation = try RecordsFixture.consultation(try RecordsFixture.merged(catalog), answers: answers)
    let html = AftercareSheet.html(for: consultation)
    var tags = Set<String>()
    var rest = html[...]
    while let open = rest.firstIndex(of: "<") {
      let name = rest[rest.index(after: open)...].prefix { $0.isLetter || $0.isNumber || $0 == "/" || $0 == "!" }
      tags.insert(name.lowercased().replacingOccurrences(of: "/", with: ""))
      rest = rest[rest.index(after: open)...]
    }
    #expect(
      tags == [
        "!doctype", "html", "head", "meta", "title", "style", "h1", "h2", "p", "ul", "li", "span", "table", "tr",
        "th", "td",
      ])
    for escaped in [
      "&lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;", "&lt;iframe&gt;",
      "Patch &lt;/td&gt;", "&lt;svg onload=x&gt;, lot &lt;/table&gt;",
    ] {
      #expect(html.contains(escaped), "\(escaped)")
    }
  }

  /// The sheet is the patient's: staff's notes, the staff and the patient's
  /// identifier are in the record, not on it.
  @Test func theSheetHoldsNoNoteNorWhoTookPart() throws {
    let consultation = try RecordsFixture.consultation(try RecordsFixture.merged(), note: "Private remark")
    for sheet in [AftercareSheet.markdown(for: consultation), AftercareSheet.html(for: consultation)] {
      #expect(!sheet.contains("Private remark"))
      #expect(!sheet.contains("Ada"))
      #expect(!sheet.contains("P-17"))
    }
  }

  // MARK: When to call the clinic

  /// The fixture's workflow gives no warning signs: the sheets have no such
  /// line (the documents above end with the follow-up table).
  /// A product typed at the chair is shown as typed by a Markdown renderer:
  /// no emphasis, link, code, inline HTML, and a table keeps its cells.
  @Test func markdownShowsMarkupAsTypedAndKeepsTableCells() throws {
    var answers = try RecordsFixture.answers()
    let expiry = try RecordsFixture.day(365)
    answers["product"] = .product(
      Product(name: "*bold* _x_ [link](http://e) `code` ~~s~~ #1", lot: "a|b", expiry: expiry))
    let consultation = try RecordsFixture.consultation(try RecordsFixture.merged(), answers: answers)
    let sheet = AftercareSheet.markdown(for: consultation)
    #expect(
      sheet.contains(
        ##"Products: \*bold\* \_x\_ \[link\](http://e) \`code\` \~\~s\~\~ \#1, lot a\|b."##))
    let record = RecordDocument.markdown(for: consultation)
    let row = try #require(record.split(separator: "\n").first { $0.hasPrefix("| treat |") })
    // Four cell borders: the escaped | inside the lot is not one.
    #expect(row.replacingOccurrences(of: "\\|", with: "").filter { $0 == "|" }.count == 4)
  }

  @Test func withoutWarningSignsTheSheetHasNoSuchLine() throws {
    let merged = try RecordsFixture.merged()
    #expect(merged.workflow.patientSheet == PatientSheet())
    let consultation = try RecordsFixture.consultation(merged)
    #expect(AftercareSheet.markdown(for: consultation).hasSuffix("|\n"))
    #expect(AftercareSheet.html(for: consultation).hasSuffix("</table>\n</html>\n"))
  }

  @Test func theWarningSignsAreTheWorkflowsWordsEscapedInHTML() throws {
    let consultation = try RecordsFixture.consultation(
      try Self.withWarningSigns(#"'Call us <b>at once</b> if the patch weeps & "stings".'"#))
    #expect(
      AftercareSheet.markdown(for: consultation).hasSuffix(
        "a\\\\b. |\n\nCall us \\<b\\>at once\\</b\\> if the patch weeps \\& \"stings\".\n"))
    #expect(
      AftercareSheet.html(for: consultation).hasSuffix(
        "</table>\n<p>Call us &lt;b&gt;at once&lt;/b&gt; if the patch weeps &amp; &quot;stings&quot;.</p>\n</html>\n"))
    // The record carries the sheet, and so the line.
    #expect(
      RecordDocument.markdown(for: consultation).hasSuffix(
        "\n\nCall us \\<b\\>at once\\</b\\> if the patch weeps \\& \"stings\".\n"))
  }

  /// The shipped workflow words the line; another workflow's words replace
  /// it, so no sentence of it is Swift's.
  @Test func theShippedSheetEndsWithTheShippedWorkflowsWarningSigns() throws {
    let shipped = try RecordsFixture.merged(RecordsFixture.shipped, workflow: "mesotherapy", areas: ["face"])
    let warningSigns = try #require(shipped.workflow.patientSheet.warningSigns)
    #expect(warningSigns.hasSuffix("call the clinic at once."))
    let consultation = try RecordsFixture.consultation(shipped, healthyByDefault: true)
    #expect(consultation.state.outcome == .completed)
    #expect(AftercareSheet.markdown(for: consultation).hasSuffix("\n\n\(warningSigns)\n"))
    #expect(AftercareSheet.html(for: consultation).hasSuffix("<p>\(HTMLText.escape(warningSigns))</p>\n</html>\n"))

    var workflow = shipped.workflow
    workflow.patientSheet = PatientSheet(warningSigns: "Ring the front desk.")
    let reworded = try RecordsFixture.consultation(
      MergedWorkflow(workflow: workflow, areas: shipped.areas), healthyByDefault: true)
    let sheet = AftercareSheet.markdown(for: reworded)
    #expect(sheet.hasSuffix("|\n\nRing the front desk.\n"))
    #expect(!sheet.contains(warningSigns))
    workflow.patientSheet = PatientSheet()
    let silent = try RecordsFixture.consultation(
      MergedWorkflow(workflow: workflow, areas: shipped.areas), healthyByDefault: true)
    #expect(AftercareSheet.markdown(for: silent).hasSuffix("|\n"))
    #expect(!AftercareSheet.html(for: silent).contains(HTMLText.escape(warningSigns)))
  }
}
