public import MesoflowYAML

/// A sample patient and what their consultation must produce: a test a
/// clinic writes in YAML beside its definitions and runs with
/// `mesoflow test`. See docs/TESTING.md for the format.
public struct Scenario: Sendable {
  /// One answer, as it would be typed, and where it is written.
  package struct Entry: Sendable {
    /// The step or check id.
    package var key: String
    /// The answer as staff would type it.
    package var text: String
    /// Where the key is written.
    package var keyLocation: SourceLocation
    /// Where the answer is written.
    package var location: SourceLocation
    /// The patient whose answer this is, or `nil` for the scenario's own.
    package var patient: String?
  }

  /// How a scenario expects its consultation to stop.
  package enum Ending: Sendable, Hashable, CustomStringConvertible {
    /// It ends with this outcome.
    case ended(Outcome)
    /// It pauses: the answers run out at a question.
    case paused

    /// The outcome's name, or `paused`.
    package var description: String {
      switch self {
      case .ended(let outcome): return outcome.rawValue
      case .paused: return "paused"
      }
    }
  }

  /// What must come out.
  package struct Expectations: Sendable {
    /// How the consultation must end: with an outcome, or paused.
    package var outcome: Ending?
    /// The stage the consultation is in when it ends or pauses.
    package var stage: String?
    /// Checks that must fire.
    package var fired: [String]?
    /// Checks that must not fire.
    package var notFired: [String]?
    /// Steps that must be asked.
    package var asked: [String]?
    /// Steps that must not be asked.
    package var notAsked: [String]?
    /// Ingredients that must be excluded.
    package var excluded: [String]?
    /// Answers that must be refused, each tried when its step is asked.
    package var rejected: [Entry] = []
    /// Answers that must be refused because they exceed an area's limit.
    package var limitRefused: [Entry] = []
    /// Aftercare items that must be given.
    package var aftercare: [String]?
    /// The number of follow-up sessions of the course that must be booked.
    package var followUpSessions: Int?
    /// Where each expectation is written, by key.
    package var locations: [String: SourceLocation] = [:]
    /// Where each id of a list expectation is written, by key and id.
    var idLocations: [String: [String: SourceLocation]] = [:]
  }

  /// What the scenario is about, in words.
  public var name: String
  /// The workflow's id, or `nil` for the only workflow loaded.
  public var workflow: String?
  /// The areas chosen.
  public var areas: [String]
  /// The role of the clinician who runs it.
  public var role: Clinician.Role
  /// The day the consultation takes place.
  public var date: CalendarDate
  /// The answers: step ids with their answers, check ids with how they are
  /// resolved, and `override-wait`. Those of the patient it extends come
  /// first (each marked with its patient), less those it takes away and
  /// those it gives itself, which follow in the order written.
  package var answers: [Entry]
  /// The patient whose answers it extends, if any.
  public var patient: String?
  /// Answers of its patient that it takes away (`STEP: ~`), so the step is
  /// left unanswered: skipped when optional, else the scenario pauses there.
  package var removed: [Entry] = []
  /// What must come out.
  package var expect: Expectations
  /// Where the scenario starts.
  public var location: SourceLocation
  /// Where its areas are written.
  package var areasLocation: SourceLocation
  /// Where its `answers` key is written, if it has one.
  package var answersLocation: SourceLocation?
  /// Where the answers of its patient are written, if it extends one.
  package var patientAnswersLocation: SourceLocation?

  /// The answer for `key`, if the scenario gives one.
  package func answer(_ key: String) -> Entry? { answers.first { $0.key == key } }
}

/// The scenarios of one file, and every problem found reading it.
public struct ScenarioFile: Sendable {
  /// The file's name.
  public var name: String
  /// The scenarios that could be read.
  public var scenarios: [Scenario]
  /// Every problem in the file and the files it includes, at its line and column.
  public var diagnostics: [Diagnostic]
  /// The patients its scenarios can extend: its own and those of the files it includes.
  package var patients: [String: ScenarioPatient]
  /// The file and every file it includes, by name, to quote their lines.
  package var sources: [String: SourceText]
  /// Whether it is a file of patients for others to include: `patients`
  /// and no `scenarios`.
  public var holdsOnlyPatients: Bool

