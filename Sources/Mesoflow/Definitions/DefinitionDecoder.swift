import MesoflowYAML

/// Decodes workflow and plugin definitions by walking YAML nodes, so that
/// every problem is reported at the node at fault.
struct DefinitionDecoder {
  var context: DecodeContext

  init(source: SourceText) { context = DecodeContext(source: source) }

  // MARK: - Workflow

  static let workflowKeys = [
    "workflow", "title", "version", "start", "procedure", "screening", "ingredients", "outcomes", "stages",
    "aftercare", "follow-up", "patient-sheet",
  ]

  mutating func workflow(_ root: Node) -> DecodedWorkflow? {
    guard let fields = context.fields(root, "the workflow", allowed: Self.workflowKeys) else { return nil }
    let id = context.required(fields, "workflow").flatMap { context.id($0, "workflow") }
    let title = context.required(fields, "title").flatMap { context.nonEmptyString($0, "title") }
    let version = context.required(fields, "version").flatMap { context.integer($0, "version") }
    let ingredients = fields["ingredients"].map { self.ingredients($0) } ?? []
    let outcomes = context.required(fields, "outcomes").flatMap { self.outcomes($0) }
    let stageNodes = context.required(fields, "stages").flatMap { context.sequence($0, "stages") }
    var stages: [DecodedStage] = []
    for node in stageNodes ?? root.items {
      if let stage = self.stage(node) { stages.append(stage) }
    }
    if stageNodes?.isEmpty ?? true, let node = fields["stages"] {
      context.error(node.location, "a workflow needs at least one stage")
    }
    let aftercare = fields["aftercare"].map { self.aftercare($0) } ?? []
    let followUp = fields["follow-up"].flatMap { self.followUp($0, isWorkflow: true) }
    let patientSheet = fields["patient-sheet"].map { self.patientSheet($0) } ?? PatientSheet()

    // References between parts of the file. The steps and checks are read
    // where they are, not copied out of their stages.
    let stageIDs = unique(stages.map { ($0.id, $0.idLocation) }, "stage")
    let stepIDs = unique(stages.flatMap(\.steps.idsAndLocations), "step")
    let checkIDs = unique(stages.flatMap(\.checks.idsAndLocations), "check")
    _ = unique(aftercare.map { ($0.id, $0.location) }, "aftercare item")
    let ingredientIDs = unique(ingredients.map { ($0.id, $0.location) }, "ingredient")

    var start = stages.first?.id
    if let node = fields["start"], let name = context.id(node, "start") {
      start = name
      stageReference(name, at: node.location, known: stageIDs)
    }
    let procedure = context.required(fields, "procedure").flatMap { node -> String? in
      guard let name = context.id(node, "procedure") else { return nil }
      stageReference(name, at: node.location, known: stageIDs)
      return name
    }
    var screening: [String] = []
    if let node = fields["screening"] {
      let items = node.itemsOrSelf
      for item in items {
        guard let name = context.id(item, "screening") else { continue }
        stageReference(name, at: item.location, known: stageIDs)
        screening.append(name)
      }
      if items.isEmpty { context.error(node.location, "'screening' needs at least one stage id") }
    }
    for stage in stages {
      for branch in stage.transitionBranches {
        stageReference(branch.target, at: branch.location, known: stageIDs)
      }
    }

    var symbols: [String: ExpressionEnvironment.Symbol] = [:]
    symbols.reserveCapacity(stepIDs.count)
    for stage in stages {
      for step in stage.steps.steps { symbols[step.id] = Self.symbol(step) }
    }
    let environment = ExpressionEnvironment(symbols: symbols)
    for stage in stages {
      checkExpressions(stage.steps, stage.checks, stage.wait, environment)
      checkExcludes(stage.checks, known: ingredientIDs)
      if let wait = stage.wait { stepReference(wait.wait.since, at: wait.sinceLocation, known: stepIDs) }
    }
    if let step = followUp?.nextSessionStep, let node = fields["follow-up"]?["next-session"] {
      stepReference(step, at: node.location, known: stepIDs)
      let type = stages.lazy.flatMap(\.steps.steps).first { $0.id == step }?.answer
      if let type, type.name != "date" {
        context.error(
          node.location,
          "'next-session' names the date step at which the next session is booked; '\(step)' is a \(type.name) step")
      }
    }
    for stage in stages {
      for branch in stage.transitionBranches {
        if let condition = branch.condition, let node = branch.conditionNode {
          context.checkCondition(condition, in: node, environment, "a transition's 'when'")
        }
      }
    }

    guard context.errorCount == 0, let id, let title, let version, let outcomes, let start, let procedure
    else { return nil }
    let workflow = Workflow(
      id: id, title: title, version: version, start: start, procedureStage: procedure, screeningStages: screening,
      stages: stages.map(\.stage), outcomes: outcomes, ingredients: ingredients.map(\.ingredient),
      aftercare: aftercare, followUp: followUp, patientSheet: patientSheet, location: root.location)
    return DecodedWorkflow(
      workflow: workflow, stageIDs: stageIDs, stepIDs: stepIDs, checkIDs: checkIDs, ingredientIDs: ingredientIDs,
      environment: environment)
  }

