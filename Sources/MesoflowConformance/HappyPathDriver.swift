import Mesoflow

/// Drives a consultation as a patient with no contraindication: each question
/// gets the first acceptable answer that fires no stop; warnings are
/// acknowledged, referrals approved by a physician, waits waited out.
struct HappyPathDriver {
  let workflow: MergedWorkflow
  let clock: ManualClock
  static let staff = Clinician(name: "Conformance Nurse", role: .staff)
  static let physician = Clinician(name: "Conformance Physician", role: .physician)

  func start() -> Consultation? {
    try? Consultation(id: "conformance", workflow: workflow, staff: Self.staff, clock: clock)
  }

  func run() -> Result<Consultation, ConformanceFailure> {
    switch drive(stoppingAt: { _ in false }) {
    case .completed(let consultation): return .success(consultation)
    case .failed(let failure): return .failure(failure)
    case .stopped(_, let consultation): return .success(consultation)
    }
  }

  enum Progress {
    case completed(Consultation)
    case failed(ConformanceFailure)
    /// At the first question for which `stoppingAt` holds, before answering it.
    case stopped(Question, Consultation)
  }

  /// Drives a fresh consultation as a patient with no contraindication, to
  /// its end or to the first question for which `stoppingAt` holds.
  func drive(stoppingAt: (Question) -> Bool) -> Progress {
    guard var consultation = start() else {
      return .failed(ConformanceFailure(rule: "completes", message: "the consultation cannot start"))
    }
    for _ in 0..<10_000 {
      clock.advance(by: TimeSpan(seconds: 20))
      switch consultation.prompt {
      case .finished(.completed):
        return .completed(consultation)
      case .finished(let outcome):
        return .failed(ConformanceFailure(rule: "completes", message: "the consultation ended as \(outcome.rawValue)"))
      case .wait(let wait):
        clock.set(wait.until)
        _ = try? consultation.proceed()
      case .resolve(let alert):
        if !resolve(alert, &consultation) {
          return .failed(
            ConformanceFailure(
              rule: "completes", message: "check '\(alert.check.id)' stops a patient with no contraindication"))
        }
      case .question(let question):
        if stoppingAt(question) { return .stopped(question, consultation) }
        if let failure = answer(question, in: &consultation) { return .failed(failure) }
      }
    }
    return .failed(ConformanceFailure(rule: "completes", message: "the consultation did not end after 10,000 inputs"))
  }

  /// Acknowledges a warning or has a physician approve a referral; `false`
  /// for a stop, which nobody may pass.
  private func resolve(_ alert: CheckAlert, _ consultation: inout Consultation) -> Bool {
    switch alert.check.outcome {
    case .warn, .exclude: _ = try? consultation.acknowledge(alert.check.id)
    case .refer: _ = try? consultation.override(alert.check.id, reason: "conformance run", by: Self.physician)
    case .stop: return false
    }
    return true
  }

  /// Answers with the first candidate that is accepted and fires no stop.
  private func answer(_ question: Question, in consultation: inout Consultation) -> ConformanceFailure? {
    let step = question.step
    var lastError: ConsultationError?
    for candidate in candidates(for: step, consultation) {
      var trial = consultation
      do {
        try trial.answer(step.id, candidate)
      } catch {
        lastError = error
        continue
      }
      if case .resolve(let alert) = trial.prompt, alert.check.outcome == .stop { continue }
      consultation = trial
      return nil
    }
    if step.isOptional, (try? consultation.skip(step.id)) != nil { return nil }
    return ConformanceFailure(
      rule: "completes",
      message: "no answer to step '\(step.id)' is both accepted and free of a stop"
        + (lastError.map { " (last refusal: \($0.message))" } ?? ""))
  }

