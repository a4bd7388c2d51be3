import Foundation
import Mesoflow
import Testing

@testable import MesoflowRecords

/// `mesoflow describe`: the text, and the JSON of docs/DESCRIBE-JSON.md.
struct WorkflowDescriptionTests {
  /// A workflow of one stage, built in Swift.
  static func smallest(min: Double = 0) -> MergedWorkflow {
    let end = SourceLocation(file: "w", line: 1, column: 1)
    let workflow = Workflow(
      id: "tiny", title: "Tiny / small", start: "only", procedureStage: "only",
      stages: [
        Stage(
          id: "only", title: "Only", duration: TimeRange(min: .minutes(5), max: .minutes(10)),
          steps: [Step(id: "dose", prompt: "Dose?", answer: .decimal(NumberBounds(min: min, max: 2.5, unit: "ml")))],
          transition: .end(.completed, at: end))
      ],
      outcomes: [.completed: OutcomeDescription(title: "Done")],
      aftercare: [AftercareItem(id: "rest", text: "Rest.", for: .days(1))])
    return MergedWorkflow(workflow: workflow, areas: [])
  }

  @Test func theJSONOfTheSmallestWorkflowIsExactlyThis() throws {
    #expect(
      try WorkflowDescription.json(for: Self.smallest()) == """
        {
          "aftercare" : [
            {
              "id" : "rest",
              "origin" : "workflow",
              "text" : "Rest.",
              "window" : {
                "seconds" : 86400,
                "text" : "1d"
              }
            }
          ],
          "areas" : [

          ],
          "expected_duration" : {
            "max_seconds" : 600,
            "min_seconds" : 300,
            "text" : "5m..10m"
          },
          "follow_up" : [

          ],
          "ingredients" : [

          ],
          "outcomes" : {
            "completed" : {
              "title" : "Done"
            }
          },
          "schema" : "mesoflow.describe/1",
          "stages" : [
            {
              "checks" : [

              ],
              "duration" : {
                "max_seconds" : 600,
                "min_seconds" : 300,
                "text" : "5m..10m"
              },
              "end" : "completed",
              "id" : "only",
              "next" : [

              ],
              "procedure" : true,
              "steps" : [
                {
                  "id" : "dose",
                  "max" : 2.5,
                  "min" : 0,
                  "optional" : false,
                  "origin" : "workflow",
                  "prompt" : "Dose?",
                  "type" : "decimal",
                  "unit" : "ml"
                }
              ],
              "title" : "Only",
              "waits" : [

              ]
            }
          ],
          "workflow" : {
            "id" : "tiny",
            "procedure_stage" : "only",
            "title" : "Tiny / small",
            "version" : 1
          }
        }

        """)
  }

  /// The definitions' codes: an area's anatomical site, a unit's UCUM
  /// code; left out where the definitions give none.
  @Test func theShippedCodesAreInTheJSONAndLeftOutWhereNoneIsGiven() throws {
    let merged = try RecordsFixture.merged(RecordsFixture.shipped, workflow: "mesotherapy", areas: ["body", "face"])
    let json = try WorkflowDescription.json(for: merged)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    let areas = try #require(object["areas"] as? [[String: Any]])
    #expect(areas.map { $0["id"] as? String } == ["body", "face"])
    #expect(areas[0]["anatomical_site"] == nil)
    let site = try #require(areas[1]["anatomical_site"] as? [String: Any])
    #expect(site["system"] as? String == "http://snomed.info/sct")
    #expect(site["code"] as? String == "89545001")
    let steps = (object["stages"] as? [[String: Any]] ?? []).flatMap { $0["steps"] as? [[String: Any]] ?? [] }
    #expect(steps.first { $0["id"] as? String == "age" }?["ucum"] as? String == "a")
    #expect(steps.first { $0["id"] as? String == "price_amount" }?.keys.contains("ucum") == false)
  }

  /// The fixture read back: every stage, step and check in order with its
  /// origin, the area and its aftercare, the follow-up plan.
  @Test func theFixturesJSONReadsBackAsItsDefinitions() throws {
    let merged = try RecordsFixture.merged()
    let json = try WorkflowDescription.json(for: merged)
    let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    #expect(object["schema"] as? String == "mesoflow.describe/1")
    let stages = try #require(object["stages"] as? [[String: Any]])
    #expect(stages.map { $0["id"] as? String } == merged.stages.map(\.id))
    for (stage, merged) in zip(stages, merged.stages) {
      let steps = try #require(stage["steps"] as? [[String: Any]])
      #expect(steps.map { $0["id"] as? String } == merged.steps.map(\.step.id))
      #expect(steps.map { $0["origin"] as? String } == merged.steps.map(\.origin.description))
      #expect((stage["checks"] as? [[String: Any]])?.map { $0["id"] as? String } == merged.checks.map(\.check.id))
    }
    let areas = try #require(object["areas"] as? [[String: Any]])
    #expect(areas.map { $0["title"] as? String } == ["Patch <area>"])
    let aftercare = try #require(object["aftercare"] as? [[String: Any]])
    #expect(aftercare.map { $0["id"] as? String } == ["no_sun", "gentle", "patch_dry"])
    #expect(aftercare.map { $0["origin"] as? String } == ["workflow", "workflow", "patch"])
    let followUp = try #require(object["follow_up"] as? [[String: Any]])
    #expect(
      (followUp.first?["review"] as? [String: Any])?["reason"] as? String == "Check for late lumps, bumps; and a\\b.")
    #expect(json.hasSuffix("}\n"))
    #expect(!json.contains("\\/"), "slashes are not escaped")
  }

  @Test func theTextOfTheSmallestWorkflowIsExactlyThis() {
    #expect(
      WorkflowDescription.text(for: Self.smallest()) == """
        Tiny / small (tiny, version 1)
        Areas: none
        Expected duration: 5m to 10m

        1. Only [only] (procedure), 5m to 10m
           Steps:
           - dose: Dose? [decimal 0..2.5 ml]
           Ends: Done

        Outcomes:
        - Done (completed)

        Aftercare:
        - Rest. (for 1d)

        """)
  }

  /// A number JSON cannot hold is an error with its code, not a crash.
  @Test func aNumberThatIsNotFiniteIsNotEncodable() {
    #expect {
      try WorkflowDescription.json(for: Self.smallest(min: -.infinity))
    } throws: { error in
      (error as? DocumentError)?.code == .notEncodable
        && (error as? DocumentError)?.message.hasPrefix("the description cannot be written as JSON") == true
    }
  }
}