  /// How expressions see the answer to `step`.
  static func symbol(_ step: Step) -> ExpressionEnvironment.Symbol {
    .init(type: step.answer.valueType, options: step.answer.options?.map(\.id))
  }

  mutating func checkExpressions(
    _ steps: DecodedSteps, _ checks: DecodedChecks, _ wait: DecodedWait?, _ environment: ExpressionEnvironment
  ) {
    for index in steps.steps.indices {
      if let condition = steps.steps[index].condition, let node = steps.conditionNodes[index] {
        context.checkCondition(condition, in: node, environment, "a step's 'when'")
      }
    }
    for index in checks.checks.indices {
      if let expression = checks.checks[index].condition.expression {
        context.checkCondition(expression, in: checks.conditionNodes[index], environment, "a check's 'when'")
      }
    }
    if let wait, let condition = wait.wait.condition, let node = wait.conditionNode {
      context.checkCondition(condition, in: node, environment, "a wait's 'when'")
    }
  }

  mutating func checkExcludes(_ checks: DecodedChecks, known: Set<String>) {
    for (check, excludes) in zip(checks.checks, checks.excludeLocations) {
      for (ingredient, location) in zip(check.excludes, excludes) where !known.contains(ingredient) {
        context.error(
          location,
          "check '\(check.id)' excludes unknown ingredient '\(ingredient)'\(Suggestion.didYouMean(ingredient, in: known.sorted()))"
        )
      }
    }
  }

  mutating func stageReference(_ name: String, at location: SourceLocation, known: Set<String>) {
    if !known.contains(name), !context.invalidStages.contains(name) {
      context.error(location, "unknown stage '\(name)'\(Suggestion.didYouMean(name, in: known.sorted()))")
    }
  }

  mutating func stepReference(_ name: String, at location: SourceLocation, known: Set<String>) {
    if !known.contains(name), !context.invalidSteps.contains(name) {
      context.error(location, "unknown step '\(name)'\(Suggestion.didYouMean(name, in: known.sorted()))")
    }
  }

  /// Reports each id seen a second time, and returns the set of ids.
  @discardableResult
  mutating func unique(_ items: [(String, SourceLocation)], _ kind: String) -> Set<String> {
    var seen = Set<String>(minimumCapacity: items.count)
    for (index, (id, location)) in items.enumerated() where !seen.insert(id).inserted {
      // Rare: find the first definition only for a duplicate.
      let earlier = items[..<index].first { $0.0 == id }?.1 ?? location
      context.error(location, "duplicate \(kind) id '\(id)' (first defined at \(earlier.line):\(earlier.column))")
    }
    return seen
  }

  // MARK: - Outcomes

