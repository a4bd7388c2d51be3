// An integrator's program: it embeds the Mesoflow engine, loads the shipped
// definitions, adds an area of its own written in Swift (hands, with a native
// check), runs one consultation with scripted answers and prints the record.
//
// Run it from the repository's root:  swift run mesoflow-example

import Mesoflow

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The hands area, written in Swift rather than YAML.
struct HandsPlugin: AreaPlugin {
  let id = "hands"
  let title = "Hands"
  let workflow = "mesotherapy"
  let stages = [
    StageExtension(
      stage: "screening",
      steps: [
        Step(
          id: "hands_raynaud", prompt: "Does the patient have Raynaud's phenomenon or poor circulation in the hands?",
          answer: .yesNo),
        Step(
          id: "hands_recent_surgery", prompt: "Has the patient had hand surgery or a hand injury that has not healed?",
          answer: .yesNo),
      ],
      checks: [
        // A native check: plain Swift over the answers it declares it reads.
        Check(
          id: "hands_circulation_refer",
          when: .native("Raynaud's phenomenon or poor circulation", reading: ["hands_raynaud"]) { context in
            guard case .bool(let raynaud)? = context.answer("hands_raynaud") else { return nil }
            return raynaud
          },
          outcome: .refer,
          reason: "Poor circulation in the hands needs a physician's approval before injecting them."),
        Check(
          id: "hands_unhealed_surgery_stop",
          when: .native("unhealed surgery or injury", reading: ["hands_recent_surgery"]) { context in
            guard case .bool(let recent)? = context.answer("hands_recent_surgery") else { return nil }
            return recent
          },
          outcome: .stop,
          reason: "Do not inject a hand that has not healed."),
      ])
  ]
  let procedure = Procedure(
    duration: TimeRange(min: .minutes(15), max: .minutes(25)),
    technique: Technique(needle: "32G", methods: ["papules"]))
  let limits = Limits(maxVolumeMillilitres: 2, maxVolumePerPointMillilitres: 0.05, maxPoints: 60)
  let aftercare = [
    AftercareItem(id: "hands_gloves", text: "Wear gloves for washing up and gardening.", for: .days(3))
  ]
}

/// Prints to standard error and exits with `code`.
func fail(_ message: String, code: Int32 = 1) -> Never {
  printError("mesoflow-example: \(message)")
  exit(code)
}

/// Writes a line to standard error.
func printError(_ line: String) {
  var text = line + "\n"
  text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

// 1. Load the shipped definitions and report any problem in them.
let catalog = Catalog.load(paths: ["Workflows", "Plugins"])
if catalog.hasErrors {
  for diagnostic in catalog.diagnostics { printError("\(diagnostic)") }
  fail("the definitions have errors; run it from the repository's root")
}

// 2. Register the Swift plugin beside the YAML ones, and merge the chosen areas.
var registry = PluginRegistry(catalog: catalog)
let merged: MergedWorkflow
do {
  try registry.register(HandsPlugin())
  merged = try registry.merged(workflow: "mesotherapy", areas: ["hands", "face"])
} catch {
  fail("\(error)")
}

// 3. Run a consultation with scripted answers, on a clock the script moves.
guard let firstDay = CalendarDate(year: 2026, month: 11, day: 21) else { fail("no such day") }
let clock = ManualClock(Timestamp(firstDay, hour: 9))
let nurse = Clinician(name: "Nurse Ada Park", role: .staff)
let physician = Clinician(name: "Dr Grace Lane", role: .physician)
let today = clock.now().date(utcOffset: 0)
let inTwoWeeks = CalendarDate(daysSinceEpoch: today.daysSinceEpoch + 14) ?? today
let nextYear = CalendarDate(daysSinceEpoch: today.daysSinceEpoch + 365) ?? today

let script: [String: Answer] = [
  "age": .integer(42), "goals": .text("Hydration and fewer fine lines"), "skin_type": .choice("iii"),
  "medications": .text("None"), "photos_taken": .yesNo(true), "price_amount": .decimal(250),
  "price_currency": .choice("eur"), "face_concerns": .multipleChoice(["fine_lines", "dryness_dullness"]),
  "pregnant_or_breastfeeding": .yesNo(false), "area_infection_or_wound": .yesNo(false), "active_herpes": .yesNo(false),
  "herpes_history": .yesNo(false), "bleeding_disorder": .yesNo(false), "anticoagulants": .yesNo(false),
  "ingredient_allergies": .multipleChoice([]), "allergy_prone": .yesNo(false), "fish_allergy": .yesNo(true),
  "chronic_disease_uncontrolled": .yesNo(false), "diabetes": .yesNo(false), "cancer": .yesNo(false),
  "autoimmune_disease": .yesNo(false), "weakened_immunity": .yesNo(false), "anaesthetic_allergy": .yesNo(false),
  "g6pd_deficiency": .yesNo(false), "methaemoglobin_drugs": .yesNo(false), "class_iii_antiarrhythmics": .yesNo(false),
  "consent": .consent(Consent(signedBy: "Maria Rossi", signedAt: clock.now())),
  "hands_raynaud": .yesNo(true), "hands_recent_surgery": .yesNo(false),
  "cleansed": .yesNo(true), "cream_used": .yesNo(true), "cream_applied": .yesNo(true), "cream_removed": .yesNo(true),
  "product": .product(Product(name: "HA + vitamin cocktail", lot: "B-2291", expiry: nextYear)),
  "vial_type": .choice("single_dose"), "cold_chain_ok": .yesNo(true), "injection_points": .integer(70),
  "volume": .volume([
    VolumeEntry(area: "face", millilitres: 2, points: 40), VolumeEntry(area: "hands", millilitres: 1, points: 30),
  ]),
  "technique_confirmed": .yesNo(true), "prescriber": .text("Dr Grace Lane"), "aftercare_sheet_given": .yesNo(true),
  "next_session_booked": .yesNo(true), "next_session_date": .date(inTwoWeeks), "review_booked": .yesNo(true),
]

do {
  var consultation = try Consultation(id: "example-1", workflow: merged, staff: nurse, clock: clock)
  var finished = false
  while !finished {
    clock.advance(by: .minutes(1))
    switch consultation.prompt {
    case .question(let question):
      if let answer = script[question.step.id] {
        try consultation.answer(question.step.id, answer)
      } else if question.step.isOptional {
        try consultation.skip(question.step.id)
      } else {
        fail("the script has no answer for '\(question.step.id)': \(question.step.prompt)")
      }
    case .resolve(let alert):
      print("! \(alert.check.outcome.rawValue.uppercased()) \(alert.check.id): \(alert.check.reason)")
      switch alert.check.outcome {
      case .warn, .exclude: try consultation.acknowledge(alert.check.id)
      case .refer: try consultation.override(alert.check.id, reason: "Capillary refill normal; approved", by: physician)
      case .stop: try consultation.end(because: alert.check.id)
      }
    case .wait(let wait):
      print("… waiting until \(wait.until.formatted(utcOffset: 0)): \(wait.reason ?? "")")
      clock.set(wait.until)
      try consultation.proceed()
    case .finished:
      finished = true
    }
  }

  // 4. The events are the consultation: replaying them gives the same state.
  let replayed = try Consultation(replaying: consultation.events, workflow: merged, clock: clock)
  guard replayed.state == consultation.state else { fail("replay gave another state") }
  print("\(consultation.events.count) events, replayed to the same state.\n")
  print(consultation.record)
} catch {
  fail("\(error)")
}
