extension Consultation {
  /// Checks `answer` against `step`'s type, bounds and the areas' limits, and
  /// returns it in its stored form (an integer given to a decimal step is
  /// stored as a decimal; text is trimmed).
  ///
  /// - Parameter replacing: The step whose current answer a correction
  ///   replaces, so that its volume is not counted twice.
  func validate(_ answer: Answer, for step: Step, at now: Timestamp, replacing: String? = nil) throws(ConsultationError)
    -> Answer
  {
    func fail(_ kind: ConsultationError.Kind, _ message: String) -> ConsultationError {
      ConsultationError(kind, step.id, message)
    }
    func wrongType() -> ConsultationError {
      fail(.wrongType, "expected \(Self.expected(step.answer)), not \(Self.kindName(answer))")
    }
    switch (step.answer, answer) {
    case (.yesNo, .yesNo):
      return answer
    case (.integer(let bounds), .integer(let value)):
      // The areas' limits first: they say more than the step's input guard.
      if step.countsInjectionPoints { try validatePoints(value, step: step, replacing: replacing) }
      try Self.check(Double(value), bounds, step)
      return answer
    case (.decimal(let bounds), .decimal(let value)):
      guard value.isFinite else { throw fail(.invalidAnswer, "the number must be finite") }
      try Self.check(value, bounds, step)
      return answer
    case (.decimal(let bounds), .integer(let value)):
      try Self.check(Double(value), bounds, step)
      return .decimal(Double(value))
    case (.text(let maxLength), .text(let text)):
      let text = text.trimmed
      if text.isEmpty {
        throw fail(.invalidAnswer, "the answer is empty; type the text, or skip the question if it is optional")
      }
      if let maxLength, text.count > maxLength {
        throw fail(.outOfRange, "the text is \(text.count) characters; at most \(maxLength) are allowed")
      }
      try Self.refuseControl(text, "the text", multiline: true, fail)
      return .text(text)
    case (.choice(let options), .choice(let id)):
      guard options.contains(where: { $0.id == id }) else {
        throw fail(.invalidAnswer, "'\(id)' is not one of the options: \(Self.optionList(options))")
      }
      return answer
    case (.multipleChoice(let options), .multipleChoice(let ids)):
      var seen = Set<String>()
      for id in ids {
        guard options.contains(where: { $0.id == id }) else {
          throw fail(.invalidAnswer, "'\(id)' is not one of the options: \(Self.optionList(options))")
        }
        guard seen.insert(id).inserted else { throw fail(.invalidAnswer, "'\(id)' is chosen twice") }
      }
      // Stored in the options' order, so that equal choices compare equal.
      return .multipleChoice(options.map(\.id).filter(seen.contains))
    case (.date(let bounds), .date(let day)):
      let today = timeZone.date(of: now)
      if let earliest = bounds.earliest?.resolved(today: today), day < earliest {
        throw fail(
          .outOfRange,
          bounds.earliest == .today
            ? "\(day) is in the past; the date must be today (\(today)) or later"
            : "\(day) is before \(earliest); the date must be \(earliest) or later")
      }
      if let latest = bounds.latest?.resolved(today: today), day > latest {
        throw fail(
          .outOfRange,
          bounds.latest == .today
            ? "\(day) is in the future; the date must be today (\(today)) or earlier"
            : "\(day) is after \(latest); the date must be \(latest) or earlier")
      }
      try validateNextSession(day, step: step)
      return answer
    case (.consent, .consent(let consent)):
      let name = consent.signedBy.trimmed
      if name.isEmpty { throw fail(.invalidAnswer, "a consent needs the signer's name") }
      try Self.refuseControl(name, "the signer's name", multiline: false, fail)
      if consent.signedAt > now {
        throw fail(
          .invalidAnswer,
          "the consent is dated \(timeZone.format(consent.signedAt)), which is in the future")
      }
      return .consent(Consent(signedBy: name, signedAt: consent.signedAt))
    case (.product, .product(let product)):
      let name = product.name.trimmed
      let lot = product.lot.trimmed
      if name.isEmpty { throw fail(.invalidAnswer, "the product needs its name") }
      if lot.isEmpty { throw fail(.invalidAnswer, "the product needs its lot or batch number, for traceability") }
      try Self.refuseControl(name, "the product's name", multiline: false, fail)
      try Self.refuseControl(lot, "the lot number", multiline: false, fail)
      let today = timeZone.date(of: now)
      if product.expiry < today {
        throw fail(
          .invalidAnswer, "\(name) lot \(lot) expired on \(product.expiry); an expired product must not be used")
      }
      return .product(Product(name: name, lot: lot, expiry: product.expiry))
    case (.volume(let max), .volume(let entries)):
      return .volume(try validateVolume(entries, max: max, step: step, replacing: replacing))
    default:
      throw wrongType()
    }
  }