  mutating func outcomes(_ node: Node) -> [Outcome: OutcomeDescription]? {
    guard let fields = context.fields(node, "'outcomes'", allowed: Outcome.allCases.map(\.rawValue)) else {
      return nil
    }
    var result: [Outcome: OutcomeDescription] = [:]
    var complete = true
    for outcome in Outcome.allCases {
      // A consultation must be able to complete; deferred and referred are
      // needed only by a workflow with stops or referrals, and fall back to
      // their names when not described.
      let value: Node?
      if outcome == .completed {
        value = context.required(fields, outcome.rawValue)
      } else {
        value = fields[outcome.rawValue]
        if value == nil { continue }
      }
      guard let value else {
        complete = false
        continue
      }
      guard let item = context.fields(value, "outcome '\(outcome.rawValue)'", allowed: ["title", "message"]) else {
        continue
      }
      guard let title = context.required(item, "title").flatMap({ context.nonEmptyString($0, "title") }) else {
        continue
      }
      result[outcome] = OutcomeDescription(
        title: title, message: item["message"].flatMap { context.string($0, "message") },
        location: fields.keyLocation(outcome.rawValue) ?? value.location)
    }
    return complete && result[.completed] != nil ? result : nil
  }

  // MARK: - Stages

  static let stageKeys = ["id", "title", "duration", "steps", "checks", "wait", "next", "end"]

  mutating func stage(_ node: Node) -> DecodedStage? {
    guard let fields = context.fields(node, "a stage", allowed: Self.stageKeys) else { return nil }
    let idNode = context.required(fields, "id")
    let id = idNode.flatMap { context.id($0, "id") }
    let what = id.map { "stage '\($0)'" } ?? "the stage"
    let title = fields["title"].flatMap { context.nonEmptyString($0, "title") } ?? id
    let duration = fields["duration"].flatMap { context.timeRange($0, "duration") }
    let steps = stepList(fields["steps"])
    let checks = checkList(fields["checks"])
    let wait = fields["wait"].flatMap { self.wait($0) }
    var transition: Transition?
    var branches: [DecodedBranch] = []
    switch (fields["next"], fields["end"]) {
    case (let next?, nil):
      branches = self.branches(next)
      transition = .branches(branches.map(\.branch))
    case (nil, let end?):
      if let name = context.string(end, "end") {
        if let outcome = Outcome(rawValue: name) {
          transition = .end(outcome, at: end.location)
        } else {
          context.error(
            end.location,
            "'\(name)' is not an outcome; 'end' takes completed, deferred or referred\(Suggestion.didYouMean(name, in: Outcome.allCases.map(\.rawValue)))"
          )
        }
      }
    case (.some, .some(let end)):
      context.error(
        fields.keyLocation("end") ?? end.location,
        "\(what) has both 'next' and 'end'; a stage either moves on or ends the consultation")
    case (nil, nil):
      context.error(node.location, "\(what) has neither 'next' nor 'end'; say where the consultation goes after it")
    }
    guard let id, let title, let transition else {
      if let id { context.invalidStages.insert(id) }
      return nil
    }
    return DecodedStage(
      stage: Stage(
        id: id, title: title, duration: duration, steps: steps.steps, checks: checks.checks,
        wait: wait?.wait, transition: transition, location: node.location),
      steps: steps, checks: checks, wait: wait, transitionBranches: branches,
      idLocation: idNode?.location ?? node.location)
  }

  mutating func branches(_ node: Node) -> [DecodedBranch] {
    if let scalar = node.scalar, !scalar.isNull {
      guard let target = context.id(node, "next") else { return [] }
      return [DecodedBranch(branch: Branch(to: target, location: node.location), conditionNode: nil)]
    }
    guard let items = node.sequence else {
      context.error(
        node.location, "'next' must be a stage id or a list of branches ({to, when}), not \(node.kindDescription)")
      return []
    }
    guard !items.isEmpty else {
      context.error(node.location, "'next' needs at least one branch; to end the consultation here, use 'end'")
      return []
    }
    var result: [DecodedBranch] = []
    for (index, item) in items.enumerated() {
      guard let fields = context.fields(item, "a branch", allowed: ["to", "when"]) else { continue }
      guard let toNode = context.required(fields, "to"), let target = context.id(toNode, "to") else { continue }
      let conditionNode = fields["when"]
      let condition = conditionNode.flatMap { context.expression($0, "when") }
      if conditionNode == nil, index < items.count - 1 {
        context.error(item.location, "a branch without 'when' is always taken, so the branches after it can never be")
      }
      if let conditionNode, index == items.count - 1 {
        context.error(
          fields.keyLocation("when") ?? conditionNode.location,
          "the last branch must have no 'when', so that the stage always has a way out")
      }
      result.append(
        DecodedBranch(
          branch: Branch(to: target, when: condition, location: toNode.location), conditionNode: conditionNode))
    }
    return result
  }