  /// The day scenarios take place on unless they say otherwise.
  package static let defaultDate = CalendarDate(year: 2026, month: 1, day: 5) ?? .epoch

  static let fileKeys = ["workflow", "areas", "role", "date", "include", "patients", "patient", "scenarios"]
  static let scenarioKeys = ["name", "workflow", "areas", "role", "date", "patient", "answers", "expect"]
  static let expectKeys = [
    "outcome", "stage", "fired", "not-fired", "asked", "not-asked", "excluded", "rejected", "limit-refused",
    "aftercare", "follow-up-sessions",
  ]

  /// Reads the scenarios in `source`. Defaults for every scenario (workflow,
  /// areas, role, date, patient) may be given at the top of the file, with
  /// the patients its scenarios extend and the files of patients it includes.
  ///
  /// - Parameters:
  ///   - source: The scenario file.
  ///   - limits: Limits for it and each file it includes.
  ///   - read: The file at a path, for `include`: the path named, taken
  ///     from the folder of the file that names it; `nil` when it cannot be read.
  public init(source: SourceText, limits: YAMLLimits = .default, reading read: (String) -> SourceText? = { _ in nil }) {
    name = source.name
    scenarios = []
    patients = [:]
    sources = [source.name: source]
    holdsOnlyPatients = false
    var context = DecodeContext(source: source)
    var book = PatientBook(source: source)
    defer {
      diagnostics = context.diagnostics
      patients = book.patients
      sources = book.sources
    }
    diagnostics = []
    let document: YAMLDocument
    do {
      document = try YAML.load(source, limits: limits)
    } catch {
      context.diagnostics.append(error.diagnostic)
      return
    }
    guard let root = document.root, !root.isNull else {
      context.error(SourceLocation(file: source.name, line: 1, column: 1), "a scenario file needs a 'scenarios' list")
      return
    }
    if let pairs = root.mapping, let first = pairs.first,
      first.name == "workflow" && root["stages"] != nil || first.name == "plugin"
    {
      context.error(
        first.key.location,
        "this is a \(first.name) definition, not a scenario file; scenario files live in Workflows/tests and Plugins/tests"
      )
      return
    }
    guard let file = context.fields(root, "a scenario file", allowed: Self.fileKeys) else { return }
    if let node = file["include"] { book.include(node, from: source, limits: limits, &context, read: read) }
    if let node = file["patients"] { book.add(node, &context) }
    book.resolveAll(&context)
    if file.value("scenarios") == nil, file.value("patients") != nil {
      // A file of patients for other files to include.
      holdsOnlyPatients = true
      for key in ["workflow", "areas", "role", "date", "patient"] {
        if let location = file.keyLocation(key) {
          context.error(
            location, "a file with no 'scenarios' holds patients for others to include, so '\(key)' here is not used")
        }
      }
      return
    }
    let defaults = Defaults(
      workflow: file["workflow"].flatMap { context.id($0, "workflow") },
      areas: file["areas"].flatMap { Self.ids($0, "areas", &context) }, areasLocation: file["areas"]?.location,
      role: file["role"].flatMap { Self.role($0, &context) } ?? .staff,
      date: file["date"].flatMap { Self.date($0, &context) } ?? Self.defaultDate,
      patient: file["patient"].flatMap { context.id($0, "patient") }, patientLocation: file["patient"]?.location)
    guard let list = context.required(file, "scenarios").flatMap({ context.sequence($0, "scenarios") }) else { return }
    if list.isEmpty, let node = file["scenarios"] { context.error(node.location, "'scenarios' is empty") }
    for node in list {
      if let scenario = Self.scenario(node, defaults, book, &context) { scenarios.append(scenario) }
    }
  }

  struct Defaults {
    var workflow: String?
    var areas: [String]?
    var areasLocation: SourceLocation?
    var role: Clinician.Role
    var date: CalendarDate
    var patient: String?
    var patientLocation: SourceLocation?
  }

