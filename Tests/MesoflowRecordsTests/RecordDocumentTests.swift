import Foundation
import Mesoflow
import MesoflowStore
import Testing

@testable import MesoflowRecords

/// The record in Markdown and as the JSON of `mesoflow show --format json`.
struct RecordDocumentTests {
  @Test func theFixturesMarkdownRecordIsExactlyThis() throws {
    let consultation = try RecordsFixture.consultation(try RecordsFixture.merged())
    let sheet = AftercareSheet.markdown(for: consultation)
    // The sheet comes last, one heading level down.
    let lowered = sheet.split(separator: "\n", omittingEmptySubsequences: false).map {
      $0.hasPrefix("#") ? "#" + $0 : String($0)
    }.joined(separator: "\n")
    #expect(
      RecordDocument.markdown(for: consultation) == """
        # Consultation 20261121-TEST01

        | | |
        |---|---|
        | Workflow | Clinic \\& "care" (clinic v2) |
        | Areas | Patch \\<area\\> |
        | Patient | P-17 |
        | Started | 2026-11-21 09:00 (UTC) by Nurse \\<Ada\\> (staff) |
        | Outcome | completed at 2026-11-21 09:02 |

        ## Answers

        | Stage | Step | Answer |
        |---|---|---|
        | intake | How old is the patient? | 34 |
        | intake | What are the goals \\| wishes? | Smoother \\| softer skin |
        | intake | Any scar on the patch? | no |
        | treat | Which product? | Serum \\<b\\>1\\</b\\> \\& "2", lot L-1, 'A', expires 2027-11-21 |
        | follow_up | Date of the next session. | 2026-12-12 |

        ## Notes

        - 2026-11-21 09:00, Nurse \\<Ada\\> (staff): Prefers \\<afternoons\\> \\& tea


        """ + lowered)
  }

  @Test func anOpenConsultationsRecordHasNoSheet() throws {
    let consultation = try RecordsFixture.consultation(try RecordsFixture.merged(), answers: ["age": .integer(70)])
    let markdown = RecordDocument.markdown(for: consultation)
    #expect(markdown.contains("| Outcome | in progress |\n"))
    #expect(
      markdown.hasSuffix(
        "\n## Checks\n\n- **WARN** `older`: Older skin heals more slowly.\n\n## Notes\n\n- 2026-11-21 09:00, Nurse \\<Ada\\> (staff): Prefers \\<afternoons\\> \\& tea\n"
      ))
    #expect(!markdown.contains("Aftercare"))
  }

  @Test func aCellKeepsItsRowWhateverItHolds() {
    #expect(RecordDocument.cell("a | b\nc") == "a \\| b c")
    #expect(RecordDocument.cell("a\r\nb\rc\u{2028}d") == "a b c d")
  }

  // MARK: JSON

  /// An open consultation with two events and a note, whole.
  @Test func theJSONOfAShortConsultationIsExactlyThis() throws {
    let merged = try RecordsFixture.merged(areas: [])
    let consultation = try RecordsFixture.consultation(
      merged, answers: ["age": .integer(34)], note: "<Tea> & \"milk\"/none")
    let hash = consultation.state.start.definitionHash
    #expect(
      try RecordDocument.json(for: consultation) == """
        {
          "answers" : [
            {
              "answer" : {
                "integer" : 34
              },
              "corrections" : 0,
              "stage" : "intake",
              "step" : "age"
            }
          ],
          "events" : [
            {
              "actor" : {
                "name" : "Nurse <Ada>",
                "role" : "staff"
              },
              "sequence" : 1,
              "start" : {
                "areas" : [

                ],
                "definitionHash" : "\(hash)",
                "id" : "20261121-TEST01",
                "patient" : "P-17",
                "staff" : {
                  "name" : "Nurse <Ada>",
                  "role" : "staff"
                },
                "utcOffset" : 0,
                "workflow" : "clinic",
                "workflowVersion" : 2
              },
              "time" : 1795251600000,
              "type" : "started"
            },
            {
              "sequence" : 2,
              "stage" : "intake",
              "time" : 1795251600000,
              "type" : "stage-entered"
            },
            {
              "actor" : {
                "name" : "Nurse <Ada>",
                "role" : "staff"
              },
              "sequence" : 3,
              "step" : "age",
              "text" : "<Tea> & \\"milk\\"/none",
              "time" : 1795251600000,
              "type" : "noted"
            },
            {
              "actor" : {
                "name" : "Nurse <Ada>",
                "role" : "staff"
              },
              "answer" : {
                "integer" : 34
              },
              "sequence" : 4,
              "step" : "age",
              "time" : 1795251630000,
              "type" : "answered"
            }
          ],
          "notes" : [
            {
              "at" : 1795251600000,
              "by" : {
                "name" : "Nurse <Ada>",
                "role" : "staff"
              },
              "step" : "age",
              "text" : "<Tea> & \\"milk\\"/none"
            }
          ],
          "summary" : {
            "areas" : [

            ],
            "definitionHash" : "\(hash)",
            "followUps" : [

            ],
            "id" : "20261121-TEST01",
            "patient" : "P-17",
            "staff" : {
              "name" : "Nurse <Ada>",
              "role" : "staff"
            },
            "startedAt" : 1795251600000,
            "status" : "open",
            "workflow" : "clinic"
          }
        }

        """)
  }

  /// The summary is the store's, field for field, though this library
  /// works it out without a store; the events read back as they were.
  @Test(arguments: [["face"], ["body", "eye", "face", "scalp"]])
  func theJSONsSummaryIsTheStoresAndItsEventsReadBack(areas: [String]) throws {
    let merged = try RecordsFixture.merged(RecordsFixture.shipped, workflow: "mesotherapy", areas: areas)
    var answers = try RecordsFixture.answers()
    answers["next_session_booked"] = .yesNo(false)
    let consultation = try RecordsFixture.consultation(merged, answers: answers, healthyByDefault: true)
    #expect(consultation.state.outcome == .completed)
    try Self.checkAgainstTheStore(consultation)
    // And the fixture, booked and completed, and open.
    try Self.checkAgainstTheStore(try RecordsFixture.consultation(try RecordsFixture.merged()))
    try Self.checkAgainstTheStore(try RecordsFixture.consultation(try RecordsFixture.merged(), answers: [:]))
  }

  static func checkAgainstTheStore(_ consultation: Consultation) throws {
    let json = try RecordDocument.json(for: consultation)
    #expect(json.hasSuffix("}\n"))
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    #expect(Set(object.keys) == ["summary", "answers", "notes", "events"])
    let summary = try #require(object["summary"] as? [String: Any])
    let stored = ConsultationSummary(consultation)
    #expect(summary["id"] as? String == stored.id)
    #expect(summary["patient"] as? String == stored.patient)
    #expect(summary["workflow"] as? String == stored.workflow)
    #expect(summary["areas"] as? [String] == stored.areas)
    #expect((summary["staff"] as? [String: Any])?["name"] as? String == stored.staff)
    #expect(summary["status"] as? String == stored.status.rawValue)
    #expect((summary["startedAt"] as? NSNumber)?.int64Value == stored.startedAt.millisecondsSinceEpoch)
    #expect(summary["followUps"] as? [String] == stored.followUps.map(\.description))
    #expect(summary["definitionHash"] as? String == stored.definitionHash)
    #expect(
      (summary["treatedAt"] as? NSNumber)?.int64Value == consultation.record.treatedAt?.millisecondsSinceEpoch)
    #expect((summary["endedAt"] as? NSNumber)?.int64Value == consultation.record.endedAt?.millisecondsSinceEpoch)

    struct Events: Decodable { var events: [ConsultationEvent] }
    #expect(try JSONDecoder().decode(Events.self, from: Data(json.utf8)).events == consultation.events)
    let answers = try #require(object["answers"] as? [[String: Any]])
    #expect(answers.map { $0["step"] as? String } == consultation.record.answers.map(\.step.id))
  }
}
