import Mesoflow

/// One consultation's resources, each under its `urn:uuid` fullUrl.
struct FHIRConsultationBundle {
  let consultation: Consultation
  let record: ConsultationRecord
  let chainHead: String?
  let names: FHIRNames
  let form: FHIRQuestionnaire
  let zone: ClinicTimeZone

  init(_ consultation: Consultation, chainHead: String?, names: FHIRNames) {
    self.consultation = consultation
    record = consultation.record
    self.chainHead = chainHead
    self.names = names
    form = FHIRQuestionnaire(consultation.workflow, names: names)
    zone = consultation.timeZone
  }

  /// The fullUrl of a resource of this consultation, by what it is.
  private func fullUrl(_ what: String) -> String {
    FHIRValue.uuid("\(record.start.id)\n\(record.startedAt)\n\(what)")
  }

  private func time(_ instant: Timestamp) -> FHIRJSON { FHIRValue.dateTime(instant, zone) }

  private var patient: String { fullUrl("Patient") }
  private var questionnaire: String { fullUrl("Questionnaire") }
  private var response: String { fullUrl("QuestionnaireResponse") }
  private var procedure: String { fullUrl("Procedure") }
  private var carePlan: String { fullUrl("CarePlan") }

  /// A clinician's key: the account, or the name and role of one without.
  private func key(_ clinician: Clinician) -> String {
    clinician.account.map { "account:" + $0 } ?? "name:\(clinician.name)|\(clinician.role.rawValue)"
  }

  private func practitioner(_ clinician: Clinician) -> String { fullUrl("Practitioner\n" + key(clinician)) }

  private func practitionerReference(_ clinician: Clinician?) -> FHIRJSON? {
    clinician.map { FHIRValue.reference(practitioner($0), display: $0.name) }
  }

  /// Every clinician who recorded an event, the staff who started it first.
  private var clinicians: [Clinician] {
    var seen = Set<String>()
    var all: [Clinician] = []
    for clinician in [record.start.staff] + consultation.events.compactMap(\.actor)
    where seen.insert(key(clinician)).inserted {
      all.append(clinician)
    }
    return all
  }

  func json(assembledAt: Timestamp) -> FHIRJSON {
    var entries: [(String, FHIRJSON)] = []
    entries.append((patient, patientResource))
    for clinician in clinicians { entries.append((practitioner(clinician), practitionerResource(clinician))) }
    entries.append((questionnaire, form.resource))
    entries.append((response, responseResource))
    entries += consents
    let (medications, given) = self.medications
    entries += medications
    entries.append((procedure, procedureResource(medications: given)))
    entries += administrations(given)
    entries += detectedIssues
    if record.treatedAt != nil {
      let requests = serviceRequests
      entries.append((carePlan, carePlanResource(requests.map(\.0), at: assembledAt)))
      entries += requests
    }
    entries.append((fullUrl("Provenance"), provenance(targets: entries.map(\.0))))

    var bundle = FHIRObject("Bundle")
    bundle["identifier"] = FHIRValue.identifier(system: names.consultation, value: record.start.id)
    bundle["type"] = .string("collection")
    bundle["timestamp"] = time(assembledAt)
    bundle["entry"] = .array(entries.map { .object([("fullUrl", .string($0.0)), ("resource", $0.1)]) })
    return bundle.json
  }

  // MARK: - Who

  private var patientResource: FHIRJSON {
    var patient = FHIRObject("Patient")
    patient["identifier"] = record.start.patient.map {
      .array([FHIRValue.identifier(system: names.patient, value: $0)])
    }
    return patient.json
  }

  private func practitionerResource(_ clinician: Clinician) -> FHIRJSON {
    var practitioner = FHIRObject("Practitioner")
    practitioner["identifier"] = clinician.account.map {
      .array([FHIRValue.identifier(system: names.account, value: $0)])
    }
    practitioner["name"] = .array([.object([("text", .string(clinician.name))])])
    return practitioner.json
  }

  // MARK: - The answers

