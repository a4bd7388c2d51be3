public import MesoflowYAML

/// A consultation workflow as a clinic defines it in YAML: its stages in
/// order, their steps and checks, how one stage leads to the next, and how a
/// consultation can end.
public struct Workflow: Sendable {
  /// The workflow's id, such as `mesotherapy`.
  public var id: String
  /// A title for people.
  public var title: String
  /// The clinic's version number of this definition.
  public var version: Int
  /// The id of the first stage.
  public var start: String
  /// The id of the stage in which treatment is given.
  public var procedureStage: String
  /// The stages whose checks must all be decided, and passed, before the
  /// procedure stage begins; `mesoflow check` proves it for every path.
  public var screeningStages: [String]
  /// The stages, in the order they are listed.
  public var stages: [Stage]
  /// How each terminal outcome is presented.
  public var outcomes: [Outcome: OutcomeDescription]
  /// Ingredients any area may use.
  public var ingredients: [Ingredient]
  /// Aftercare that applies whatever the area.
  public var aftercare: [AftercareItem]
  /// Follow-up that applies whatever the area.
  public var followUp: FollowUpPlan?
  /// What the patient's aftercare sheet says besides the aftercare items
  /// (`patient-sheet:`); empty when the workflow gives nothing.
  public var patientSheet: PatientSheet
  /// Where the definition starts.
  public var location: SourceLocation

  /// The stage with `id`, if any.
  public func stage(_ id: String) -> Stage? { stages.first { $0.id == id } }

  /// Creates a workflow. Definitions read from YAML are checked by the
  /// loader; one built in Swift is checked when it is merged or registered.
  public init(
    id: String, title: String, version: Int = 1, start: String, procedureStage: String, screeningStages: [String] = [],
    stages: [Stage],
    outcomes: [Outcome: OutcomeDescription] = [:], ingredients: [Ingredient] = [], aftercare: [AftercareItem] = [],
    followUp: FollowUpPlan? = nil, patientSheet: PatientSheet = PatientSheet(),
    location: SourceLocation = SourceLocation(file: #fileID, line: #line, column: #column)
  ) {
    self.id = id
    self.title = title
    self.version = version
    self.start = start
    self.procedureStage = procedureStage
    self.screeningStages = screeningStages
    self.stages = stages
    self.outcomes = outcomes
    self.ingredients = ingredients
    self.aftercare = aftercare
    self.followUp = followUp
    self.patientSheet = patientSheet
    self.location = location
  }
}

/// How a consultation ends.
public enum Outcome: String, Sendable, Hashable, CaseIterable, Codable {
  /// The treatment was given and the consultation finished.
  case completed
  /// An absolute contraindication stopped the consultation.
  case deferred
  /// A physician's approval was needed and not given.
  case referred
}

/// The words a workflow gives an outcome.
public struct OutcomeDescription: Sendable, Hashable {
  /// A short title, such as "Deferred".
  public var title: String
  /// What the outcome means for the patient and staff.
  public var message: String?
  /// Where the outcome is described, when it was read from a definition.
  public var location: SourceLocation?

  /// Creates a description.
  public init(title: String, message: String? = nil, location: SourceLocation? = nil) {
    self.title = title
    self.message = message
    self.location = location
  }
}

/// One stage of a workflow.
public struct Stage: Sendable {
  /// The stage's id, unique in the workflow.
  public var id: String
  /// A title for people.
  public var title: String
  /// The stage's expected duration, waits excluded.
  public var duration: TimeRange?
  /// The questions asked in this stage, in order.
  public var steps: [Step]
  /// The rules applied to the answers.
  public var checks: [Check]
  /// A minimum time that must pass before the stage begins.
  public var wait: Wait?
  /// Where the consultation goes after this stage.
  public var transition: Transition
  /// Where the stage is defined.
  public var location: SourceLocation

