import Foundation
import Mesoflow

/// Answers for a healthy patient, by step id, for scripted consultations.
func scriptedAnswers(_ merged: MergedWorkflow, at now: Timestamp) -> [String: Answer] {
  let yes: Set<String> = [
    "photos_taken", "cleansed", "cream_removed", "cold_chain_ok", "technique_confirmed", "aftercare_sheet_given",
    "next_session_booked", "review_booked",
  ]
  let today = now.date(utcOffset: 0)
  let later = CalendarDate(daysSinceEpoch: today.daysSinceEpoch + 365) ?? today
  var answers: [String: Answer] = [:]
  for step in merged.stages.flatMap(\.steps).lazy.map(\.step) {
    switch step.answer {
    case .yesNo: answers[step.id] = .yesNo(yes.contains(step.id))
    case .integer(let bounds): answers[step.id] = .integer(Int(max(bounds.min ?? 0, min(bounds.max ?? 40, 40))))
    case .decimal(let bounds): answers[step.id] = .decimal(max(bounds.min ?? 0, min(bounds.max ?? 100, 100)))
    case .text: answers[step.id] = .text("recorded")
    case .choice(let options): answers[step.id] = .choice(options.first?.id ?? "")
    case .multipleChoice: answers[step.id] = .multipleChoice([])
    case .date: answers[step.id] = .date(later)
    case .consent: answers[step.id] = .consent(Consent(signedBy: "Patient", signedAt: now))
    case .product: answers[step.id] = .product(Product(name: "Cocktail", lot: "L-1", expiry: later))
    case .volume:
      answers[step.id] = .volume(merged.areas.map { VolumeEntry(area: $0.id, millilitres: 0.5, points: 20) })
    }
  }
  return answers
}

/// Runs one consultation to its end with `answers`; returns the number of answers given.
@discardableResult
func runScripted(_ merged: MergedWorkflow, _ answers: [String: Answer], clock: ManualClock) -> Int {
  let staff = Clinician(name: "Nurse", role: .staff)
  guard var consultation = try? Consultation(id: "bench", workflow: merged, staff: staff, clock: clock) else {
    return 0
  }
  var given = 0
  while true {
    switch consultation.prompt {
    case .question(let question):
      guard let answer = answers[question.step.id], (try? consultation.answer(question.step.id, answer)) != nil else {
        return given
      }
      given += 1
    case .resolve(let alert):
      guard (try? consultation.acknowledge(alert.check.id)) != nil else { return given }
    case .wait(let wait):
      clock.set(wait.until)
      guard (try? consultation.proceed()) != nil else { return given }
    case .finished:
      return given
    }
  }
}

/// Consultations per second with scripted answers, and replay: events per
/// second and the time to resume a 10,000-event consultation.
/// The area is the one given with `--area`, or else the first plugin's.
func engineBenchmarks(catalog: Catalog, iterations: Int, area: String?) {
  let start = Timestamp(millisecondsSinceEpoch: 1_795_251_600_000)
  guard let area = area ?? catalog.plugins.keys.sorted().first,
    let workflow = catalog.plugins[area]?.workflow,
    let merged = try? catalog.merged(workflow: workflow, areas: [area])
  else {
    print("no plugin for area \(area ?? "(none)")")
    return
  }
  let answers = scriptedAnswers(merged, at: start)
  let clock = ManualClock(start)
  let perRound = 100
  let answered = runScripted(merged, answers, clock: clock)
  print("engine: \(workflow) with the \(area) area, \(answered) answers a consultation")
  let consultations = Measurement.of(iterations: iterations) {
    for _ in 0..<perRound { runScripted(merged, answers, clock: clock) }
  }
  let each = milliseconds(consultations.median) / Double(perRound)
  print(
    "  scripted consultations".padding(toLength: 44, withPad: " ", startingAt: 0)
      + String(
        format: "median %8.4f ms  best %8.4f ms  %9.0f /s  (%.0f answers/s)", each,
        milliseconds(consultations.best) / Double(perRound), 1e3 / each, 1e3 / each * Double(answered)))

  // A long history: the first answer corrected again and again.
  let staff = Clinician(name: "Nurse", role: .staff)
  guard var long = try? Consultation(id: "long", workflow: merged, staff: staff, clock: clock),
    let first = long.prompt.stepID, let firstAnswer = answers[first], (try? long.answer(first, firstAnswer)) != nil
  else { return }
  var flip = false
  while long.events.count < 10_000 {
    flip.toggle()
    let answer: Answer
    if case .integer(let value) = firstAnswer {
      answer = .integer(flip ? value + 1 : value)
    } else {
      answer = firstAnswer
    }
    guard (try? long.correct(first, answer)) != nil else { break }
  }
  let events = long.events
  let resume = Measurement.of(iterations: iterations) {
    _ = try? Consultation(replaying: events, workflow: merged, clock: clock)
  }
  let resumeMilliseconds = milliseconds(resume.median)
  print(
    "  resume (replay) of \(events.count) events".padding(toLength: 44, withPad: " ", startingAt: 0)
      + String(
        format: "median %8.3f ms  best %8.3f ms  %9.2f M events/s (targets: < 20 ms, >= 1 M/s)", resumeMilliseconds,
        milliseconds(resume.best), Double(events.count) / resumeMilliseconds / 1e3))
}