  private var responseResource: FHIRJSON {
    var response = FHIRObject("QuestionnaireResponse")
    response["identifier"] = FHIRValue.identifier(system: names.consultation, value: record.start.id)
    response["questionnaire"] = .string(form.canonical)
    let status: String
    switch record.outcome {
    case nil: status = "in-progress"
    case .completed: status = "completed"
    case .deferred, .referred: status = "stopped"
    }
    response["status"] = .string(status)
    response["subject"] = FHIRValue.reference(patient)
    let lastAnswer = record.answers.map(\.answer.at).max()
    response["authored"] = time(lastAnswer ?? record.startedAt)
    response["author"] = practitionerReference(record.start.staff)
    var groups: [FHIRJSON] = []
    for stage in consultation.workflow.stages {
      let lines = record.answers.filter { $0.stage == stage.id }
      let items = lines.compactMap(responseItem)
      guard !items.isEmpty else { continue }
      groups.append(
        .object([("linkId", .string(stage.id)), ("text", .string(stage.stage.title)), ("item", .array(items))]))
    }
    response["item"] = .array(groups)
    return response.json
  }

  private func responseItem(_ line: ConsultationRecord.AnswerLine) -> FHIRJSON? {
    let step = line.step
    let values: [(String, FHIRJSON)]
    switch line.answer.answer {
    case .yesNo(let value): values = [("valueBoolean", .bool(value))]
    case .integer(let value): values = [("valueInteger", .integer(value))]
    case .decimal(let value): values = [("valueDecimal", .decimal(value))]
    case .text(let value): values = value.isEmpty ? [] : [("valueString", .string(value))]
    case .choice(let id): values = [("valueCoding", choice(step, id))]
    case .multipleChoice(let ids): values = ids.map { ("valueCoding", choice(step, $0)) }
    case .date(let date): values = [("valueDate", FHIRValue.date(date))]
    case .consent(let consent):
      values = [("valueReference", FHIRValue.reference(fullUrl("Consent\n" + step.id), display: consent.signedBy))]
    case .product(let product):
      values = [("valueReference", FHIRValue.reference(fullUrl("Medication\n" + step.id), display: product.name))]
    case .volume(let entries): values = [("valueQuantity", FHIRValue.millilitres(VolumeEntry.total(entries)))]
    }
    var item = FHIRObject()
    item["linkId"] = .string(step.id)
    item["text"] = .string(step.prompt)
    item["answer"] = .array(values.map { .object([$0]) })
    // Asked and answered with none chosen: the item, without an answer.
    if values.isEmpty, case .multipleChoice = line.answer.answer { return item.json }
    return values.isEmpty ? nil : item.json
  }

  private func choice(_ step: Step, _ id: String) -> FHIRJSON {
    let option = step.answer.options?.first { $0.id == id } ?? ChoiceOption(id: id, label: id)
    return form.coding(step, option)
  }

  // MARK: - Consent

  private var consents: [(String, FHIRJSON)] {
    record.answers.compactMap { line in
      guard case .consent(let signed) = line.answer.answer else { return nil }
      var consent = FHIRObject("Consent")
      consent["status"] = .string("active")
      consent["scope"] = FHIRValue.concept(
        FHIRValue.coding(
          system: "http://terminology.hl7.org/CodeSystem/consentscope", code: "treatment", display: "Treatment"))
      consent["category"] = .array([
        FHIRValue.concept(FHIRValue.coding(system: "http://loinc.org", code: "59284-0", display: "Patient Consent"))
      ])
      consent["patient"] = FHIRValue.reference(patient)
      consent["dateTime"] = time(signed.signedAt)
      consent["performer"] = .array([.object([("display", .string(signed.signedBy))])])
      consent["sourceReference"] = FHIRValue.reference(response)
      var statement = line.step.prompt
      if case .consent(let text?) = line.step.answer { statement = text }
      consent["policyRule"] = FHIRValue.concept(text: statement)
      consent["provision"] = .object([("type", .string("permit"))])
      return (fullUrl("Consent\n" + line.step.id), consent.json)
    }
  }

  // MARK: - The treatment

