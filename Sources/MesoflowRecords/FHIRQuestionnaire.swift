import Mesoflow

/// A merged workflow as a FHIR `Questionnaire`, and an answer as a
/// `QuestionnaireResponse` answers it.
struct FHIRQuestionnaire {
  let workflow: MergedWorkflow
  let names: FHIRNames
  /// The canonical URL.
  let url: String
  /// The workflow's version.
  let version: String
  /// Each step's item type, by step id.
  private(set) var types: [String: ItemType] = [:]

  /// How a step is asked in FHIR.
  enum ItemType: String {
    case boolean, integer, decimal, quantity, string, text, date, choice, reference
  }

  init(_ workflow: MergedWorkflow, names: FHIRNames) {
    self.workflow = workflow
    self.names = names
    url = names.questionnaire(workflow)
    version = Self.version(workflow)
    for stage in workflow.stages {
      for step in stage.steps.map(\.step) { types[step.id] = Self.type(of: step) }
    }
  }

  /// The workflow's version and the first twelve hex digits of the
  /// definition hash (`1-7dcdfcf0a3e9`): the same `url|version` is always the
  /// same form, whatever changed in the workflow or its plugins.
  static func version(_ workflow: MergedWorkflow) -> String {
    let hash = workflow.definitionHash
    let hex = hash.split(separator: ":").last.map(String.init) ?? hash
    return "\(workflow.workflow.version)-\(hex.prefix(12))"
  }

  /// `url|version`, as a QuestionnaireResponse names it.
  var canonical: String { url + "|" + version }

  static func type(of step: Step) -> ItemType {
    switch step.answer {
    case .yesNo: return .boolean
    case .integer: return .integer
    case .decimal: return .decimal
    case .text(let maxLength): return (maxLength ?? .max) <= 200 ? .string : .text
    case .choice, .multipleChoice: return .choice
    case .date: return .date
    case .consent, .product: return .reference
    case .volume: return .quantity
    }
  }

  /// The title: the workflow's, with its areas'.
  var title: String {
    let areas = workflow.areas.map(\.title)
    return workflow.workflow.title + (areas.isEmpty ? "" : " (\(areas.joined(separator: ", ")))")
  }

  var resource: FHIRJSON {
    var form = FHIRObject("Questionnaire")
    form["url"] = .string(url)
    form["identifier"] = .array([FHIRValue.identifier(system: names.definitionHash, value: workflow.definitionHash)])
    form["version"] = .string(version)
    form["title"] = .string(title)
    form["status"] = .string("active")
    form["subjectType"] = .array([.string("Patient")])
    form["item"] = .array(
      workflow.stages.compactMap { stage in
        let steps = stage.steps.map { item(for: $0.step) }
        guard !steps.isEmpty else { return nil }
        var group = FHIRObject()
        group["linkId"] = .string(stage.id)
        group["text"] = .string(stage.stage.title)
        group["type"] = .string("group")
        group["item"] = .array(steps)
        return group.json
      })
    return form.json
  }

  private func item(for step: Step) -> FHIRJSON {
    let type = types[step.id] ?? .string
    var item = FHIRObject()
    item["linkId"] = .string(step.id)
    item["text"] = .string(step.prompt)
    item["type"] = .string(type.rawValue)
    if let enableWhen = enableWhen(step) {
      item["enableWhen"] = .array(enableWhen.conditions)
      if enableWhen.conditions.count > 1 { item["enableBehavior"] = .string(enableWhen.behavior) }
    }
    // A multiple choice may be answered with none of its options chosen,
    // which a required item could not hold.
    if case .multipleChoice = step.answer {
      item["required"] = .bool(false)
    } else {
      item["required"] = .bool(!step.isOptional)
    }
    switch step.answer {
    case .multipleChoice: item["repeats"] = .bool(true)
    case .text(let maxLength?): item["maxLength"] = .integer(maxLength)
    default: break
    }
    if let options = step.answer.options {
      item["answerOption"] = .array(options.map { .object([("valueCoding", coding(step, $0))]) })
    }
    var extensions: [FHIRJSON] = []
    switch step.answer {
    case .integer(let bounds), .decimal(let bounds):
      // questionnaire-unit is for integer and decimal items (a quantity
      // item names its units with questionnaire-unitOption).
      if let unit = bounds.unit {
        extensions.append(
          Self.fhirExtension(
            "questionnaire-unit",
            (
              "valueCoding",
              bounds.ucum.map { FHIRValue.coding(system: FHIRValue.ucum, code: $0, display: unit) }
                ?? .object([("display", .string(unit))])
            )))
      }
      let integer = type == .integer
      if let min = bounds.min {
        extensions.append(Self.fhirExtension("minValue", Self.number(min, integer: integer)))
      }
      if let max = bounds.max {
        extensions.append(Self.fhirExtension("maxValue", Self.number(max, integer: integer)))
      }
    case .volume:
      extensions.append(
        Self.fhirExtension(
          "questionnaire-unitOption",
          ("valueCoding", FHIRValue.coding(system: FHIRValue.ucum, code: "mL", display: "mL"))))
    case .consent:
      extensions.append(Self.fhirExtension("questionnaire-referenceResource", ("valueCode", .string("Consent"))))
    case .product:
      extensions.append(Self.fhirExtension("questionnaire-referenceResource", ("valueCode", .string("Medication"))))
    default:
      break
    }
    item["extension"] = .array(extensions)
    if case .consent(let statement?) = step.answer {
      // The statement the patient signs, shown with the question.
      var display = FHIRObject()
      display["linkId"] = .string(step.id + ".statement")
      display["text"] = .string(statement)
      display["type"] = .string("display")
      item["item"] = .array([display.json])
    }
    return .object(reorder(item.members))
  }