  /// Refuses a text holding a control character a record may not keep
  /// (`String.forbiddenControlCharacter(multiline:)`), naming it.
  static func refuseControl(
    _ text: String, _ what: String, multiline: Bool,
    _ fail: (ConsultationError.Kind, String) -> ConsultationError
  ) throws(ConsultationError) {
    guard let scalar = text.forbiddenControlCharacter(multiline: multiline) else { return }
    let hex = String(scalar.value, radix: 16, uppercase: true)
    throw fail(
      .invalidAnswer,
      "\(what) holds the control character U+\(String(repeating: "0", count: 4 - hex.count))\(hex), which a record cannot keep (a scanner may add one); type it again without"
    )
  }

  private func validateVolume(_ entries: [VolumeEntry], max: Double?, step: Step, replacing: String?)
    throws(ConsultationError) -> [VolumeEntry]
  {
    func fail(_ kind: ConsultationError.Kind, _ message: String) -> ConsultationError {
      ConsultationError(kind, step.id, message)
    }
    guard !entries.isEmpty else { throw fail(.invalidAnswer, "record at least one volume") }
    let areas = blueprint.areaIDs
    var resolved: [VolumeEntry] = []
    for var entry in entries {
      guard entry.millilitres.isFinite, entry.millilitres > 0 else {
        throw fail(.outOfRange, "a volume must be more than 0 ml")
      }
      if let points = entry.points, points <= 0 { throw fail(.outOfRange, "the number of points must be at least 1") }
      if let area = entry.area {
        guard areas.contains(area) else {
          throw fail(
            .unknown,
            areas.isEmpty
              ? "this consultation covers no area, so a volume cannot name '\(area)'"
              : "'\(area)' is not an area of this consultation; areas: \(areas.joined(separator: ", "))")
        }
      } else if areas.count == 1 {
        entry.area = areas[0]
      } else if areas.count > 1 {
        throw fail(.invalidAnswer, "say which area each volume is for: \(areas.joined(separator: ", "))")
      }
      resolved.append(entry)
    }
    // What the other volume answers already hold, per area.
    var recorded: [String: (millilitres: Double, points: Int)] = [:]
    var others: [VolumeEntry] = []
    for (id, answer) in state.answers.sorted(by: { order(of: $0.key) < order(of: $1.key) }) where id != replacing {
      guard case .volume(let earlier) = answer.answer else { continue }
      others += earlier
      for entry in earlier {
        let area = entry.area ?? ""
        recorded[area, default: (0, 0)].millilitres += entry.millilitres
        recorded[area, default: (0, 0)].points = Self.sum(recorded[area]?.points ?? 0, entry.points ?? 0)
      }
    }
    var adding: [String: (millilitres: Double, points: Int)] = [:]
    for entry in resolved {
      let area = entry.area ?? ""
      adding[area, default: (0, 0)].millilitres += entry.millilitres
      adding[area, default: (0, 0)].points = Self.sum(adding[area]?.points ?? 0, entry.points ?? 0)
      if let limit = blueprint.limits[area]?.maxVolumePerPointMillilitres, let perPoint = entry.millilitresPerPoint,
        perPoint > limit + 1e-9
      {
        throw fail(
          .limitExceeded,
          "\(area): \(formatNumber(entry.millilitres)) ml over \(entry.points ?? 0) points is \(formatNumber(perPoint)) ml per point, more than the limit of \(formatNumber(limit)) ml per point"
        )
      }
    }
    for area in adding.keys.sorted() {
      guard let limits = blueprint.limits[area], let added = adding[area] else { continue }
      let before = recorded[area] ?? (0, 0)
      if let limit = limits.maxVolumeMillilitres, before.millilitres + added.millilitres > limit + 1e-9 {
        throw fail(
          .limitExceeded,
          "\(area): \(formatNumber(added.millilitres)) ml more would make \(formatNumber(before.millilitres + added.millilitres)) ml, over the limit of \(formatNumber(limit)) ml per session (\(formatNumber(before.millilitres)) ml recorded so far)"
        )
      }
      let points = Self.sum(before.points, added.points)
      if let limit = limits.maxPoints, points > limit {
        throw fail(
          .limitExceeded,
          "\(area): \(added.points) more points would make \(points), over the limit of \(limit) points per session (\(before.points) recorded so far)"
        )
      }
    }
    if let problem = pointsProblem(volumes: others + resolved, counted: recordedInjectionPoints(replacing: replacing)) {
      throw fail(.limitExceeded, problem)
    }
    // The step's own input guard last: an area's limit says more.
    let total = VolumeEntry.total(resolved)
    if let max, total > max {
      throw fail(
        .outOfRange, "\(formatNumber(total)) ml is more than the most this question accepts, \(formatNumber(max)) ml")
    }
    return resolved
  }