  static func scenario(_ node: Node, _ defaults: Defaults, _ book: PatientBook, _ context: inout DecodeContext)
    -> Scenario?
  {
    let before = context.errorCount
    guard let fields = context.fields(node, "a scenario", allowed: scenarioKeys) else { return nil }
    let name = context.required(fields, "name").flatMap { context.nonEmptyString($0, "name") }
    let workflow = fields["workflow"].flatMap { context.id($0, "workflow") } ?? defaults.workflow
    let areas = fields["areas"].flatMap { ids($0, "areas", &context) } ?? defaults.areas
    if areas == nil, fields["areas"] == nil {
      context.error(
        node.location, "a scenario is missing required key 'areas' (give it here or at the top of the file)")
    }
    let role = fields["role"].flatMap { self.role($0, &context) } ?? defaults.role
    let date = fields["date"].flatMap { self.date($0, &context) } ?? defaults.date
    // `patient: ~` extends no patient, whatever the file's default.
    let patient =
      fields.value("patient")?.isNull == true
      ? nil : fields["patient"].flatMap { context.id($0, "patient") } ?? defaults.patient
    // The patient's answers; `nil` when it has none to give (it is not
    // defined, or is broken, which is reported where it is defined).
    var inherited: [Scenario.Entry]?
    if let patient {
      if book.patients[patient] == nil {
        context.error(fields["patient"]?.location ?? defaults.patientLocation ?? node.location, book.unknown(patient))
      } else {
        inherited = book.resolved[patient]
      }
    }
    let (own, removed) =
      fields["answers"].map { answerEntries($0, patient: nil, canTakeAway: patient != nil, &context) } ?? ([], [])
    var answers = inherited ?? []
    for entry in removed {
      if let index = answers.firstIndex(where: { $0.key == entry.key }) {
        answers.remove(at: index)
      } else if let patient, inherited != nil {
        context.error(
          entry.keyLocation,
          "patient '\(patient)' does not answer '\(entry.key)', so there is no answer to take away; remove this line")
      }
    }
    PatientBook.merge(own, into: &answers)
    let expect = context.required(fields, "expect").flatMap { expectations($0, &context) }
    guard context.errorCount == before, let name, let areas, let expect, patient == nil || inherited != nil else {
      return nil
    }
    return Scenario(
      name: name, workflow: workflow, areas: areas, role: role, date: date, answers: answers, patient: patient,
      removed: removed, expect: expect, location: node.location,
      areasLocation: fields["areas"]?.location ?? defaults.areasLocation ?? node.location,
      answersLocation: fields.keyLocation("answers"),
      patientAnswersLocation: patient.flatMap { book.patients[$0]?.answersLocation })
  }

  /// A scenario's or a patient's answers, in order, and the answers it takes
  /// away (`STEP: ~`) from a patient it extends, when it extends one.
  static func answerEntries(
    _ node: Node, patient: String?, canTakeAway: Bool, _ context: inout DecodeContext
  ) -> (answers: [Scenario.Entry], removed: [Scenario.Entry]) {
    if node.isNull { return ([], []) }
    guard let pairs = node.mapping else {
      context.error(node.location, "'answers' must be a mapping from step id to answer, not \(node.kindDescription)")
      return ([], [])
    }
    var answers: [Scenario.Entry] = []
    var removed: [Scenario.Entry] = []
    for pair in pairs {
      let entry = { (text: String) in
        Scenario.Entry(
          key: pair.name, text: text, keyLocation: pair.key.location, location: pair.value.location, patient: patient)
      }
      if pair.value.scalar?.isNull == true {
        if canTakeAway {
          removed.append(entry(""))
        } else {
          context.error(
            pair.value.location,
            patient == nil
              ? "the answer is empty; write it, or leave the step out (an optional step is then skipped); `~` takes away an answer of the patient a scenario extends, and this one extends none"
              : "the answer is empty; write it, or leave the step out; `~` takes away an answer of a patient this one extends, and it extends none"
          )
        }
        continue
      }
      do throws(Diagnostic) {
        answers.append(entry(try AnswerText.text(of: pair.value, context.source)))
      } catch {
        context.diagnostics.append(error)
      }
    }
    return (answers, removed)
  }