  // MARK: - Steps

  static let stepKeys = [
    "id", "ask", "type", "help", "when", "optional", "min", "max", "unit", "ucum", "options", "max-length",
    "statement", "limit",
  ]
  static let typeKeys: [String: Set<String>] = [
    "yes-no": [], "integer": ["min", "max", "unit", "ucum", "limit"], "decimal": ["min", "max", "unit", "ucum"],
    "text": ["max-length"],
    "choice": ["options"], "multi-choice": ["options"], "date": ["min", "max"], "consent": ["statement"], "product": [],
    "volume": ["max"],
  ]

  static let typeSpecificKeys = Array(Set(typeKeys.values.joined()))

  /// Why expressions could not read a step by this id, if they could not.
  static func unreadableStepID(_ id: String) -> String? {
    if ["true", "false", "and", "or", "not", "in"].contains(id) {
      return "is a word of the expression language; choose another id"
    }
    let bytes = Array(id.utf8)
    for (index, byte) in bytes.enumerated() where byte == UInt8(ascii: "-") {
      let next = index + 1 < bytes.count ? bytes[index + 1] : nil
      if next.map({ !ExpressionLexer.isLetter($0) }) ?? true {
        return "cannot be read in an expression, where '-' must be followed by a letter (or it means minus); use '_'"
      }
    }
    return nil
  }

  mutating func stepList(_ node: Node?) -> DecodedSteps {
    var list = DecodedSteps()
    guard let node, let items = context.sequence(node, "steps") else { return list }
    list.reserveCapacity(items.count)
    for item in items {
      if let decoded = step(item) { list.append(decoded) }
    }
    return list
  }

