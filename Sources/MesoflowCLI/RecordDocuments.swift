import Mesoflow
import MesoflowStore

/// The documents made from a consultation's record: the follow-up calendar
/// (RFC 5545), the patient's aftercare sheet (Markdown, HTML) and the record
/// in Markdown.
enum RecordDocuments {
  // MARK: - Calendar

  /// The follow-up schedule as an iCalendar file: one all-day event per
  /// appointment. Lines end in CRLF and are folded at 75 octets.
  static func calendar(_ consultation: Consultation, stamp: Timestamp) -> String {
    let record = consultation.record
    let title = consultation.workflow.workflow.title
    var lines = [
      "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Mesoflow//Mesoflow 0.1//EN", "CALSCALE:GREGORIAN",
      "METHOD:PUBLISH", "X-WR-CALNAME:" + escape("\(title) follow-up"),
    ]
    // Only days there are: a session still to be booked has none yet.
    let dated = record.followUp.compactMap { appointment in appointment.date.map { (appointment, $0) } }
    for (index, (appointment, date)) in dated.enumerated() {
      let what = describe(appointment.kind)
      let areas = areaTitles(appointment.areas, consultation)
      var details = "\(title): \(what)."
      if !areas.isEmpty { details += " Areas: \(areas)." }
      details += " Consultation \(record.start.id)"
      if let treatedAt = record.treatedAt { details += ", treated \(record.timeZone.format(treatedAt))" }
      details += "."
      lines += [
        "BEGIN:VEVENT",
        "UID:\(record.start.id)-\(index + 1)@mesoflow",
        "DTSTAMP:\(utcStamp(stamp))",
        "DTSTART;VALUE=DATE:\(compact(date))",
        "DTEND;VALUE=DATE:\(compact(nextDay(date)))",
        "SUMMARY:" + escape("\(title): \(what)" + (areas.isEmpty ? "" : " (\(areas))")),
        "DESCRIPTION:" + escape(details),
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
      ]
    }
    lines.append("END:VCALENDAR")
    return lines.map(fold).joined(separator: "\r\n") + "\r\n"
  }

  static func describe(_ kind: FollowUpAppointment.Kind) -> String {
    switch kind {
    case .session(let number, let total): return "session \(number) of \(total)"
    case .maintenance(let every): return "maintenance session, then every \(every)"
    case .review(let reason): return "safety review" + (reason.map { ": \($0)" } ?? "")
    }
  }

  private static func areaTitles(_ ids: [String], _ consultation: Consultation) -> String {
    ids.map { id in consultation.workflow.areas.first { $0.id == id }?.title ?? id }.joined(separator: ", ")
  }

  /// TEXT escaping (RFC 5545 3.3.11).
  static func escape(_ text: String) -> String {
    var out = ""
    for character in text {
      switch character {
      case "\\": out += "\\\\"
      case ";": out += "\\;"
      case ",": out += "\\,"
      case "\n": out += "\\n"
      case "\r": continue
      default: out.append(character)
      }
    }
    return out
  }

  /// Folds a content line at 75 octets, never inside a UTF-8 sequence (RFC 5545 3.1).
  static func fold(_ line: String) -> String {
    var out = ""
    var octets = 0
    for scalar in line.unicodeScalars {
      let width = String(scalar).utf8.count
      if octets + width > 75 {
        out += "\r\n "
        octets = 1
      }
      out.unicodeScalars.append(scalar)
      octets += width
    }
    return out
  }

  private static func compact(_ date: CalendarDate) -> String { date.description.filter { $0 != "-" } }

  private static func nextDay(_ date: CalendarDate) -> CalendarDate {
    CalendarDate(daysSinceEpoch: date.daysSinceEpoch + 1) ?? date
  }

  /// `20261121T093000Z`, from `2026-11-21T09:30:00.000Z`.
  private static func utcStamp(_ time: Timestamp) -> String {
    time.description.prefix(19).filter { $0 != "-" && $0 != ":" } + "Z"
  }