  /// Creates a stage.
  public init(
    id: String, title: String, duration: TimeRange? = nil, steps: [Step] = [], checks: [Check] = [], wait: Wait? = nil,
    transition: Transition, location: SourceLocation = SourceLocation(file: #fileID, line: #line, column: #column)
  ) {
    self.id = id
    self.title = title
    self.duration = duration
    self.steps = steps
    self.checks = checks
    self.wait = wait
    self.transition = transition
    self.location = location
  }
}

/// Where a consultation goes when a stage is done.
public enum Transition: Sendable {
  /// To the first branch whose condition holds; the last has none.
  case branches([Branch])
  /// The consultation ends with this outcome.
  case end(Outcome, at: SourceLocation)

  /// The ids of the stages this transition can lead to.
  public var targets: [String] {
    if case .branches(let branches) = self { return branches.map(\.target) }
    return []
  }
}

/// One way out of a stage.
public struct Branch: Sendable {
  /// The id of the next stage.
  public var target: String
  /// The condition; `nil` means always.
  public var condition: Expression?
  /// Where the branch is written.
  public var location: SourceLocation

  /// Creates a branch.
  public init(
    to target: String, when condition: Expression? = nil,
    location: SourceLocation = SourceLocation(file: #fileID, line: #line, column: #column)
  ) {
    self.target = target
    self.condition = condition
    self.location = location
  }
}

/// One question asked of staff.
public struct Step: Sendable {
  /// The step's id, unique in the workflow and its plugins; expressions read
  /// the answer by this name.
  public var id: String
  /// The question shown to staff.
  public var prompt: String
  /// Longer help, shown on request.
  public var help: String?
  /// What kind of answer is expected.
  public var answer: AnswerType
  /// The step is asked only when this holds.
  public var condition: Expression?
  /// Whether staff may skip the step.
  public var isOptional: Bool
  /// Whether the answer (an integer) is the session's number of injection
  /// points, held against each area's `max-points` and, with the volume,
  /// its `max-volume-per-point-ml` (`limit: max-points` in a definition).
  public var countsInjectionPoints: Bool
  /// Where the step is defined.
  public var location: SourceLocation

  /// Creates a step.
  public init(
    id: String, prompt: String, help: String? = nil, answer: AnswerType, when condition: Expression? = nil,
    isOptional: Bool = false, countsInjectionPoints: Bool = false,
    location: SourceLocation = SourceLocation(file: #fileID, line: #line, column: #column)
  ) {
    self.id = id
    self.prompt = prompt
    self.help = help
    self.answer = answer
    self.condition = condition
    self.isOptional = isOptional
    self.countsInjectionPoints = countsInjectionPoints
    self.location = location
  }
}

/// The kind of answer a step takes, with its rules.
public enum AnswerType: Sendable, Hashable {
  /// Yes or no.
  case yesNo
  /// A whole number within bounds.
  case integer(NumberBounds)
  /// A number within bounds.
  case decimal(NumberBounds)
  /// Free text, at most `maxLength` characters.
  case text(maxLength: Int?)
  /// One of the options.
  case choice([ChoiceOption])
  /// Any number of the options.
  case multipleChoice([ChoiceOption])
  /// A calendar date within bounds.
  case date(DateBounds)
  /// A consent, signed by a named person at a time.
  case consent(statement: String?)
  /// A product with its lot number and expiry date.
  case product
  /// A volume in millilitres, at most `max`.
  case volume(max: Double?)

  /// The name used in definitions: `yes-no`, `integer`, ...
  public var name: String {
    switch self {
    case .yesNo: return "yes-no"
    case .integer: return "integer"
    case .decimal: return "decimal"
    case .text: return "text"
    case .choice: return "choice"
    case .multipleChoice: return "multi-choice"
    case .date: return "date"
    case .consent: return "consent"
    case .product: return "product"
    case .volume: return "volume"
    }
  }