  mutating func step(_ node: Node) -> DecodedStep? {
    guard let fields = context.fields(node, "a step", allowed: Self.stepKeys) else { return nil }
    let idNode = context.required(fields, "id")
    let id = idNode.flatMap { context.id($0, "id") }
    if let id, let idNode, let problem = Self.unreadableStepID(id) {
      context.error(idNode.location, "step id '\(id)' \(problem)")
    }
    let errorsBefore = context.errorCount
    defer {
      if let id, context.errorCount > errorsBefore { context.invalidSteps.insert(id) }
    }
    let prompt = context.required(fields, "ask").flatMap { context.nonEmptyString($0, "ask") }
    let help = fields["help"].flatMap { context.string($0, "help") }
    let conditionNode = fields["when"]
    let condition = conditionNode.flatMap { context.expression($0, "when") }
    let isOptional = fields["optional"].flatMap { context.bool($0, "optional") } ?? false
    guard let typeNode = context.required(fields, "type"), let typeName = context.string(typeNode, "type") else {
      return nil
    }
    guard let extraKeys = Self.typeKeys[typeName] else {
      context.error(
        typeNode.location,
        "unknown answer type '\(typeName)'\(Suggestion.didYouMean(typeName, in: Self.typeKeys.keys.sorted())); types: \(Self.typeKeys.keys.sorted().joined(separator: ", "))"
      )
      return nil
    }
    for pair in fields.pairs {
      let key = pair.name
      if DecodeContext.contains(Self.typeSpecificKeys, key), !extraKeys.contains(key) {
        context.error(pair.key.location, "'\(key)' does not apply to a \(typeName) step")
      }
    }
    let answer: AnswerType?
    switch typeName {
    case "yes-no": answer = .yesNo
    case "integer", "decimal":
      let min = fields["min"].flatMap { context.number($0, "min") }
      let max = fields["max"].flatMap { context.number($0, "max") }
      if typeName == "integer" {
        for (key, value) in [("min", min), ("max", max)] {
          if let value, value != value.rounded(), let node = fields[key] {
            context.error(node.location, "'\(key)' of an integer step must be a whole number")
          }
        }
      }
      if let min, let max, min > max, let node = fields["max"] {
        context.error(node.location, "'max' (\(formatNumber(max))) is below 'min' (\(formatNumber(min)))")
      }
      let unit = fields["unit"].flatMap { context.string($0, "unit") }
      let ucum = fields["ucum"].flatMap { self.ucum($0) }
      if fields["ucum"] != nil, fields["unit"] == nil, let location = fields.keyLocation("ucum") {
        context.error(
          location,
          "give 'unit' too: 'ucum' is the UCUM code of the unit staff see beside the prompt, as in unit: years with ucum: a"
        )
      }
      let bounds = NumberBounds(min: min, max: max, unit: unit, ucum: ucum)
      answer = typeName == "integer" ? .integer(bounds) : .decimal(bounds)
    case "text":
      let maxLength = fields["max-length"].flatMap { context.integer($0, "max-length") }
      if let maxLength, maxLength < 1, let node = fields["max-length"] {
        context.error(node.location, "'max-length' must be at least 1")
      }
      answer = .text(maxLength: maxLength)
    case "choice", "multi-choice":
      let options = self.options(fields, typeName)
      answer = typeName == "choice" ? .choice(options) : .multipleChoice(options)
    case "date":
      let earliest = fields["min"].flatMap { dateLimit($0, "min") }
      let latest = fields["max"].flatMap { dateLimit($0, "max") }
      if case .day(let low)? = earliest, case .day(let high)? = latest, low > high, let node = fields["max"] {
        context.error(node.location, "'max' (\(high)) is before 'min' (\(low))")
      }
      answer = .date(DateBounds(earliest: earliest, latest: latest))
    case "consent": answer = .consent(statement: fields["statement"].flatMap { context.string($0, "statement") })
    case "product": answer = .product
    case "volume":
      let max = fields["max"].flatMap { context.number($0, "max") }
      if let max, max <= 0, let node = fields["max"] {
        context.error(node.location, "'max' of a volume must be above 0")
      }
      answer = .volume(max: max)
    default:
      // Every name in `typeKeys` has its case above; a name added there
      // alone must fail loudly, never decode as some other type.
      context.error(
        typeNode.location, "answer type '\(typeName)' is known but has no reader; this is a bug in Mesoflow")
      answer = nil
    }
    var countsInjectionPoints = false
    if let limitNode = fields["limit"], let limit = context.string(limitNode, "limit") {
      if limit == "max-points" {
        countsInjectionPoints = true
      } else {
        context.error(
          limitNode.location,
          "unknown limit '\(limit)'\(Suggestion.didYouMean(limit, in: ["max-points"])); an integer step can be held against 'max-points' (the areas' most injection points per session)"
        )
      }
    }
    guard let id, let prompt, let answer else { return nil }
    return DecodedStep(
      step: Step(
        id: id, prompt: prompt, help: help, answer: answer, when: condition, isOptional: isOptional,
        countsInjectionPoints: countsInjectionPoints, location: node.location),
      conditionNode: conditionNode, idLocation: idNode?.location ?? node.location)
  }

  /// The UCUM code of a number step's unit (`a`, `mo`, `{points}`): text.
  /// Written unquoted, an annotation in braces is a YAML mapping, so that
  /// mistake is named.
  mutating func ucum(_ node: Node) -> String? {
    if node.mapping != nil {
      context.error(
        node.location, "'ucum' must be text, not a mapping; quote a UCUM code in braces, as in ucum: \"{points}\"")
      return nil
    }
    return context.nonEmptyString(node, "ucum")
  }