  /// FHIR's element order for an item.
  private func reorder(_ members: [(String, FHIRJSON)]) -> [(String, FHIRJSON)] {
    let order = [
      "extension", "linkId", "text", "type", "enableWhen", "enableBehavior", "required", "repeats", "maxLength",
      "answerOption", "item",
    ]
    return members.sorted { (order.firstIndex(of: $0.0) ?? order.count) < (order.firstIndex(of: $1.0) ?? order.count) }
  }

  private static func fhirExtension(_ name: String, _ value: (String, FHIRJSON)) -> FHIRJSON {
    .object([("url", .string("http://hl7.org/fhir/StructureDefinition/" + name)), value])
  }

  private static func number(_ value: Double, integer: Bool) -> (String, FHIRJSON) {
    if integer, let whole = Int(exactly: value) { return ("valueInteger", .integer(whole)) }
    return ("valueDecimal", .decimal(value))
  }

  /// A choice step's option as a Coding.
  func coding(_ step: Step, _ option: ChoiceOption) -> FHIRJSON {
    FHIRValue.coding(system: names.options(workflow, step: step.id), code: option.id, display: option.label)
  }

  // MARK: - enableWhen

  /// `enableWhen.operator` for each comparison; a multiple choice that
  /// holds an option is `=` that option.
  private static let operators: [ExpressionClauses.Comparison: String] = [
    .equal: "=", .notEqual: "!=", .less: "<", .lessOrEqual: "<=", .greater: ">", .greaterOrEqual: ">=",
    .contains: "=",
  ]

  /// The step's condition as `enableWhen`, when it can be written so.
  private func enableWhen(_ step: Step) -> (conditions: [FHIRJSON], behavior: String)? {
    guard let condition = step.condition, let clauses = condition.clauses else { return nil }
    var conditions: [FHIRJSON] = []
    for clause in clauses.clauses {
      guard let read = workflow.blueprintStep(clause.step), let type = types[read.id],
        let answer = enableAnswer(clause, read, type)
      else { return nil }
      guard let op = Self.operators[clause.comparison] else { return nil }
      conditions.append(.object([("question", .string(read.id)), ("operator", .string(op)), answer]))
    }
    return (conditions, clauses.combination == .all ? "all" : "any")
  }

  /// The constant a clause compares with, as the `answer[x]` of the item it reads.
  private func enableAnswer(_ clause: ExpressionClauses.Clause, _ step: Step, _ type: ItemType) -> (
    String, FHIRJSON
  )? {
    switch (type, clause.value) {
    case (.boolean, .bool(let value)): return ("answerBoolean", .bool(value))
    case (.integer, .number(let value)):
      return Int(exactly: value).map { ("answerInteger", .integer($0)) }
    case (.decimal, .number(let value)): return ("answerDecimal", .decimal(value))
    case (.quantity, .number(let value)): return ("answerQuantity", FHIRValue.millilitres(value))
    case (.string, .string(let value)), (.text, .string(let value)): return ("answerString", .string(value))
    case (.choice, .string(let value)):
      guard let option = step.answer.options?.first(where: { $0.id == value }) else { return nil }
      return ("answerCoding", coding(step, option))
    case (.date, .date(let value)): return ("answerDate", FHIRValue.date(value))
    default: return nil
    }
  }
}

extension MergedWorkflow {
  /// The step with this id, in whichever stage.
  fileprivate func blueprintStep(_ id: String) -> Step? {
    for stage in stages { if let step = stage.steps.first(where: { $0.step.id == id }) { return step.step } }
    return nil
  }
}
