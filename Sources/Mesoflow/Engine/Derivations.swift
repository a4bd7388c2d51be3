/// An aftercare instruction for one consultation, with when it ends.
public struct AftercareInstruction: Sendable, Hashable {
  /// The item's id.
  public var id: String
  /// The instruction, for the patient.
  public var text: String
  /// How long it applies; `nil` when it has no set window.
  public var window: TimeSpan?
  /// When it ends: the treatment time plus the window.
  public var endsAt: Timestamp?
  /// The workflow or the areas it comes from.
  public var origins: [MergedWorkflow.Origin]
}

/// One date of a follow-up schedule.
public struct FollowUpAppointment: Sendable, Hashable {
  /// What the appointment is.
  public enum Kind: Sendable, Hashable {
    /// Session `number` of a course of `of` (this consultation is session 1).
    case session(number: Int, of: Int)
    /// The first maintenance session; later ones follow every `every`.
    case maintenance(every: TimeSpan)
    /// A safety review.
    case review(reason: String?)
  }

  /// The day: booked at the consultation, or worked out from the plan;
  /// `nil` for a session of the course that is still to be booked (the
  /// workflow asks for the next session's date, and none was booked).
  public var date: CalendarDate?
  /// Whether staff booked this day at the consultation (the next session),
  /// rather than it being worked out from the plan.
  public var isBooked: Bool
  /// The day it falls due by the plan, counted from the treatment: for a
  /// session still to be booked, the day by which to book it.
  public var dueDate: CalendarDate
  /// What it is.
  public var kind: Kind
  /// The areas it is for; empty when the workflow's plan covers every area.
  public var areas: [String]
}

extension MergedWorkflow {
  /// The aftercare for the chosen areas after a treatment at `treatedAt`:
  /// the workflow's items, then each area's, each id given once with the
  /// longest window any of them gives. A window of whole days ends at the
  /// same local time of day in `timeZone`, whatever daylight saving did.
  public func aftercare(treatedAt: Timestamp, timeZone: ClinicTimeZone = .utc) -> [AftercareInstruction] {
    var instructions: [AftercareInstruction] = []
    var index: [String: Int] = [:]
    var all: [(AftercareItem, Origin)] = workflow.aftercare.map { ($0, .workflow) }
    for area in areas { all += area.aftercare.map { ($0, .area(area.id)) } }
    for (item, origin) in all {
      if let position = index[item.id] {
        instructions[position].origins.append(origin)
        if let window = item.window, window > (instructions[position].window ?? .zero) {
          instructions[position].window = window
          instructions[position].endsAt = timeZone.adding(window, to: treatedAt)
        }
        continue
      }
      index[item.id] = instructions.count
      instructions.append(
        AftercareInstruction(
          id: item.id, text: item.text, window: item.window,
          endsAt: item.window.map { timeZone.adding($0, to: treatedAt) }, origins: [origin]))
    }
    return instructions
  }

