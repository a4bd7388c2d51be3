import Mesoflow

/// The JSON of ``RecordDocument/json(for:)``: the summary, the record and
/// the events. Keys are only ever added.
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

  /// What the store keeps about the consultation (`ConsultationSummary` in
  /// MesoflowStore), worked out here from the same events, so that this
  /// library needs no store; `MesoflowRecordsTests` checks that they agree.
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

  var summary: Summary
  var answers: [Answer]
  var notes: [Note]
  var events: [ConsultationEvent]

  init(_ consultation: Consultation) {
    let state = consultation.state
    let record = consultation.record
    // A session still to be booked counts on the day it falls due, as in
    // the store's summary.
    let followUps = consultation.followUpSchedule.map { $0.date ?? $0.dueDate }.sorted()
    summary = Summary(
      id: state.start.id, patient: state.start.patient, workflow: state.start.workflow, areas: state.start.areas,
      staff: record.start.staff, status: state.outcome?.rawValue ?? "open", startedAt: state.startedAt,
      endedAt: record.endedAt, treatedAt: record.treatedAt, followUps: followUps.map(\.description),
      definitionHash: state.start.definitionHash)
    answers = record.answers.map {
      Answer(stage: $0.stage, step: $0.step.id, answer: $0.answer.answer, corrections: $0.answer.corrections)
    }
    notes = record.notes.map { Note(text: $0.text, step: $0.step, at: $0.at, by: $0.by) }
    events = consultation.events
  }
}