  /// `today` or a `YYYY-MM-DD` day, as a date step's `min` or `max`.
  mutating func dateLimit(_ node: Node, _ key: String) -> DateBounds.Limit? {
    guard let text = context.string(node, key) else { return nil }
    if text == "today" { return .today }
    if let day = CalendarDate(iso: text) { return .day(day) }
    context.error(node.location, "'\(key)' of a date step must be 'today' or a date as YYYY-MM-DD, not '\(text)'")
    return nil
  }

  mutating func options(_ fields: Fields, _ typeName: String) -> [ChoiceOption] {
    guard let node = context.required(fields, "options"), let items = context.sequence(node, "options") else {
      return []
    }
    if items.isEmpty {
      context.error(node.location, "a \(typeName) step needs at least one option")
    }
    var options: [(ChoiceOption, SourceLocation)] = []
    for item in items {
      if item.scalar != nil {
        if let id = context.id(item, "option") { options.append((ChoiceOption(id: id, label: id), item.location)) }
        continue
      }
      guard let fields = context.fields(item, "an option", allowed: ["id", "label"]),
        let idNode = context.required(fields, "id"), let id = context.id(idNode, "id")
      else { continue }
      let label = fields["label"].flatMap { context.nonEmptyString($0, "label") } ?? id
      options.append((ChoiceOption(id: id, label: label), idNode.location))
    }
    _ = unique(options.map { ($0.0.id, $0.1) }, "option")
    return options.map(\.0)
  }

  // MARK: - Checks

  static let checkKeys = ["id", "when", "outcome", "reason", "excludes"]

  mutating func checkList(_ node: Node?) -> DecodedChecks {
    var list = DecodedChecks()
    guard let node, let items = context.sequence(node, "checks") else { return list }
    list.reserveCapacity(items.count)
    for item in items {
      if let decoded = check(item) { list.append(decoded) }
    }
    return list
  }

  mutating func check(_ node: Node) -> DecodedCheck? {
    guard let fields = context.fields(node, "a check", allowed: Self.checkKeys) else { return nil }
    let idNode = context.required(fields, "id")
    let id = idNode.flatMap { context.id($0, "id") }
    let conditionNode = context.required(fields, "when")
    let condition = conditionNode.flatMap { context.expression($0, "when") }
    let reason = context.required(fields, "reason").flatMap { context.nonEmptyString($0, "reason") }
    var outcome: CheckOutcome?
    if let outcomeNode = context.required(fields, "outcome"), let name = context.string(outcomeNode, "outcome") {
      outcome = CheckOutcome(rawValue: name)
      if outcome == nil {
        context.error(
          outcomeNode.location,
          "unknown outcome '\(name)'\(Suggestion.didYouMean(name, in: CheckOutcome.allCases.map(\.rawValue))); outcomes: stop, refer, warn, exclude"
        )
      }
    }
    var excludes: [(String, SourceLocation)] = []
    if let node = fields["excludes"], let items = context.sequence(node, "excludes") {
      for item in items {
        if let ingredient = context.id(item, "excludes") { excludes.append((ingredient, item.location)) }
      }
      if outcome != nil, outcome != .exclude {
        context.error(
          fields.keyLocation("excludes") ?? node.location, "'excludes' applies only to a check whose outcome is exclude"
        )
      }
    }
    if outcome == .exclude, excludes.isEmpty, fields["excludes"] == nil {
      context.error(node.location, "an exclude check needs 'excludes': the ingredients it removes")
    }
    guard let id, let condition, let conditionNode, let reason, let outcome else { return nil }
    return DecodedCheck(
      check: Check(
        id: id, when: .expression(condition), outcome: outcome, reason: reason, excludes: excludes.map(\.0),
        location: node.location),
      conditionNode: conditionNode, excludeLocations: excludes.map(\.1), idLocation: idNode?.location ?? node.location)
  }

  // MARK: - Waits, ingredients, aftercare, follow-up

