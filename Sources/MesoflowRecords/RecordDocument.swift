public import Mesoflow

/// A consultation's record as a document: in Markdown for people, or as the
/// JSON that `mesoflow show --format json` prints (the summary, the answers,
/// the notes and every event, the events in the JSON of docs/STORE.md).
public enum RecordDocument {
  /// The record in Markdown: a table of who, what and when, the answers,
  /// the checks that fired, the notes and, once treated, the aftercare
  /// sheet (``AftercareSheet/markdown(for:)`` one heading level down).
  ///
  /// - Parameter consultation: The consultation, open or ended.
  /// - Returns: The document, ending in a line feed.
  public static func markdown(for consultation: Consultation) -> String {
    let record = consultation.record
    let zone = record.timeZone
    var out = "# Consultation \(cell(record.start.id))\n\n"
    out += "| | |\n|---|---|\n"
    out +=
      "| Workflow | \(cell(consultation.workflow.workflow.title)) (\(cell(record.start.workflow)) v\(record.start.workflowVersion)) |\n"
    out += "| Areas | \(cell(FollowUpWording.areaTitles(record.start.areas, consultation.workflow))) |\n"
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
        out += "- **\(line.check.outcome.rawValue.uppercased())** `\(line.check.id)`: \(cell(line.check.reason))\n"
      }
    }
    if !record.notes.isEmpty {
      out += "\n## Notes\n\n"
      for note in record.notes {
        out += "- \(zone.format(note.at)), \(cell(note.by?.description ?? "-")): \(cell(note.text))\n"
      }
    }
    if record.treatedAt != nil {
      out += "\n" + AftercareSheet.markdown(SheetContent(consultation), level: 2)
    }
    return out
  }

  /// The record as JSON: exactly what `mesoflow show --format json` prints.
  ///
  /// One object, its keys sorted, indented by two spaces: `summary` (the
  /// consultation's id, patient, workflow, areas, staff, status, start,
  /// end and treatment times, follow-up days and definition hash, as the
  /// store's summary of it gives them), `answers` (each answer in force
  /// with its stage, step and number of corrections), `notes`, and
  /// `events`, every event as the store keeps it.
  ///
  /// - Parameter consultation: The consultation, open or ended.
  /// - Returns: The JSON text, ending in a line feed.
  /// - Throws: ``DocumentError`` with the code
  ///   ``DocumentError/Code/notEncodable`` when a value has no JSON form
  ///   (a number that is not finite, which no validated answer holds).
  public static func json(for consultation: Consultation) throws(DocumentError) -> String {
    try JSONText.encode(RecordJSON(consultation), "the record")
  }

  /// A table cell or a line of a list: Markdown escaped
  /// (``MarkdownText/inline(_:)``), a line break as a space.
  static func cell(_ text: String) -> String { MarkdownText.inline(text) }
}