  /// The next session of a course, booked at the workflow's next-session
  /// step once treatment was given, may not come sooner than the longest
  /// interval of the chosen areas' courses allows.
  private func validateNextSession(_ day: CalendarDate, step: Step) throws(ConsultationError) {
    let merged = workflow
    guard step.id == merged.workflow.followUp?.nextSessionStep,
      let treatedAt = state.completedStages[blueprint.procedureStage]
    else { return }
    var plans = merged.areas.compactMap(\.followUp)
    if let own = merged.workflow.followUp, merged.areas.isEmpty || merged.areas.contains(where: { $0.followUp == nil })
    {
      plans.append(own)
    }
    let intervals = plans.compactMap { plan in plan.course.flatMap { $0.sessions > 1 ? $0.interval : nil } }
    guard let interval = intervals.max() else { return }
    let earliest = timeZone.date(of: treatedAt).adding(days: interval.daysRoundedUp)
    if day < earliest {
      throw ConsultationError(
        .outOfRange, step.id,
        "\(day) is too soon: the course's sessions are \(interval) apart, so the next one is on \(earliest) or later")
    }
  }

  /// `a + b`, at most `Int.max`: points typed by hand may be any size.
  static func sum(_ a: Int, _ b: Int) -> Int {
    let (value, overflow) = a.addingReportingOverflow(b)
    return overflow ? (b < 0 ? .min : .max) : value
  }

  /// The number of injection points recorded by a step that counts them
  /// (``Step/countsInjectionPoints``), other than `replacing`.
  private func recordedInjectionPoints(replacing: String?) -> (step: String, points: Int)? {
    for id in blueprint.pointsSteps where id != replacing {
      if case .integer(let points)? = state.answers[id]?.answer { return (id, points) }
    }
    return nil
  }

  /// What is wrong with the volumes and the points counted, as they would
  /// stand, in one rule for whichever is answered last: the volumes' own
  /// points cannot be more than the points counted, and volume without
  /// points of its own is spread over the points counted that the others do
  /// not give, held to the area's most ml per point. With several areas the
  /// points counted cannot be shared out, so each volume must give its own
  /// points where an area has such a limit. Nothing is held when no step
  /// counts the points, or it was not answered.
  private func pointsProblem(volumes: [VolumeEntry], counted: (step: String, points: Int)?) -> String? {
    // A negative count is the input guard's to refuse.
    guard let counted, counted.points >= 0 else { return nil }
    let areas = blueprint.areaIDs
    let pointed = volumes.compactMap(\.points).reduce(0, Self.sum)
    if pointed > counted.points {
      return
        "the volumes give \(pointed) points, more than the \(counted.points) of '\(counted.step)'; correct one of the two"
    }
    let unpointed = volumes.filter { $0.points == nil }
    guard !unpointed.isEmpty else { return nil }
    let perPointLimits = areas.compactMap { area in
      blueprint.limits[area]?.maxVolumePerPointMillilitres.map { (area, $0) }
    }
    guard let (area, limit) = perPointLimits.first else { return nil }
    if areas.count > 1 {
      return
        "with several areas, give each volume its points (as \(area) 2 ml over 40 points), so that each area's limit per point can be held"
    }
    let millilitres = VolumeEntry.total(unpointed)
    let remaining = counted.points - pointed
    let without = pointed == 0 ? "" : " that the other volumes do not give"
    guard remaining > 0 else {
      return
        "\(area): \(formatNumber(millilitres)) ml has no points of its own, and '\(counted.step)' counts \(counted.points) points\(pointed == 0 ? "" : ", all given by the other volumes"), so it cannot be held to the limit of \(formatNumber(limit)) ml per point; give its points or correct the count"
    }
    let perPoint = millilitres / Double(remaining)
    guard perPoint > limit + 1e-9 else { return nil }
    return
      "\(area): \(formatNumber(millilitres)) ml over the \(remaining) points of '\(counted.step)'\(without) is \(formatNumber(perPoint)) ml per point, more than the limit of \(formatNumber(limit)) ml per point"
  }