  mutating func wait(_ node: Node) -> DecodedWait? {
    guard let fields = context.fields(node, "a wait", allowed: ["since", "at-least", "reason", "when"]) else {
      return nil
    }
    let sinceNode = context.required(fields, "since")
    let since = sinceNode.flatMap { context.id($0, "since") }
    let atLeast = context.required(fields, "at-least").flatMap { context.timeSpan($0, "at-least") }
    let reason = fields["reason"].flatMap { context.string($0, "reason") }
    let conditionNode = fields["when"]
    let condition = conditionNode.flatMap { context.expression($0, "when") }
    guard let since, let sinceNode, let atLeast else { return nil }
    return DecodedWait(
      wait: Wait(
        since: since, atLeast: atLeast, reason: reason, when: condition, location: node.location,
        sinceLocation: sinceNode.location),
      sinceLocation: sinceNode.location, conditionNode: conditionNode)
  }

  mutating func ingredients(_ node: Node) -> [DecodedIngredient] {
    guard let items = context.sequence(node, "ingredients") else { return [] }
    return items.compactMap { item in
      guard let fields = context.fields(item, "an ingredient", allowed: ["id", "name"]),
        let idNode = context.required(fields, "id"), let id = context.id(idNode, "id")
      else { return nil }
      let name = fields["name"].flatMap { context.nonEmptyString($0, "name") } ?? id
      return DecodedIngredient(ingredient: Ingredient(id: id, name: name), location: idNode.location)
    }
  }

  mutating func aftercare(_ node: Node) -> [AftercareItem] {
    guard let items = context.sequence(node, "aftercare") else { return [] }
    return items.compactMap { item in
      guard let fields = context.fields(item, "an aftercare item", allowed: ["id", "text", "for"]) else { return nil }
      let id = context.required(fields, "id").flatMap { context.id($0, "id") }
      let text = context.required(fields, "text").flatMap { context.nonEmptyString($0, "text") }
      let window = fields["for"].flatMap { context.timeSpan($0, "for") }
      guard let id, let text else { return nil }
      return AftercareItem(id: id, text: text, for: window, location: item.location)
    }
  }

  /// The words of the patient's sheet; a workflow's only.
  mutating func patientSheet(_ node: Node) -> PatientSheet {
    guard let fields = context.fields(node, "'patient-sheet'", allowed: ["warning-signs"]) else {
      return PatientSheet()
    }
    return PatientSheet(warningSigns: fields["warning-signs"].flatMap { context.nonEmptyString($0, "warning-signs") })
  }

  /// A follow-up plan; only a workflow's may name its `next-session` step.
  mutating func followUp(_ node: Node, isWorkflow: Bool) -> FollowUpPlan? {
    let keys = isWorkflow ? ["next-session", "course", "maintenance", "review"] : ["course", "maintenance", "review"]
    guard let fields = context.fields(node, "'follow-up'", allowed: keys) else {
      return nil
    }
    var plan = FollowUpPlan()
    plan.nextSessionStep = fields["next-session"].flatMap { context.id($0, "next-session") }
    if let courseNode = fields["course"],
      let course = context.fields(courseNode, "a course", allowed: ["sessions", "interval"])
    {
      let sessions = context.required(course, "sessions").flatMap { context.integer($0, "sessions") }
      let interval = context.required(course, "interval").flatMap { context.timeSpan($0, "interval") }
      if let sessions, !(1...1000).contains(sessions), let sessionsNode = course["sessions"] {
        context.error(sessionsNode.location, "a course has from 1 to 1000 sessions, not \(sessions)")
      }
      if let sessions, let interval { plan.course = .init(sessions: sessions, interval: interval) }
    }
    if let maintenanceNode = fields["maintenance"],
      let maintenance = context.fields(maintenanceNode, "'maintenance'", allowed: ["every"])
    {
      plan.maintenanceInterval = context.required(maintenance, "every").flatMap { context.timeSpan($0, "every") }
    }
    if let reviewNode = fields["review"],
      let review = context.fields(reviewNode, "a review", allowed: ["after", "reason"])
    {
      if let after = context.required(review, "after").flatMap({ context.timeSpan($0, "after") }) {
        plan.review = .init(after: after, reason: review["reason"].flatMap { context.string($0, "reason") })
      }
    }
    return plan
  }
}