  static func expectations(_ node: Node, _ context: inout DecodeContext) -> Scenario.Expectations? {
    guard let fields = context.fields(node, "'expect'", allowed: expectKeys) else { return nil }
    if fields.pairs.isEmpty {
      context.error(
        node.location, "'expect' says nothing to check; give at least one expectation (outcome, stage, fired, ...)")
      return nil
    }
    var expect = Scenario.Expectations()
    for pair in fields.pairs {
      expect.locations[pair.name] = pair.value.location
      for item in pair.value.itemsOrSelf {
        if let id = item.scalar?.value { expect.idLocations[pair.name, default: [:]][id] = item.location }
      }
    }
    if let value = fields["outcome"], let text = context.string(value, "outcome") {
      if text == "paused" {
        expect.outcome = .paused
      } else if let outcome = Outcome(rawValue: text) {
        expect.outcome = .ended(outcome)
      } else {
        let names = Outcome.allCases.map(\.rawValue) + ["paused"]
        context.error(
          value.location,
          "unknown outcome '\(text)'\(Suggestion.didYouMean(text, in: names)); expected one of: \(names.joined(separator: ", "))"
        )
      }
    }
    expect.stage = fields["stage"].flatMap { context.id($0, "stage") }
    expect.fired = fields["fired"].flatMap { ids($0, "fired", &context) }
    expect.notFired = fields["not-fired"].flatMap { ids($0, "not-fired", &context) }
    expect.asked = fields["asked"].flatMap { ids($0, "asked", &context) }
    expect.notAsked = fields["not-asked"].flatMap { ids($0, "not-asked", &context) }
    expect.excluded = fields["excluded"].flatMap { ids($0, "excluded", &context) }
    expect.aftercare = fields["aftercare"].flatMap { ids($0, "aftercare", &context) }
    expect.rejected = fields["rejected"].map { entries($0, "rejected", &context) } ?? []
    expect.limitRefused = fields["limit-refused"].map { entries($0, "limit-refused", &context) } ?? []
    if let value = fields["follow-up-sessions"], let count = context.integer(value, "follow-up-sessions") {
      if count < 0 { context.error(value.location, "'follow-up-sessions' must not be negative") }
      expect.followUpSessions = count
    }
    return expect
  }

  /// A list of ids, or one id.
  static func ids(_ node: Node, _ key: String, _ context: inout DecodeContext) -> [String]? {
    if node.scalar != nil, !node.isNull { return context.id(node, key).map { [$0] } }
    guard let items = context.sequence(node, key) else { return nil }
    var ids: [String] = []
    for item in items { if let id = context.id(item, key) { ids.append(id) } }
    return ids.count == items.count ? ids : nil
  }

  /// A mapping from step id to answers to try, in order.
  static func entries(_ node: Node, _ key: String, _ context: inout DecodeContext) -> [Scenario.Entry] {
    if node.isNull { return [] }
    guard let pairs = node.mapping else {
      context.error(node.location, "'\(key)' must be a mapping from step id to answer, not \(node.kindDescription)")
      return []
    }
    var entries: [Scenario.Entry] = []
    for pair in pairs {
      // A list gives several answers to try, each refused.
      let values = pair.value.sequence.map { $0.isEmpty ? [pair.value] : Array($0) } ?? [pair.value]
      for value in values {
        do throws(Diagnostic) {
          let text = try AnswerText.text(of: value, context.source)
          entries.append(
            Scenario.Entry(key: pair.name, text: text, keyLocation: pair.key.location, location: value.location))
        } catch {
          context.diagnostics.append(error)
        }
      }
    }
    return entries
  }

  static func role(_ node: Node, _ context: inout DecodeContext) -> Clinician.Role? {
    guard let text = context.string(node, "role") else { return nil }
    if let role = Clinician.Role(rawValue: text) { return role }
    if text == "nurse" { return .staff }
    let names = Clinician.Role.allCases.map(\.rawValue)
    context.error(
      node.location,
      "unknown role '\(text)'\(Suggestion.didYouMean(text, in: names)); expected staff (or nurse) or physician")
    return nil
  }

  static func date(_ node: Node, _ context: inout DecodeContext) -> CalendarDate? {
    guard let text = context.string(node, "date") else { return nil }
    guard let date = CalendarDate(iso: text) else {
      context.error(node.location, "'\(text)' is not a date; write YYYY-MM-DD")
      return nil
    }
    return date
  }
}