  /// The type expressions see for an answer of this kind.
  package var valueType: ValueType {
    switch self {
    case .yesNo: return .bool
    case .integer, .decimal, .volume: return .number
    case .text, .choice: return .string
    case .multipleChoice: return .list(.string)
    case .date: return .date
    case .consent: return .consent
    case .product: return .product
    }
  }

  /// The options of a choice or multi-choice step.
  public var options: [ChoiceOption]? {
    switch self {
    case .choice(let options), .multipleChoice(let options): return options
    default: return nil
    }
  }
}

/// Bounds and unit of a numeric answer.
public struct NumberBounds: Sendable, Hashable {
  /// The smallest accepted value.
  public var min: Double?
  /// The largest accepted value.
  public var max: Double?
  /// The unit shown beside the prompt.
  public var unit: String?
  /// The UCUM code of ``unit`` (`ucum:`), such as `a` for years, for records
  /// other systems read; given only with a unit.
  public var ucum: String?

  /// Creates bounds; `nil` means none. A `ucum` code goes with a `unit`.
  public init(min: Double? = nil, max: Double? = nil, unit: String? = nil, ucum: String? = nil) {
    self.min = min
    self.max = max
    self.unit = unit
    self.ucum = ucum
  }
}

/// Bounds of a date answer, each a fixed day or the day of the answer.
public struct DateBounds: Sendable, Hashable {
  /// One bound.
  public enum Limit: Sendable, Hashable, CustomStringConvertible {
    /// The clinic's today when the answer is given.
    case today
    /// A fixed day.
    case day(CalendarDate)

    /// The day this limit stands for when today is `today`.
    public func resolved(today: CalendarDate) -> CalendarDate {
      switch self {
      case .today: return today
      case .day(let day): return day
      }
    }

    /// `today`, or the day as `YYYY-MM-DD`.
    public var description: String {
      switch self {
      case .today: return "today"
      case .day(let day): return day.description
      }
    }
  }

  /// The earliest day accepted (`min:`); `today` refuses a date in the past.
  public var earliest: Limit?
  /// The latest day accepted (`max:`); `today` refuses a date in the future.
  public var latest: Limit?

  /// Creates bounds; `nil` leaves that side open.
  public init(earliest: Limit? = nil, latest: Limit? = nil) {
    self.earliest = earliest
    self.latest = latest
  }

  /// Any day.
  public static let any = DateBounds()
}

/// One option of a choice.
public struct ChoiceOption: Sendable, Hashable {
  /// The id expressions compare with.
  public var id: String
  /// The label shown to staff.
  public var label: String

  /// Creates an option.
  public init(id: String, label: String) {
    self.id = id
    self.label = label
  }
}

/// A rule over answers that fires as soon as it holds.
public struct Check: Sendable {
  /// The check's id, unique in the workflow and its plugins.
  public var id: String
  /// The condition under which the check fires.
  public var condition: CheckCondition
  /// What happens when it fires.
  public var outcome: CheckOutcome
  /// Why, in words for staff.
  public var reason: String
  /// For an exclude check, the ingredients it removes.
  public var excludes: [String]
  /// Where the check is defined.
  public var location: SourceLocation

  /// Creates a check.
  public init(
    id: String, when condition: CheckCondition, outcome: CheckOutcome, reason: String, excludes: [String] = [],
    location: SourceLocation = SourceLocation(file: #fileID, line: #line, column: #column)
  ) {
    self.id = id
    self.condition = condition
    self.outcome = outcome
    self.reason = reason
    self.excludes = excludes
    self.location = location
  }
}

/// What a check does when it fires.
public enum CheckOutcome: String, Sendable, Hashable, CaseIterable, Codable {
  /// An absolute contraindication: the consultation ends as deferred.
  case stop
  /// A physician must approve, with a written reason, or the consultation
  /// ends as referred.
  case refer
  /// A caution staff acknowledge.
  case warn
  /// Removes ingredients or options.
  case exclude
}

/// A minimum time that must pass before a stage begins.
public struct Wait: Sendable {
  /// The step whose answer starts the wait.
  public var since: String
  /// How long at least.
  public var atLeast: TimeSpan
  /// Why, in words for staff.
  public var reason: String?
  /// The wait applies only when this holds.
  public var condition: Expression?
  /// Where the wait is defined.
  public var location: SourceLocation
  /// Where the wait names its `since` step.
  public var sinceLocation: SourceLocation