  private func candidates(for step: Step, _ consultation: Consultation) -> [Answer] {
    let now = clock.now()
    let today = now.date(utcOffset: consultation.state.start.utcOffset)
    func day(_ offset: Int) -> CalendarDate { CalendarDate(daysSinceEpoch: today.daysSinceEpoch + offset) ?? today }
    func numbers(_ bounds: NumberBounds) -> [Double] {
      let low = bounds.min ?? 0
      let high = bounds.max ?? Swift.max(low, 100)
      let middle = (low + high) / 2
      return [middle.rounded(), low, high].filter { $0 >= low && $0 <= high }
    }
    switch step.answer {
    case .yesNo: return [.yesNo(false), .yesNo(true)]
    case .integer(let bounds) where step.countsInjectionPoints:
      // The points the volume answer below spreads its volume over.
      var volumeMax: Double?
      for stage in workflow.stages {
        for step in stage.steps.lazy.map(\.step) { if case .volume(let max) = step.answer { volumeMax = max } }
      }
      let points = volume(max: volumeMax, areas: consultation.state.start.areas).compactMap(\.points).reduce(0, +)
      return [.integer(points)] + numbers(bounds).map { .integer(Int($0)) }
    case .integer(let bounds): return numbers(bounds).map { .integer(Int($0)) }
    case .decimal(let bounds): return numbers(bounds).map { .decimal($0) }
    case .text: return [.text("Recorded by the conformance kit")]
    case .choice(let options): return options.map { .choice($0.id) }
    case .multipleChoice(let options): return [.multipleChoice([])] + options.map { .multipleChoice([$0.id]) }
    // Soon, later (after a long course interval), long ago.
    case .date: return [.date(day(14)), .date(day(60)), .date(day(400)), .date(day(-1)), .date(day(-365 * 35))]
    case .consent: return [.consent(Consent(signedBy: "Conformance Patient", signedAt: now))]
    case .product: return [.product(Product(name: "Conformance product", lot: "LOT-1", expiry: day(365)))]
    case .volume(let max):
      return [.volume(volume(max: max, areas: consultation.state.start.areas))]
    }
  }

  /// The volume the driver records: within each area's limits.
  private func volume(max: Double?, areas: [String]) -> [VolumeEntry] {
    guard !areas.isEmpty else { return [VolumeEntry(millilitres: Swift.min(1, max ?? 1))] }
    let share = (max ?? Double(areas.count)) / Double(areas.count)
    return areas.map { safeEntry(area: $0, millilitres: Swift.min(1, share / 2)) }
  }

  /// A volume within the area's limits: at most half its session limit,
  /// spread over enough points to stay under its limit per point.
  private func safeEntry(area: String, millilitres: Double) -> VolumeEntry {
    let limits = workflow.areas.first { $0.id == area }?.limits ?? Limits()
    let amount = Swift.min(millilitres, (limits.maxVolumeMillilitres ?? millilitres * 2) / 2)
    guard let perPoint = limits.maxVolumePerPointMillilitres else {
      return VolumeEntry(area: area, millilitres: amount)
    }
    var points = Int((amount / perPoint).rounded(.up)) + 1
    if let most = limits.maxPoints { points = Swift.min(points, most) }
    return VolumeEntry(area: area, millilitres: amount, points: points)
  }

  /// Drives a fresh consultation to its first volume question and checks
  /// that a volume over the plugin's limit is refused.
  func limitFailure(_ plugin: any AreaPlugin) -> String? {
    guard let limit = plugin.limits.maxVolumeMillilitres,
      case .stopped(let question, var consultation) = drive(stoppingAt: {
        if case .volume = $0.step.answer { return true } else { return false }
      }),
      case .volume(let max) = question.step.answer
    else { return nil }
    if let max, max <= limit { return nil }  // the question itself bounds it below the limit
    do {
      try consultation.answer(question.step.id, .volume([VolumeEntry(area: plugin.id, millilitres: limit + 0.5)]))
      return "a volume of \(limit + 0.5) ml was accepted over the limit of \(limit) ml"
    } catch {
      return error.kind == .limitExceeded || error.kind == .outOfRange
        ? nil : "a volume over the limit was refused for another reason: \(error.message)"
    }
  }
}