  /// Each product as a Medication with its batch; with several, a
  /// Medication of them all, which is what was given. Returns the entries
  /// and the fullUrl of what was given, if any.
  private var medications: ([(String, FHIRJSON)], String?) {
    var entries: [(String, FHIRJSON)] = []
    for line in record.answers {
      guard case .product(let product) = line.answer.answer else { continue }
      var medication = FHIRObject("Medication")
      medication["code"] = FHIRValue.concept(text: product.name)
      medication["batch"] = .object([
        ("lotNumber", .string(product.lot)), ("expirationDate", FHIRValue.date(product.expiry)),
      ])
      entries.append((fullUrl("Medication\n" + line.step.id), medication.json))
    }
    guard entries.count > 1 else { return (entries, entries.first?.0) }
    var mix = FHIRObject("Medication")
    let products = record.products.map(\.name)
    mix["code"] = FHIRValue.concept(text: products.joined(separator: " + "))
    mix["ingredient"] = .array(entries.map { .object([("itemReference", FHIRValue.reference($0.0))]) })
    let url = fullUrl("Medication\nmix")
    return (entries + [(url, mix.json)], url)
  }

  /// An area's site: its code from the definitions, or its title as text.
  private func site(_ area: String) -> FHIRJSON {
    let plugin = consultation.workflow.areas.first { $0.id == area }
    return FHIRValue.concept(plugin?.anatomicalSite, text: plugin?.title ?? area)
  }

  private func procedureResource(medications given: String?) -> FHIRJSON {
    var procedure = FHIRObject("Procedure")
    procedure["identifier"] = .array([FHIRValue.identifier(system: names.consultation, value: record.start.id)])
    if record.treatedAt != nil {
      procedure["status"] = .string("completed")
    } else if record.outcome != nil {
      procedure["status"] = .string("not-done")
      let reason = record.endedBy.flatMap { id in record.checks.first { $0.check.id == id }?.check.reason }
      procedure["statusReason"] = FHIRValue.concept(
        text: reason ?? record.outcome.flatMap { consultation.workflow.workflow.outcomes[$0]?.title } ?? "")
    } else {
      procedure["status"] = .string("preparation")
    }
    procedure["code"] = FHIRValue.concept(text: consultation.workflow.workflow.title)
    procedure["subject"] = FHIRValue.reference(patient)
    procedure["performedDateTime"] = record.treatedAt.map(time)
    procedure["recorder"] = practitionerReference(record.start.staff)
    procedure["bodySite"] = .array(record.start.areas.map(site))
    var notes: [FHIRJSON] = []
    for ingredient in record.excludedIngredients {
      let why = consultation.state.excludedIngredients[ingredient.id].flatMap { check in
        record.checks.first { $0.check.id == check }?.check.reason
      }
      notes.append(
        FHIRValue.annotation("\(ingredient.name) left out" + (why.map { ": \($0)" } ?? ""), author: nil, at: nil))
    }
    for event in consultation.events {
      guard case .waitOverridden(let stage, let reason) = event.kind else { continue }
      let title = consultation.workflow.workflow.stage(stage)?.title ?? stage
      notes.append(
        FHIRValue.annotation(
          "The wait before \(title) was ended early: \(reason)", author: event.actor.map(practitioner),
          at: time(event.time)))
    }
    for note in record.notes {
      let about = note.step.map { "\($0): " } ?? ""
      notes.append(FHIRValue.annotation(about + note.text, author: note.by.map(practitioner), at: time(note.at)))
    }
    if let note = record.endNote {
      notes.append(FHIRValue.annotation(note.text, author: note.by.map(practitioner), at: time(note.at)))
    }
    procedure["note"] = .array(notes)
    if record.treatedAt != nil {
      procedure["usedReference"] = given.map { .array([FHIRValue.reference($0)]) }
    }
    return procedure.json
  }