  /// The follow-up schedule after a treatment at `treatedAt`, as local days
  /// in `timeZone`: each plan's remaining course sessions at their
  /// interval, the first maintenance session after the course, and the
  /// safety review. An area without a plan of its own follows the workflow's;
  /// equal appointments of several areas are given once.
  ///
  /// When the workflow names the step at which the next session is booked
  /// (``FollowUpPlan/nextSessionStep``), the course continues from
  /// `nextSession`, the day booked there; with none booked, the course's
  /// sessions (and the maintenance after them) are still to be booked and
  /// carry no date. Otherwise every day is worked out from the treatment.
  public func followUpSchedule(
    treatedAt: Timestamp, timeZone: ClinicTimeZone, nextSession: CalendarDate? = nil
  ) -> [FollowUpAppointment] {
    var plans: [(plan: FollowUpPlan, areas: [String])] = []
    let own = areas.filter { $0.followUp == nil }.map(\.id)
    if let plan = workflow.followUp, !own.isEmpty || areas.isEmpty {
      plans.append((plan, areas.count == own.count ? [] : own))
    }
    for area in areas { if let plan = area.followUp { plans.append((plan, [area.id])) } }
    let booking = workflow.followUp?.nextSessionStep != nil

    var appointments: [FollowUpAppointment] = []
    func add(
      _ date: CalendarDate?, due: CalendarDate, booked: Bool = false, _ kind: FollowUpAppointment.Kind,
      _ areas: [String]
    ) {
      if let same = appointments.firstIndex(where: { $0.date == date && $0.kind.sameAppointment(as: kind) }) {
        appointments[same].areas =
          appointments[same].areas.isEmpty || areas.isEmpty ? [] : Array(Set(appointments[same].areas + areas)).sorted()
        appointments[same].isBooked = appointments[same].isBooked || booked
        appointments[same].dueDate = min(appointments[same].dueDate, due)
      } else {
        appointments.append(FollowUpAppointment(date: date, isBooked: booked, dueDate: due, kind: kind, areas: areas))
      }
    }
    func days(_ span: TimeSpan, times count: Int = 1) -> Int {
      let (seconds, overflow) = span.seconds.multipliedReportingOverflow(by: count)
      if overflow { return span.seconds < 0 ? Int.min / 86_400 : Int.max / 86_400 }
      return TimeSpan(seconds: seconds).daysRoundedUp
    }
    let treated = timeZone.date(of: treatedAt)
    /// The day `count` times `span` after the treatment: whole days on the
    /// clinic's calendar, anything else the day of the instant that long after.
    func fromTreatment(_ span: TimeSpan, times count: Int = 1) -> CalendarDate {
      let (seconds, overflow) = span.seconds.multipliedReportingOverflow(by: count)
      if !overflow, seconds % 86_400 != 0 { return timeZone.date(of: treatedAt + TimeSpan(seconds: seconds)) }
      return treated.adding(days: days(span, times: count))
    }
    for (plan, areas) in plans {
      // The last session so far: today's, unless the course goes on; its
      // day (none while the course is still to be booked), and how long
      // after the treatment it falls due.
      var last: CalendarDate? = treated
      var lastDue = TimeSpan.zero
      if let course = plan.course, course.sessions > 1 {
        for number in 2...course.sessions {
          lastDue = TimeSpan(seconds: course.interval.seconds.multipliedReportingOverflow(by: number - 1).partialValue)
          let due = fromTreatment(lastDue)
          let date = booking ? nextSession.map { $0.adding(days: days(course.interval, times: number - 2)) } : due
          add(
            date, due: due, booked: booking && number == 2 && date != nil,
            .session(number: number, of: course.sessions),
            areas)
          last = date
        }
      }
      if let every = plan.maintenanceInterval {
        let due = fromTreatment(lastDue + every)
        add(booking ? last.map { $0.adding(days: days(every)) } : due, due: due, .maintenance(every: every), areas)
      }
      if let review = plan.review {
        let due = fromTreatment(review.after)
        add(due, due: due, .review(reason: review.reason), areas)
      }
    }
    // Days in order; what is still to be booked after, by when it falls due.
    return appointments.sorted {
      ($0.date?.daysSinceEpoch ?? .max, $0.dueDate, $0.sortKey) < (
        $1.date?.daysSinceEpoch ?? .max, $1.dueDate, $1.sortKey
      )
    }
  }
}

extension FollowUpAppointment.Kind {
  /// Whether two appointments of this kind on one day are one visit: equal
  /// sessions or maintenance, or any two reviews.
  fileprivate func sameAppointment(as other: Self) -> Bool {
    if case .review = self, case .review = other { return true }
    return self == other
  }
}

extension FollowUpAppointment {
  fileprivate var sortKey: Int {
    switch kind {
    case .session(let number, _): return number
    case .maintenance: return 1000
    case .review: return 2000
    }
  }
}

// MARK: - The record

/// What a consultation recorded, for the chart and the patient: who, when,
/// every answer, every check and how it was resolved, products and volumes,
/// and, once treatment was given, the aftercare and follow-up.
public struct ConsultationRecord: Sendable, CustomStringConvertible {
  /// One answer that counts, in workflow order.
  public struct AnswerLine: Sendable {
    /// The stage's id.
    public var stage: String
    /// The step.
    public var step: Step
    /// The answer.
    public var answer: RecordedAnswer
  }