  /// Creates a wait.
  public init(
    since: String, atLeast: TimeSpan, reason: String? = nil, when condition: Expression? = nil,
    location: SourceLocation = SourceLocation(file: #fileID, line: #line, column: #column),
    sinceLocation: SourceLocation? = nil
  ) {
    self.sinceLocation = sinceLocation ?? location
    self.since = since
    self.atLeast = atLeast
    self.reason = reason
    self.condition = condition
    self.location = location
  }
}

/// An ingredient a cocktail may contain.
public struct Ingredient: Sendable, Hashable {
  /// The id checks exclude by.
  public var id: String
  /// The name for people.
  public var name: String

  /// Creates an ingredient.
  public init(id: String, name: String) {
    self.id = id
    self.name = name
  }
}

/// One aftercare instruction.
public struct AftercareItem: Sendable {
  /// The item's id; items with one id are given once.
  public var id: String
  /// The instruction, for the patient.
  public var text: String
  /// How long after treatment it applies; `nil` when there is no set window.
  public var window: TimeSpan?
  /// Where the item is defined.
  public var location: SourceLocation

  /// Creates an aftercare item.
  public init(
    id: String, text: String, for window: TimeSpan? = nil,
    location: SourceLocation = SourceLocation(file: #fileID, line: #line, column: #column)
  ) {
    self.id = id
    self.text = text
    self.window = window
    self.location = location
  }
}

/// The words a workflow gives the patient's aftercare sheet besides its
/// aftercare items: clinical wording, so written in the definition, never in
/// Swift. Each is optional, and a sheet leaves out what the workflow does not
/// give.
public struct PatientSheet: Sendable, Hashable {
  /// When to call the clinic at once (`warning-signs:`): the line the sheet
  /// ends with, such as "If you notice spreading redness ..., call the
  /// clinic at once."; `nil` for none.
  public var warningSigns: String?

  /// Whether the workflow gives the sheet nothing.
  public var isEmpty: Bool { warningSigns == nil }

  /// Creates the sheet's words; with none, an empty sheet.
  public init(warningSigns: String? = nil) {
    self.warningSigns = warningSigns
  }
}

/// How often a patient comes back.
public struct FollowUpPlan: Sendable, Hashable {
  /// The initial course.
  public var course: Course?
  /// The interval of maintenance sessions after the course.
  public var maintenanceInterval: TimeSpan?
  /// A safety review after the last session.
  public var review: Review?
  /// The date step at which the next session is booked (the workflow's plan
  /// only). When it names one, the course continues from the date booked
  /// there, and without one the course's sessions are still to be booked.
  public var nextSessionStep: String?

  /// Creates a plan.
  public init(
    course: Course? = nil, maintenanceInterval: TimeSpan? = nil, review: Review? = nil, nextSessionStep: String? = nil
  ) {
    self.course = course
    self.maintenanceInterval = maintenanceInterval
    self.review = review
    self.nextSessionStep = nextSessionStep
  }

  /// An initial course of sessions.
  public struct Course: Sendable, Hashable {
    /// The number of sessions, this one included.
    public var sessions: Int
    /// The time between sessions.
    public var interval: TimeSpan

    /// Creates a course.
    public init(sessions: Int, interval: TimeSpan) {
      self.sessions = sessions
      self.interval = interval
    }
  }

  /// A review after the course.
  public struct Review: Sendable, Hashable {
    /// How long after the last session.
    public var after: TimeSpan
    /// Why.
    public var reason: String?

    /// Creates a review.
    public init(after: TimeSpan, reason: String? = nil) {
      self.after = after
      self.reason = reason
    }
  }
}