  /// The volume given in each area, as a MedicationAdministration of what was given.
  private func administrations(_ given: String?) -> [(String, FHIRJSON)] {
    guard let treatedAt = record.treatedAt, let given else { return [] }
    var entries: [(String, FHIRJSON)] = []
    for line in record.answers {
      guard case .volume(let volumes) = line.answer.answer else { continue }
      for (index, entry) in volumes.enumerated() {
        let area = entry.area ?? (record.start.areas.count == 1 ? record.start.areas.first : nil)
        var administration = FHIRObject("MedicationAdministration")
        administration["status"] = .string("completed")
        administration["medicationReference"] = FHIRValue.reference(given)
        administration["subject"] = FHIRValue.reference(patient)
        administration["effectiveDateTime"] = time(treatedAt)
        administration["partOf"] = .array([FHIRValue.reference(procedure)])
        var dosage = FHIRObject()
        let amount = FHIRJSON.decimal(entry.millilitres)
        if let points = entry.points {
          dosage["text"] = .string(
            "\((try? amount.text(singleLine: true)) ?? "") mL over \(points) point\(points == 1 ? "" : "s")")
        }
        dosage["site"] = area.map(site)
        dosage["dose"] = FHIRValue.millilitres(entry.millilitres)
        administration["dosage"] = dosage.json
        entries.append((fullUrl("MedicationAdministration\n\(line.step.id)\n\(index)"), administration.json))
      }
    }
    return entries
  }

  // MARK: - Checks

  private var detectedIssues: [(String, FHIRJSON)] {
    record.checks.compactMap { line in
      let severity: String
      switch line.check.outcome {
      case .stop: severity = "high"
      case .refer: severity = "moderate"
      case .warn: severity = "low"
      case .exclude: return nil
      }
      var issue = FHIRObject("DetectedIssue")
      issue["identifier"] = .array([
        FHIRValue.identifier(system: names.consultation, value: "\(record.start.id)/\(line.check.id)")
      ])
      switch line.fired.status {
      case .pending: issue["status"] = .string("preliminary")
      case .cleared: issue["status"] = .string("cancelled")
      default: issue["status"] = .string("final")
      }
      issue["code"] = FHIRValue.concept(
        FHIRValue.coding(system: names.checks(consultation.workflow), code: line.check.id), text: line.check.id)
      issue["severity"] = .string(severity)
      issue["patient"] = FHIRValue.reference(patient)
      issue["identifiedDateTime"] = time(line.fired.firedAt)
      issue["implicated"] = .array([FHIRValue.reference(procedure)])
      issue["evidence"] = .array([.object([("detail", .array([FHIRValue.reference(response)]))])])
      issue["detail"] = .string(line.check.reason)
      issue["mitigation"] = mitigation(line).map { .array([$0]) }
      return (fullUrl("DetectedIssue\n" + line.check.id), issue.json)
    }
  }

  /// What was done about a check: acknowledged, approved, or the
  /// consultation ended.
  private func mitigation(_ line: ConsultationRecord.CheckLine) -> FHIRJSON? {
    let action: String
    let by: Clinician?
    let at: Timestamp
    switch line.fired.status {
    case .acknowledged(let who, let when):
      (action, by, at) = ("Acknowledged", who, when)
    case .overridden(let who, let reason, let when):
      (action, by, at) = ("Approved by a physician: \(reason)", who, when)
    case .endedConsultation(let when):
      let outcome = record.outcome.flatMap { consultation.workflow.workflow.outcomes[$0]?.title }
      let ended = consultation.events.last { if case .ended = $0.kind { return true } else { return false } }
      (action, by, at) = ("Consultation ended" + (outcome.map { ": \($0)" } ?? ""), ended?.actor, when)
    case .pending, .applied, .cleared:
      return nil
    }
    var mitigation = FHIRObject()
    mitigation["action"] = FHIRValue.concept(text: action)
    mitigation["date"] = time(at)
    mitigation["author"] = practitionerReference(by)
    return mitigation.json
  }

  // MARK: - Aftercare and follow-up