  /// Holds the session's number of injection points against the areas'
  /// limits: the most points (one area's, or the areas' together), and the
  /// volumes recorded (``pointsProblem(volumes:counted:)``).
  private func validatePoints(_ points: Int, step: Step, replacing: String?) throws(ConsultationError) {
    let areas = blueprint.areaIDs
    let limited = areas.compactMap { area in blueprint.limits[area]?.maxPoints.map { (area, $0) } }
    if !areas.isEmpty, limited.count == areas.count {
      let total = limited.map(\.1).reduce(0, Self.sum)
      if points > total {
        let message =
          areas.count == 1
          ? "\(areas[0]): \(points) points is over the limit of \(total) points per session"
          : "\(points) points is over the limit of these areas together, \(total) points per session ("
            + limited.map { "\($0.0) \($0.1)" }.joined(separator: ", ") + ")"
        throw ConsultationError(.limitExceeded, step.id, message)
      }
    }
    var volumes: [VolumeEntry] = []
    for (id, answer) in state.answers.sorted(by: { order(of: $0.key) < order(of: $1.key) }) where id != replacing {
      if case .volume(let entries) = answer.answer { volumes += entries }
    }
    if let problem = pointsProblem(volumes: volumes, counted: (step.id, points)) {
      throw ConsultationError(.limitExceeded, step.id, problem)
    }
  }

  private static func check(_ value: Double, _ bounds: NumberBounds, _ step: Step) throws(ConsultationError) {
    let unit = bounds.unit.map { " \($0)" } ?? ""
    let outside: Bool = (bounds.min.map { value < $0 } ?? false) || (bounds.max.map { value > $0 } ?? false)
    guard outside else { return }
    let range: String
    switch (bounds.min, bounds.max) {
    case (let min?, let max?): range = "between \(formatNumber(min)) and \(formatNumber(max))\(unit)"
    case (let min?, nil): range = "at least \(formatNumber(min))\(unit)"
    case (nil, let max?): range = "at most \(formatNumber(max))\(unit)"
    case (nil, nil): range = ""
    }
    throw ConsultationError(
      .outOfRange, step.id, "\(formatNumber(value))\(unit) is out of range; the answer must be \(range)")
  }

  private static func optionList(_ options: [ChoiceOption]) -> String {
    options.map(\.id).joined(separator: ", ")
  }

  static func expected(_ type: AnswerType) -> String {
    switch type {
    case .yesNo: return "yes or no"
    case .integer: return "a whole number"
    case .decimal: return "a number"
    case .text: return "text"
    case .choice: return "one option"
    case .multipleChoice: return "a set of options"
    case .date: return "a date"
    case .consent: return "a consent (signer and time)"
    case .product: return "a product (name, lot and expiry)"
    case .volume: return "a volume in ml"
    }
  }

  static func kindName(_ answer: Answer) -> String {
    switch answer {
    case .yesNo: return "yes or no"
    case .integer: return "a whole number"
    case .decimal: return "a decimal number"
    case .text: return "text"
    case .choice: return "one option"
    case .multipleChoice: return "a set of options"
    case .date: return "a date"
    case .consent: return "a consent"
    case .product: return "a product"
    case .volume: return "a volume"
    }
  }
}