  // MARK: - Aftercare sheet

  struct Sheet {
    var title: String
    var treated: String
    var areas: String
    var items: [(text: String, until: String?)]
    var followUps: [(date: String, what: String)]
    var products: [String]
  }

  static func sheet(_ consultation: Consultation) -> Sheet {
    let record = consultation.record
    let zone = record.timeZone
    return Sheet(
      title: consultation.workflow.workflow.title,
      treated: record.treatedAt.map(zone.format) ?? "-",
      areas: areaTitles(record.start.areas, consultation),
      items: record.aftercare.map { ($0.text, $0.endsAt.map(zone.format)) },
      followUps: record.followUp.map { appointment in
        let areas = areaTitles(appointment.areas, consultation)
        let date = appointment.date?.description ?? "to be booked (due \(appointment.dueDate))"
        return (date, describe(appointment.kind) + (areas.isEmpty ? "" : " (\(areas))"))
      },
      products: record.products.map { "\($0.name), lot \($0.lot)" })
  }

  static func markdownSheet(_ consultation: Consultation, level: Int = 1) -> String {
    let sheet = sheet(consultation)
    let h1 = String(repeating: "#", count: level)
    let h2 = h1 + "#"
    var out = "\(h1) Aftercare: \(sheet.title)\n\n"
    out += "Treated on \(sheet.treated) (\(sheet.areas)).\n\n"
    if !sheet.products.isEmpty { out += "Products: \(sheet.products.joined(separator: "; ")).\n\n" }
    out += "\(h2) What to do and avoid\n\n"
    for item in sheet.items {
      out += "- [ ] \(item.text)" + (item.until.map { " **Until \($0).**" } ?? "") + "\n"
    }
    if !sheet.followUps.isEmpty {
      out += "\n\(h2) Your follow-up appointments\n\n| Date | What |\n|---|---|\n"
      for followUp in sheet.followUps { out += "| \(followUp.date) | \(followUp.what) |\n" }
    }
    out +=
      "\nIf you notice spreading redness, warmth, swelling that gets worse, pus or fever, call the clinic at once.\n"
    return out
  }

  static func htmlSheet(_ consultation: Consultation) -> String {
    let sheet = sheet(consultation)
    var out = """
      <!DOCTYPE html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <title>Aftercare: \(html(sheet.title))</title>
      <style>
      html { font-family: system-ui, sans-serif; max-width: 40em; margin: 2em auto; line-height: 1.5; }
      li { margin: .4em 0; } .until { font-weight: bold; } table { border-collapse: collapse; }
      td, th { border: 1px solid #999; padding: .3em .8em; text-align: left; }
      @media print { html { margin: 0; } }
      </style>
      </head>
      <h1>Aftercare: \(html(sheet.title))</h1>
      <p>Treated on \(html(sheet.treated)) (\(html(sheet.areas))).</p>

      """
    if !sheet.products.isEmpty { out += "<p>Products: \(html(sheet.products.joined(separator: "; "))).</p>\n" }
    out += "<h2>What to do and avoid</h2>\n<ul>\n"
    for item in sheet.items {
      out +=
        "<li>\(html(item.text))" + (item.until.map { " <span class=\"until\">Until \(html($0)).</span>" } ?? "")
        + "</li>\n"
    }
    out += "</ul>\n"
    if !sheet.followUps.isEmpty {
      out += "<h2>Your follow-up appointments</h2>\n<table>\n<tr><th>Date</th><th>What</th></tr>\n"
      for followUp in sheet.followUps {
        out += "<tr><td>\(html(followUp.date))</td><td>\(html(followUp.what))</td></tr>\n"
      }
      out += "</table>\n"
    }
    out +=
      "<p>If you notice spreading redness, warmth, swelling that gets worse, pus or fever, call the clinic at once.</p>\n"
    out += "</html>\n"
    return out
  }