  /// The aftercare; each instruction `completed` once it ended by `now`
  /// (the export), else `in-progress`.
  private func carePlanResource(_ requests: [String], at now: Timestamp) -> FHIRJSON {
    var plan = FHIRObject("CarePlan")
    plan["identifier"] = .array([FHIRValue.identifier(system: names.consultation, value: record.start.id)])
    plan["status"] = .string("active")
    plan["intent"] = .string("plan")
    plan["title"] = .string(form.title + ": aftercare")
    plan["description"] = consultation.workflow.workflow.patientSheet.warningSigns.map(FHIRJSON.string)
    plan["subject"] = FHIRValue.reference(patient)
    if let treatedAt = record.treatedAt {
      var period = FHIRObject()
      period["start"] = time(treatedAt)
      period["end"] = record.aftercare.compactMap(\.endsAt).max().map(time)
      plan["period"] = period.json
      plan["created"] = time(treatedAt)
    }
    plan["author"] = practitionerReference(record.start.staff)
    var activities: [FHIRJSON] = []
    for instruction in record.aftercare {
      var detail = FHIRObject()
      detail["code"] = FHIRValue.concept(
        FHIRValue.coding(system: names.aftercare(consultation.workflow), code: instruction.id))
      let ended = instruction.endsAt.map { $0 <= now } ?? false
      detail["status"] = .string(ended ? "completed" : "in-progress")
      if let treatedAt = record.treatedAt {
        var period = FHIRObject()
        period["start"] = time(treatedAt)
        period["end"] = instruction.endsAt.map(time)
        detail["scheduledPeriod"] = period.json
      }
      detail["description"] = .string(instruction.text)
      activities.append(.object([("detail", detail.json)]))
    }
    activities += requests.map { .object([("reference", FHIRValue.reference($0))]) }
    plan["activity"] = .array(activities)
    return plan.json
  }

  private var serviceRequests: [(String, FHIRJSON)] {
    record.followUp.enumerated().map { index, appointment in
      var request = FHIRObject("ServiceRequest")
      request["identifier"] = .array([
        FHIRValue.identifier(system: names.consultation, value: "\(record.start.id)/follow-up/\(index + 1)")
      ])
      request["basedOn"] = .array([FHIRValue.reference(carePlan)])
      request["status"] = .string(appointment.date == nil ? "draft" : "active")
      request["intent"] = .string("plan")
      request["code"] = FHIRValue.concept(
        text: consultation.workflow.workflow.title + ": " + FollowUpWording.kind(appointment.kind))
      request["subject"] = FHIRValue.reference(patient)
      if let date = appointment.date {
        request["occurrenceDateTime"] = FHIRValue.date(date)
      } else {
        request["occurrencePeriod"] = .object([("end", FHIRValue.date(appointment.dueDate))])
      }
      request["authoredOn"] = record.treatedAt.map(time)
      request["requester"] = practitionerReference(record.start.staff)
      request["bodySite"] = .array((appointment.areas.isEmpty ? record.start.areas : appointment.areas).map(site))
      return (fullUrl("ServiceRequest\n\(index)"), request.json)
    }
  }

  // MARK: - Provenance

  private func provenance(targets: [String]) -> FHIRJSON {
    var provenance = FHIRObject("Provenance")
    provenance["target"] = .array(targets.map { FHIRValue.reference($0) })
    let last = consultation.events.last?.time ?? record.startedAt
    provenance["occurredPeriod"] = .object([("start", time(record.startedAt)), ("end", time(last))])
    provenance["recorded"] = time(last)
    let signers = Set(
      consultation.events.compactMap { event -> String? in
        switch event.kind {
        case .overridden, .waitOverridden: return event.actor.map(key)
        default: return nil
        }
      })
    provenance["agent"] = .array(
      clinicians.map { clinician in
        let role =
          key(clinician) == key(record.start.staff)
          ? "author" : signers.contains(key(clinician)) ? "verifier" : "enterer"
        return .object([
          (
            "type",
            FHIRValue.concept(
              FHIRValue.coding(
                system: "http://terminology.hl7.org/CodeSystem/provenance-participant-type", code: role))
          ),
          ("who", FHIRValue.reference(practitioner(clinician), display: clinician.name)),
        ])
      })
    if let chainHead {
      provenance["entity"] = .array([
        .object([
          ("role", .string("source")),
          (
            "what",
            .object([
              ("identifier", FHIRValue.identifier(system: names.eventChain, value: chainHead)),
              (
                "display",
                .string("SHA-256 head of the consultation's event chain after \(consultation.events.count) events")
              ),
            ])
          ),
        ])
      ])
    }
    return provenance.json
  }
}