  /// One check that fired, in the order it (last) fired.
  public struct CheckLine: Sendable {
    /// The check.
    public var check: Check
    /// Where it stands.
    public var fired: FiredCheck
  }

  /// What the consultation started with.
  public var start: ConsultationStart
  /// When it started.
  public var startedAt: Timestamp
  /// When it ended, if it has.
  public var endedAt: Timestamp?
  /// How it ended, if it has.
  public var outcome: Outcome?
  /// The stop or referral that ended it.
  public var endedBy: String?
  /// The note written when it was ended, if one was.
  public var endNote: ConsultationNote?
  /// The answers that count.
  public var answers: [AnswerLine]
  /// The checks that fired.
  public var checks: [CheckLine]
  /// The ingredients removed, in workflow order.
  public var excludedIngredients: [Ingredient]
  /// The products recorded.
  public var products: [Product]
  /// The volume injected per area, in millilitres.
  public var volumes: [String: Double]
  /// When treatment was given: when the procedure stage was completed.
  public var treatedAt: Timestamp?
  /// The aftercare, once treatment was given.
  public var aftercare: [AftercareInstruction]
  /// The follow-up, once treatment was given.
  public var followUp: [FollowUpAppointment]
  /// The expected duration of the whole consultation.
  public var expectedDuration: TimeRange
  /// The notes clinicians wrote, in order.
  public var notes: [ConsultationNote]
  /// The clinic's time zone, in which every time of the record is shown.
  public var timeZone: ClinicTimeZone

  init(_ consultation: Consultation) {
    let state = consultation.state
    let merged = consultation.workflow
    let blueprint = merged.blueprint
    start = state.start
    startedAt = state.startedAt
    endedAt = state.endedAt
    outcome = state.outcome
    endedBy = state.endedBy
    endNote = state.endNote
    expectedDuration = merged.expectedDuration
    notes = state.notes
    var answers: [AnswerLine] = []
    var products: [Product] = []
    var volumes: [String: Double] = [:]
    for stage in merged.stages {
      for step in stage.steps.lazy.map(\.step) {
        guard let answer = state.answers[step.id] else { continue }
        answers.append(AnswerLine(stage: stage.id, step: step, answer: answer))
        switch answer.answer {
        case .product(let product): products.append(product)
        case .volume(let entries):
          for entry in entries { volumes[entry.area ?? "", default: 0] += entry.millilitres }
        default: break
        }
      }
    }
    self.answers = answers
    self.products = products
    self.volumes = volumes
    checks = state.checks.values.sorted {
      ($0.firedAt, blueprint.checks[$0.id]?.order ?? 0) < ($1.firedAt, blueprint.checks[$1.id]?.order ?? 0)
    }
    .compactMap { fired in blueprint.checks[fired.id].map { CheckLine(check: $0.check, fired: fired) } }
    excludedIngredients = merged.ingredients.map(\.ingredient).filter { state.excludedIngredients[$0.id] != nil }
    treatedAt = state.completedStages[blueprint.procedureStage]
    timeZone = consultation.timeZone
    if let treatedAt {
      aftercare = merged.aftercare(treatedAt: treatedAt, timeZone: consultation.timeZone)
      followUp = consultation.followUpSchedule
    } else {
      aftercare = []
      followUp = []
    }
  }