  static func html(_ text: String) -> String {
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

  // MARK: - Record

  static func markdownRecord(_ consultation: Consultation) -> String {
    let record = consultation.record
    let zone = record.timeZone
    var out = "# Consultation \(record.start.id)\n\n"
    out += "| | |\n|---|---|\n"
    out +=
      "| Workflow | \(consultation.workflow.workflow.title) (\(record.start.workflow) v\(record.start.workflowVersion)) |\n"
    out += "| Areas | \(areaTitles(record.start.areas, consultation)) |\n"
    if let patient = record.start.patient { out += "| Patient | \(cell(patient)) |\n" }
    out += "| Started | \(zone.format(record.startedAt)) (\(zone)) by \(cell(record.start.staff.description)) |\n"
    out += "| Outcome | \(record.outcome?.rawValue ?? "in progress")"
    out += record.endedAt.map { " at \(zone.format($0))" } ?? ""
    out += record.endedBy.map { " (check \($0))" } ?? ""
    out += " |\n"
    if let note = record.endNote {
      out += "| Ending note | \(cell(note.text)) (\(cell(note.by?.description ?? "-"))) |\n"
    }
    out += "\n## Answers\n\n| Stage | Step | Answer |\n|---|---|---|\n"
    for line in record.answers {
      out += "| \(line.stage) | \(cell(line.step.prompt)) | \(cell(line.answer.answer.description(in: zone)))"
      out += line.answer.corrections > 0 ? " (corrected) |\n" : " |\n"
    }
    if !record.checks.isEmpty {
      out += "\n## Checks\n\n"
      for line in record.checks {
        out += "- **\(line.check.outcome.rawValue.uppercased())** `\(line.check.id)`: \(line.check.reason)\n"
      }
    }
    if !record.notes.isEmpty {
      out += "\n## Notes\n\n"
      for note in record.notes {
        out += "- \(zone.format(note.at)), \(note.by?.description ?? "-"): \(note.text)\n"
      }
    }
    if record.treatedAt != nil {
      out += "\n" + markdownSheet(consultation, level: 2)
    }
    return out
  }

  private static func cell(_ text: String) -> String {
    text.map { $0 == "|" ? "\\|" : $0 == "\n" ? " " : String($0) }.joined()
  }
}

/// `mesoflow show --format json`: the summary, the record, and the events.
struct RecordJSON: Encodable {
  struct Answer: Encodable {
    var stage: String
    var step: String
    var answer: Mesoflow.Answer
    var corrections: Int
  }

  struct Note: Encodable {
    var text: String
    var step: String?
    var at: Timestamp
    var by: Clinician?
  }

  var summary: Summary
  var answers: [Answer]
  var notes: [Note]
  var events: [ConsultationEvent]

  struct Summary: Encodable {
    var id: String
    var patient: String?
    var workflow: String
    var areas: [String]
    var staff: Clinician
    var status: String
    var startedAt: Timestamp
    var endedAt: Timestamp?
    var treatedAt: Timestamp?
    var followUps: [String]
    var definitionHash: String
  }

  init(_ consultation: Consultation, summary: ConsultationSummary) {
    let record = consultation.record
    self.summary = Summary(
      id: summary.id, patient: summary.patient, workflow: summary.workflow, areas: summary.areas,
      staff: record.start.staff, status: summary.status.rawValue, startedAt: summary.startedAt,
      endedAt: record.endedAt, treatedAt: record.treatedAt, followUps: summary.followUps.map(\.description),
      definitionHash: summary.definitionHash)
    answers = record.answers.map {
      Answer(stage: $0.stage, step: $0.step.id, answer: $0.answer.answer, corrections: $0.answer.corrections)
    }
    notes = record.notes.map { Note(text: $0.text, step: $0.step, at: $0.at, by: $0.by) }
    events = consultation.events
  }
}
