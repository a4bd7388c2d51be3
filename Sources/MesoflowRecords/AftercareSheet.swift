public import Mesoflow

/// The patient's aftercare sheet of a treated consultation, in Markdown or
/// in HTML: when and where the treatment was given, the products, each
/// aftercare instruction with the time it ends, and the follow-up
/// appointments.
///
/// The instructions, the products, the areas, the follow-up reasons and the
/// line saying when to call the clinic (the workflow's
/// `PatientSheet.warningSigns`, left out when it has none) are the
/// consultation's and its definitions'; only the headings and labels ("What
/// to do and avoid", "Until", "to be booked", "session 2 of 4") are written
/// here, as the document's structure. Nothing the sheet tells the patient to
/// do or to watch for is written in Swift.
public enum AftercareSheet {
  /// The sheet in Markdown, its title a level 1 heading.
  ///
  /// - Parameter consultation: The consultation; a sheet is meant for one
  ///   whose procedure stage is completed (before that it lists no
  ///   aftercare and says "Treated on -").
  /// - Returns: The document, ending in a line feed.
  public static func markdown(for consultation: Consultation) -> String {
    markdown(SheetContent(consultation), level: 1)
  }

  /// The sheet as a standalone HTML page, every text from the record or
  /// the definitions escaped.
  ///
  /// - Parameter consultation: The consultation, as for
  ///   ``markdown(for:)``.
  /// - Returns: The document, ending in a line feed.
  public static func html(for consultation: Consultation) -> String {
    let sheet = SheetContent(consultation)
    var out = """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <title>Aftercare: \(HTMLText.escape(sheet.title))</title>
      <style>
      html { font-family: system-ui, sans-serif; max-width: 40em; margin: 2em auto; line-height: 1.5; }
      li { margin: .4em 0; } .until { font-weight: bold; } table { border-collapse: collapse; }
      td, th { border: 1px solid #999; padding: .3em .8em; text-align: left; }
      @media print { html { margin: 0; } }
      </style>
      </head>
      <h1>Aftercare: \(HTMLText.escape(sheet.title))</h1>
      <p>Treated on \(HTMLText.escape(sheet.treated)) (\(HTMLText.escape(sheet.areas))).</p>

      """
    if !sheet.products.isEmpty {
      out += "<p>Products: \(HTMLText.escape(sheet.products.joined(separator: "; "))).</p>\n"
    }
    out += "<h2>What to do and avoid</h2>\n<ul>\n"
    for item in sheet.items {
      out +=
        "<li>\(HTMLText.escape(item.text))"
        + (item.until.map { " <span class=\"until\">Until \(HTMLText.escape($0)).</span>" } ?? "") + "</li>\n"
    }
    out += "</ul>\n"
    if !sheet.followUps.isEmpty {
      out += "<h2>Your follow-up appointments</h2>\n<table>\n<tr><th>Date</th><th>What</th></tr>\n"
      for followUp in sheet.followUps {
        out += "<tr><td>\(HTMLText.escape(followUp.date))</td><td>\(HTMLText.escape(followUp.what))</td></tr>\n"
      }
      out += "</table>\n"
    }
    if let warningSigns = sheet.warningSigns { out += "<p>\(HTMLText.escape(warningSigns))</p>\n" }
    out += "</html>\n"
    return out
  }

  /// The Markdown sheet with its title at heading `level` (the record puts
  /// it at level 2, under its own title).
  static func markdown(_ sheet: SheetContent, level: Int) -> String {
    let h1 = String(repeating: "#", count: level)
    let h2 = h1 + "#"
    let text = MarkdownText.inline
    var out = "\(h1) Aftercare: \(text(sheet.title))\n\n"
    out += "Treated on \(text(sheet.treated)) (\(text(sheet.areas))).\n\n"
    if !sheet.products.isEmpty { out += "Products: \(text(sheet.products.joined(separator: "; "))).\n\n" }
    out += "\(h2) What to do and avoid\n\n"
    for item in sheet.items {
      out += "- [ ] \(text(item.text))" + (item.until.map { " **Until \(text($0)).**" } ?? "") + "\n"
    }
    if !sheet.followUps.isEmpty {
      out += "\n\(h2) Your follow-up appointments\n\n| Date | What |\n|---|---|\n"
      for followUp in sheet.followUps {
        out += "| \(MarkdownText.cell(followUp.date)) | \(MarkdownText.cell(followUp.what)) |\n"
      }
    }
    if let warningSigns = sheet.warningSigns { out += "\n\(text(warningSigns))\n" }
    return out
  }
}

/// What an aftercare sheet says, in either format: the texts formatted,
/// not yet escaped.
struct SheetContent {
  var title: String
  var treated: String
  var areas: String
  var items: [(text: String, until: String?)]
  var followUps: [(date: String, what: String)]
  var products: [String]
  /// When to call the clinic, as the workflow words it; `nil` for no such line.
  var warningSigns: String?

  init(_ consultation: Consultation) {
    let record = consultation.record
    let zone = record.timeZone
    let workflow = consultation.workflow
    title = workflow.workflow.title
    treated = record.treatedAt.map(zone.format) ?? "-"
    areas = FollowUpWording.areaTitles(record.start.areas, workflow)
    items = record.aftercare.map { ($0.text, $0.endsAt.map(zone.format)) }
    followUps = record.followUp.map { appointment in
      let areas = FollowUpWording.areaTitles(appointment.areas, workflow)
      let date = appointment.date?.description ?? "to be booked (due \(appointment.dueDate))"
      return (date, FollowUpWording.kind(appointment.kind) + (areas.isEmpty ? "" : " (\(areas))"))
    }
    products = record.products.map { "\($0.name), lot \($0.lot)" }
    warningSigns = workflow.workflow.patientSheet.warningSigns
  }
}

/// HTML escaping of text in an element or a quoted attribute.
enum HTMLText {
  /// `&`, `<`, `>`, `"` and `'` as character references.
  static func escape(_ text: String) -> String {
    var out = ""
    for character in text {
      switch character {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      default: out.append(character)
      }
    }
    return out
  }
}

/// Markdown escaping of text from the record or the definitions, so that a
/// Markdown renderer shows it as written: no emphasis, link, code span or
/// inline HTML (a product named `<b>1</b>` stays those characters), and a
/// table cell stays one cell.
enum MarkdownText {
  /// A backslash before `\\`, `` ` ``, `*`, `_`, `[`, `]`, `<`, `>`, `|`,
  /// `&`, `~` and `#` (CommonMark's escapes of ASCII punctuation); a line
  /// break (LF, CRLF, CR or a Unicode line or paragraph separator) as a space.
  static func inline(_ text: String) -> String {
    var out = ""
    for character in text {
      if character.isNewline {
        out += " "
      } else if "\\`*_[]<>|&~#".contains(character) {
        out += "\\" + String(character)
      } else {
        out.append(character)
      }
    }
    return out
  }

  /// A table cell: escaped as ``inline(_:)``, which keeps `|` and line
  /// breaks from ending the cell.
  static func cell(_ text: String) -> String { inline(text) }
}