  /// The record as text, for printing, with every time in the clinic's time zone.
  public var description: String {
    func local(_ instant: Timestamp) -> String { timeZone.format(instant) }
    var out = "Consultation \(start.id): \(start.workflow) v\(start.workflowVersion)"
    out += start.areas.isEmpty ? "\n" : ", areas \(start.areas.joined(separator: ", "))\n"
    out += "Started \(local(startedAt)) by \(start.staff)\n"
    out += "Times in \(timeZone)\n"
    if let outcome, let endedAt {
      out += "Outcome: \(outcome.rawValue) at \(local(endedAt))"
      out += endedBy.map { " (check \($0))\n" } ?? "\n"
      if let endNote { out += "Ending note by \(endNote.by?.description ?? "-"): \(endNote.text)\n" }
    } else {
      out += "Outcome: in progress\n"
    }
    out += "Expected duration: \(expectedDuration)\n"
    out += "\nAnswers:\n"
    var stage = ""
    for line in answers {
      if line.stage != stage {
        stage = line.stage
        out += "  [\(stage)]\n"
      }
      let corrected = line.answer.corrections > 0 ? " (corrected)" : ""
      out += "  - \(line.step.id): \(line.answer.answer.description(in: timeZone))\(corrected)\n"
    }
    if !checks.isEmpty {
      out += "\nChecks:\n"
      for line in checks {
        out += "  - \(line.check.outcome.rawValue.uppercased()) \(line.check.id): \(line.check.reason)\n"
        switch line.fired.status {
        case .pending: out += "    pending\n"
        case .applied: out += "    applied: \(line.check.excludes.joined(separator: ", ")) removed\n"
        case .acknowledged(let by, let at): out += "    acknowledged by \(by?.description ?? "-") at \(local(at))\n"
        case .overridden(let by, let reason, let at):
          out += "    overridden by \(by?.description ?? "-") at \(local(at)): \(reason)\n"
        case .endedConsultation(let at): out += "    ended the consultation at \(local(at))\n"
        case .cleared(let at): out += "    cleared by a correction at \(local(at))\n"
        }
      }
    }
    if !notes.isEmpty {
      out += "\nNotes:\n"
      for note in notes {
        let about = note.step.map { " on \($0)" } ?? ""
        out += "  - \(local(note.at)) \(note.by?.description ?? "-")\(about): \(note.text)\n"
      }
    }
    if !excludedIngredients.isEmpty {
      out += "\nExcluded ingredients: \(excludedIngredients.map(\.name).joined(separator: ", "))\n"
    }
    if !volumes.isEmpty {
      out +=
        "Volumes: " + volumes.keys.sorted().map { "\($0) \(formatNumber(volumes[$0] ?? 0)) ml" }.joined(separator: ", ")
        + "\n"
    }
    if let treatedAt {
      out += "\nTreated at \(local(treatedAt))\n\nAftercare:\n"
      for item in aftercare {
        out += "  - \(item.text)"
        out += item.endsAt.map { " Until \(local($0)).\n" } ?? "\n"
      }
      if !followUp.isEmpty {
        out += "\nFollow-up:\n"
        for appointment in followUp {
          let areas = appointment.areas.isEmpty ? "" : " (\(appointment.areas.joined(separator: ", ")))"
          let when =
            appointment.date.map { "\($0)" + (appointment.isBooked ? " (booked)" : "") }
            ?? "to be booked (due \(appointment.dueDate))"
          switch appointment.kind {
          case .session(let number, let total): out += "  - \(when): session \(number) of \(total)\(areas)\n"
          case .maintenance(let every): out += "  - \(when): maintenance, then every \(every)\(areas)\n"
          case .review: out += "  - \(when): safety review\(areas)\n"
          }
        }
      }
    }
    return out
  }
}

extension Consultation {
  /// The consultation's record: answers, checks and their resolutions,
  /// products and volumes, and once treated, aftercare and follow-up dates.
  public var record: ConsultationRecord { ConsultationRecord(self) }

  /// The follow-up once treatment was given (empty before), with the next
  /// session as booked at the workflow's booking step.
  public var followUpSchedule: [FollowUpAppointment] {
    guard let treatedAt = state.completedStages[blueprint.procedureStage] else { return [] }
    var nextSession: CalendarDate?
    if let step = workflow.workflow.followUp?.nextSessionStep, case .date(let day)? = state.answers[step]?.answer {
      nextSession = day
    }
    return workflow.followUpSchedule(treatedAt: treatedAt, timeZone: timeZone, nextSession: nextSession)
  }
}
