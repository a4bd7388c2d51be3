import Foundation
import Mesoflow
import MesoflowRecords
import Testing

/// A FHIR Bundle read back with Foundation's JSON parser, so that the tests
/// check what the text says, not what the exporter meant.
struct ReadBundle {
  let json: [String: Any]
  let entries: [(fullUrl: String, resource: [String: Any])]

  init(_ text: String) throws {
    let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8))
    json = try #require(parsed as? [String: Any])
    let entries = try #require(json["entry"] as? [[String: Any]])
    self.entries = try entries.map {
      (try #require($0["fullUrl"] as? String), try #require($0["resource"] as? [String: Any]))
    }
  }

  func all(_ type: String) -> [[String: Any]] {
    entries.map(\.resource).filter { $0["resourceType"] as? String == type }
  }

  func one(_ type: String) throws -> [String: Any] {
    let found = all(type)
    #expect(found.count == 1, "\(found.count) \(type) resources")
    return try #require(found.first)
  }

  /// The resource a reference points at.
  func resolve(_ reference: Any?) -> [String: Any]? {
    guard let reference = (reference as? [String: Any])?["reference"] as? String else { return nil }
    return entries.first { $0.fullUrl == reference }?.resource
  }

  /// Every `reference` string anywhere in the bundle.
  var references: [String] {
    var found: [String] = []
    func walk(_ value: Any) {
      if let object = value as? [String: Any] {
        if let reference = object["reference"] as? String { found.append(reference) }
        object.values.forEach(walk)
      } else if let array = value as? [Any] {
        array.forEach(walk)
      }
    }
    walk(json)
    return found
  }
}

/// The linkIds of a Questionnaire's or a response's items, each with its parent's.
func linkIds(_ items: Any?, parent: String = "") -> [(parent: String, linkId: String)] {
  var out: [(String, String)] = []
  for item in items as? [[String: Any]] ?? [] {
    guard let id = item["linkId"] as? String else { continue }
    out.append((parent, id))
    out += linkIds(item["item"], parent: id)
  }
  return out
}

struct FHIRExportTests {
  static let physician = Clinician(name: "Dr Ada Lane", role: .physician, account: "dr.lane")
  static let stamp = Timestamp(millisecondsSinceEpoch: 1_795_300_000_000)

  /// A shipped consultation of `areas`: a healthy adult on anticoagulants,
  /// whose referral a physician approves, with a note; or, with
  /// `approve: false`, ended at that referral.
  static func referred(areas: [String] = ["face"], approve: Bool = true, id: String = "20261121-FHIR01") throws
    -> Consultation
  {
    let merged = try RecordsFixture.merged(RecordsFixture.shipped, workflow: "mesotherapy", areas: areas)
    let product = Product(name: "Dermaheal SR", lot: "A123", expiry: try RecordsFixture.day(400))
    return try RecordsFixture.consultation(
      merged, answers: ["anticoagulants": .yesNo(true), "product": .product(product)], healthyByDefault: true,
      note: "Anxious \"about\" needles\n& <bruises>", id: id, timeZone: .fixed(utcOffset: 3600)
    ) { consultation, alert in
      switch alert.check.outcome {
      case .refer where approve:
        try consultation.override(alert.check.id, reason: "INR checked; warfarin held", by: physician)
      case .refer, .stop:
        try consultation.end(because: alert.check.id, note: "Sent to her GP", by: RecordsFixture.nurse)
      case .warn, .exclude:
        try consultation.acknowledge(alert.check.id, by: RecordsFixture.nurse)
      }
      return true
    }
  }

  static func bundle(_ consultation: Consultation, chainHead: String? = "ab12", base: String? = nil) throws
    -> ReadBundle
  {
    let options = base.map { FHIRExport.Options(canonicalBase: $0) } ?? FHIRExport.Options()
    return try ReadBundle(
      FHIRExport.bundle(for: consultation, chainHead: chainHead, assembledAt: stamp, options: options))
  }

  @Test func everyFullUrlIsAUniqueUUIDAndEveryReferenceResolvesInTheBundle() throws {
    for consultation in [
      try Self.referred(), try Self.referred(approve: false), try Self.referred(areas: ["eye", "face"]),
    ] {
      let bundle = try Self.bundle(consultation)
      #expect(bundle.json["resourceType"] as? String == "Bundle")
      #expect(bundle.json["type"] as? String == "collection")
      let urls = bundle.entries.map(\.fullUrl)
      #expect(Set(urls).count == urls.count)
      let uuid = /urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/
      #expect(urls.allSatisfy { $0.wholeMatch(of: uuid) != nil }, "\(urls)")
      let references = bundle.references
      #expect(!references.isEmpty)
      #expect(references.filter { !urls.contains($0) } == [])
    }
  }

  @Test func theResponseAnswersOnlyItemsOfItsQuestionnaireInTheirPlace() throws {
    let bundle = try Self.bundle(try Self.referred(areas: ["eye", "face"]))
    let form = try bundle.one("Questionnaire")
    let response = try bundle.one("QuestionnaireResponse")
    let url = try #require(form["url"] as? String)
    #expect(url == "urn:mesoflow:questionnaire:mesotherapy:eye+face")
    let version = try #require(form["version"] as? String)
    #expect(version.wholeMatch(of: /1-[0-9a-f]{12}/) != nil, "\(version)")
    #expect(response["questionnaire"] as? String == "\(url)|\(version)")
    let asked = Set(linkIds(form["item"]).map { "\($0.parent)/\($0.linkId)" })
    let answered = linkIds(response["item"]).map { "\($0.parent)/\($0.linkId)" }
    #expect(answered.count > 40)
    #expect(answered.filter { !asked.contains($0) } == [])
    #expect(response["status"] as? String == "completed")
    // The workflow's hash is the form's identifier.
    let identifier = try #require((form["identifier"] as? [[String: Any]])?.first)
    #expect(identifier["value"] as? String == (try Self.referred(areas: ["eye", "face"])).workflow.definitionHash)
  }

  @Test func answersHaveTheirTypesUnitsAndCodings() throws {
    let bundle = try Self.bundle(try Self.referred())
    let response = try bundle.one("QuestionnaireResponse")
    var answers: [String: [[String: Any]]] = [:]
    func walk(_ items: Any?) {
      for item in items as? [[String: Any]] ?? [] {
        if let id = item["linkId"] as? String, let answer = item["answer"] as? [[String: Any]] { answers[id] = answer }
        walk(item["item"])
      }
    }
    walk(response["item"])
    #expect(answers["anticoagulants"]?.first?["valueBoolean"] as? Bool == true)
    #expect(answers["age"]?.first?["valueInteger"] as? Int == 34)
    let skin = try #require(answers["skin_type"]?.first?["valueCoding"] as? [String: Any])
    #expect(skin["system"] as? String == "urn:mesoflow:options:mesotherapy:skin_type")
    #expect(skin["code"] as? String == "i")
    let volume = try #require(answers["volume"]?.first?["valueQuantity"] as? [String: Any])
    #expect(volume["system"] as? String == "http://unitsofmeasure.org")
    #expect(volume["code"] as? String == "mL")
    let consent = try #require(answers["consent"]?.first?["valueReference"])
    #expect(bundle.resolve(consent)?["resourceType"] as? String == "Consent")
    let product = try #require(answers["product"]?.first?["valueReference"])
    #expect(bundle.resolve(product)?["resourceType"] as? String == "Medication")
    let date = try #require(answers["next_session_date"]?.first?["valueDate"] as? String)
    #expect(date == (try RecordsFixture.day(35)).description)
  }

  @Test func theProductsLotAndExpiryAreTheMedicationsBatchGivenInTheProcedure() throws {
    let bundle = try Self.bundle(try Self.referred(areas: ["eye", "face"]))
    let medication = try bundle.one("Medication")
    #expect((medication["code"] as? [String: Any])?["text"] as? String == "Dermaheal SR")
    let batch = try #require(medication["batch"] as? [String: Any])
    #expect(batch["lotNumber"] as? String == "A123")
    #expect(batch["expirationDate"] as? String == (try RecordsFixture.day(400)).description)
    let procedure = try bundle.one("Procedure")
    #expect(procedure["status"] as? String == "completed")
    let sites = try #require(procedure["bodySite"] as? [[String: Any]])
    // The plugins' SNOMED CT codes, with each area's title as text.
    let codings = sites.compactMap { ($0["coding"] as? [[String: Any]])?.first }
    #expect(codings.map { $0["system"] as? String } == ["http://snomed.info/sct", "http://snomed.info/sct"])
    #expect(codings.map { $0["code"] as? String } == ["371398005", "89545001"])
    #expect(sites.map { $0["text"] as? String } == ["Eye area", "Face"])
    // One administration per area, each part of the procedure, in mL.
    let given = bundle.all("MedicationAdministration")
    #expect(given.count == 2)
    for administration in given {
      #expect(bundle.resolve(administration["medicationReference"])?["resourceType"] as? String == "Medication")
      let partOf = try #require((administration["partOf"] as? [Any])?.first)
      #expect(bundle.resolve(partOf)?["resourceType"] as? String == "Procedure")
      let dosage = try #require(administration["dosage"] as? [String: Any])
      let dose = try #require(dosage["dose"] as? [String: Any])
      #expect(dose["value"] as? Int == 1)
      #expect(dose["code"] as? String == "mL")
      #expect(dosage["site"] != nil)
    }
  }

  @Test func anApprovedReferralIsAModerateIssueMitigatedByThePhysiciansAccount() throws {
    let bundle = try Self.bundle(try Self.referred())
    let issues = bundle.all("DetectedIssue")
    let referral = try #require(
      issues.first {
        (($0["code"] as? [String: Any])?["coding"] as? [[String: Any]])?.first?["code"] as? String
          == "anticoagulants_refer"
      })
    #expect(referral["severity"] as? String == "moderate")
    let implicated = try #require((referral["implicated"] as? [Any])?.first)
    #expect(bundle.resolve(implicated)?["resourceType"] as? String == "Procedure")
    let evidence = (referral["evidence"] as? [[String: Any]])?.first?["detail"] as? [Any]
    #expect(bundle.resolve(evidence?.first)?["resourceType"] as? String == "QuestionnaireResponse")
    #expect(referral["status"] as? String == "final")
    let mitigation = try #require((referral["mitigation"] as? [[String: Any]])?.first)
    let action = try #require((mitigation["action"] as? [String: Any])?["text"] as? String)
    #expect(action.contains("INR checked; warfarin held"))
    let author = try #require(bundle.resolve(mitigation["author"]))
    #expect(author["resourceType"] as? String == "Practitioner")
    let identifier = try #require((author["identifier"] as? [[String: Any]])?.first)
    #expect(identifier["system"] as? String == "urn:mesoflow:account")
    #expect(identifier["value"] as? String == "dr.lane")
    #expect(((author["name"] as? [[String: Any]])?.first?["text"]) as? String == "Dr Ada Lane")
    // The physician signed: a verifier in the provenance.
    let provenance = try bundle.one("Provenance")
    let agents = try #require(provenance["agent"] as? [[String: Any]])
    let verifier = try #require(
      agents.first {
        bundle.resolve($0["who"])?["identifier"] != nil
          && ($0["who"] as? [String: Any])?["display"] as? String == "Dr Ada Lane"
      })
    let role = ((verifier["type"] as? [String: Any])?["coding"] as? [[String: Any]])?.first?["code"] as? String
    #expect(role == "verifier")
  }

  @Test func aReferralThatEndedTheConsultationLeavesTheProcedureNotDone() throws {
    let bundle = try Self.bundle(try Self.referred(approve: false))
    let procedure = try bundle.one("Procedure")
    #expect(procedure["status"] as? String == "not-done")
    let reason = try #require((procedure["statusReason"] as? [String: Any])?["text"] as? String)
    #expect(reason.contains("Blood thinners"))
    #expect(bundle.all("CarePlan").isEmpty)
    #expect(bundle.all("ServiceRequest").isEmpty)
    #expect(bundle.all("MedicationAdministration").isEmpty)
    #expect(procedure["usedReference"] == nil)
    #expect((try bundle.one("QuestionnaireResponse"))["status"] as? String == "stopped")
    let issue = try #require(bundle.all("DetectedIssue").first { ($0["severity"] as? String) == "moderate" })
    let action = (((issue["mitigation"] as? [[String: Any]])?.first)?["action"] as? [String: Any])?["text"] as? String
    #expect(action?.hasPrefix("Consultation ended") == true)
  }

  @Test func theCarePlanHoldsEachAftercareEndAndEachFollowUpIsAServiceRequest() throws {
    let consultation = try Self.referred()
    let record = consultation.record
    let bundle = try Self.bundle(consultation)
    let plan = try bundle.one("CarePlan")
    let activities = try #require(plan["activity"] as? [[String: Any]])
    let details = activities.compactMap { $0["detail"] as? [String: Any] }
    #expect(details.count == record.aftercare.count)
    for (detail, instruction) in zip(details, record.aftercare) {
      #expect(detail["description"] as? String == instruction.text)
      let end = (detail["scheduledPeriod"] as? [String: Any])?["end"] as? String
      #expect(end == instruction.endsAt.map { Self.local($0) })
    }
    #expect(plan["description"] as? String == consultation.workflow.workflow.patientSheet.warningSigns)
    let requests = activities.compactMap { bundle.resolve($0["reference"]) }
    #expect(requests.count == record.followUp.count)
    #expect(requests.count == bundle.all("ServiceRequest").count)
    for (request, appointment) in zip(requests, record.followUp) {
      #expect(request["resourceType"] as? String == "ServiceRequest")
      #expect(request["occurrenceDateTime"] as? String == appointment.date?.description)
    }
  }

  /// `instant` at +01:00, as the fixture's zone gives it.
  static func local(_ instant: Timestamp) -> String {
    let shifted = Timestamp(millisecondsSinceEpoch: instant.millisecondsSinceEpoch + 3_600_000)
    return String(shifted.description.dropLast()) + "+01:00"
  }

  @Test func timesCarryTheClinicsOffsetAndTheProvenanceTheChainHead() throws {
    let consultation = try Self.referred()
    let bundle = try Self.bundle(consultation, chainHead: "0123abcd")
    #expect(bundle.json["timestamp"] as? String == Self.local(Self.stamp))
    let provenance = try bundle.one("Provenance")
    #expect(provenance["recorded"] as? String == consultation.events.last.map { Self.local($0.time) })
    let entity = try #require((provenance["entity"] as? [[String: Any]])?.first)
    let what = try #require(entity["what"] as? [String: Any])
    #expect((what["identifier"] as? [String: Any])?["value"] as? String == "0123abcd")
    let targets = try #require(provenance["target"] as? [Any])
    #expect(targets.count == bundle.entries.count - 1)
    // Without a chain head (not from a store), no entity.
    #expect((try Self.bundle(consultation, chainHead: nil).one("Provenance"))["entity"] == nil)
  }

  @Test func theSameConsultationGivesTheSameBundleAndAnotherOtherNames() throws {
    let one = try Self.referred()
    let text = try FHIRExport.bundle(for: one, chainHead: nil, assembledAt: Self.stamp)
    #expect(try FHIRExport.bundle(for: one, chainHead: nil, assembledAt: Self.stamp) == text)
    let other = try Self.referred(id: "20261121-FHIR02")
    let urls = Set(try Self.bundle(one).entries.map(\.fullUrl))
    #expect(urls.isDisjoint(with: try Self.bundle(other).entries.map(\.fullUrl)))
  }

  @Test func anIntegerWithAUnitStaysAnIntegerItemWithItsUCUMUnitAndBounds() throws {
    let form = try (try Self.bundle(try Self.referred())).one("Questionnaire")
    var items: [String: [String: Any]] = [:]
    for (_, id) in linkIds(form["item"]) { items[id] = nil }
    func walk(_ value: Any?) {
      for item in value as? [[String: Any]] ?? [] {
        if let id = item["linkId"] as? String { items[id] = item }
        walk(item["item"])
      }
    }
    walk(form["item"])
    let age = try #require(items["age"])
    #expect(age["type"] as? String == "integer")
    let extensions = try #require(age["extension"] as? [[String: Any]])
    let unit = try #require(extensions.first { ($0["url"] as? String)?.hasSuffix("/questionnaire-unit") == true })
    #expect((unit["valueCoding"] as? [String: Any])?["code"] as? String == "a")
    #expect((unit["valueCoding"] as? [String: Any])?["system"] as? String == "http://unitsofmeasure.org")
    #expect(extensions.compactMap { $0["valueInteger"] as? Int } == [0, 120])
    // A volume is a quantity in mL, named by questionnaire-unitOption.
    let volume = try #require(items["volume"])
    #expect(volume["type"] as? String == "quantity")
    let option = (volume["extension"] as? [[String: Any]])?.first
    #expect((option?["url"] as? String)?.hasSuffix("/questionnaire-unitOption") == true)
    // None of a multiple choice may be chosen, so it is not required.
    #expect(items["face_concerns"]?["required"] as? Bool == false)
  }

  @Test func aMultipleChoiceWithNoneChosenIsAnItemWithoutAnswer() throws {
    let merged = try RecordsFixture.merged(RecordsFixture.shipped, workflow: "mesotherapy", areas: ["face"])
    let consultation = try RecordsFixture.consultation(
      merged, answers: ["face_concerns": .multipleChoice([])], healthyByDefault: true)
    let response = try (try Self.bundle(consultation)).one("QuestionnaireResponse")
    var found: [String: Any]?
    func walk(_ value: Any?) {
      for item in value as? [[String: Any]] ?? [] {
        if item["linkId"] as? String == "face_concerns" { found = item }
        walk(item["item"])
      }
    }
    walk(response["item"])
    let item = try #require(found)
    #expect(item["answer"] == nil)
    #expect(item["text"] as? String != nil)
  }

  @Test func aControlCharacterFHIRForbidsIsTheReplacementCharacter() throws {
    // The engine refuses one now; a consultation recorded before may hold one.
    let recorded = try Self.referred()
    let last = try #require(recorded.events.last)
    let note = ConsultationEvent(
      sequence: last.sequence + 1, time: last.time, actor: RecordsFixture.nurse,
      kind: .noted(step: nil, text: "bell\u{07}, tab\tline\r\nend"))
    let consultation = try Consultation(
      replaying: recorded.events + [note], workflow: recorded.workflow, clock: ManualClock(last.time),
      timeZone: recorded.timeZone)
    let bundle = try Self.bundle(consultation)
    let notes = try #require((try bundle.one("Procedure"))["note"] as? [[String: Any]]).compactMap {
      $0["text"] as? String
    }
    #expect(notes.contains("bell\u{FFFD}, tab\tline\r\nend"))
  }

  @Test func anInstructionIsCompletedOnceItEndedByTheExport() throws {
    let consultation = try Self.referred()
    let later = Timestamp(millisecondsSinceEpoch: RecordsFixture.morning.millisecondsSinceEpoch + 400 * 86_400_000)
    for (at, expected) in [(Self.stamp, "in-progress"), (later, "completed")] {
      let bundle = try ReadBundle(FHIRExport.bundle(for: consultation, chainHead: nil, assembledAt: at))
      let details = try #require((try bundle.one("CarePlan"))["activity"] as? [[String: Any]]).compactMap {
        $0["detail"] as? [String: Any]
      }
      let windowed = details.filter { ($0["scheduledPeriod"] as? [String: Any])?["end"] != nil }
      #expect(!windowed.isEmpty)
      #expect(windowed.allSatisfy { $0["status"] as? String == expected }, "\(at)")
    }
  }

  @Test func notesKeepEveryCharacterThroughJSON() throws {
    let bundle = try Self.bundle(try Self.referred())
    let procedure = try bundle.one("Procedure")
    let notes = try #require(procedure["note"] as? [[String: Any]]).compactMap { $0["text"] as? String }
    #expect(notes.contains("age: Anxious \"about\" needles\n& <bruises>"))
  }

  @Test func oneLineOptionWritesNDJSONLines() throws {
    let text = try FHIRExport.bundle(
      for: try Self.referred(), chainHead: nil, assembledAt: Self.stamp, options: .init(singleLine: true))
    #expect(text.hasSuffix("}\n"))
    #expect(text.dropLast().contains("\n") == false)
    _ = try ReadBundle(text)
  }

  @Test func aCanonicalBaseOfAURLNamesWithSlashes() throws {
    let bundle = try Self.bundle(try Self.referred(), base: "https://clinic.example/fhir/")
    #expect(
      (try bundle.one("Questionnaire"))["url"] as? String
        == "https://clinic.example/fhir/questionnaire/mesotherapy/face")
    let patient = try bundle.one("Patient")
    let identifier = try #require((patient["identifier"] as? [[String: Any]])?.first)
    #expect(identifier["system"] as? String == "https://clinic.example/fhir/patient")
    #expect(identifier["value"] as? String == "P-17")
  }

  @Test func anAreaWithoutACodeIsItsTitleAsText() throws {
    let consultation = try RecordsFixture.consultation(try RecordsFixture.merged())
    let bundle = try Self.bundle(consultation)
    let site = try #require(((try bundle.one("Procedure"))["bodySite"] as? [[String: Any]])?.first)
    #expect(site["text"] as? String == "Patch <area>")
    #expect(site["coding"] == nil)
  }
}

struct FHIRQuestionnaireTests {
  static func form(_ workflowSteps: String) throws -> [String: [String: Any]] {
    let indented = workflowSteps.split(separator: "\n").map { "      " + $0.drop { $0 == " " } }
      .joined(separator: "\n")
    let text = """
      workflow: w
      title: W
      version: 3
      start: a
      procedure: a
      outcomes:
        completed:
          title: Done
      stages:
        - id: a
          title: A
          steps:
      \(indented)
          end: completed
      """
    let catalog = Catalog(sources: [SourceText(name: "w.yaml", text: text)])
    #expect(catalog.diagnostics.map(\.description) == [])
    let merged = try catalog.merged(workflow: "w", areas: [])
    let json = try FHIRExport.questionnaire(for: merged)
    let form = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    #expect(form["url"] as? String == "urn:mesoflow:questionnaire:w")
    #expect((form["version"] as? String)?.hasPrefix("3-") == true)
    var items: [String: [String: Any]] = [:]
    func walk(_ value: Any?) {
      for item in value as? [[String: Any]] ?? [] {
        if let id = item["linkId"] as? String { items[id] = item }
        walk(item["item"])
      }
    }
    walk(form["item"])
    return items
  }

  static let steps = """
          - { id: flag, ask: Flag?, type: yes-no }
          - { id: other, ask: Other?, type: yes-no }
          - { id: n, ask: N?, type: integer, min: 0, max: 99 }
          - { id: pick, ask: Pick?, type: choice, options: [{ id: x, label: X }, { id: y, label: Y }] }
          - { id: many, ask: Many?, type: multi-choice, options: [{ id: x, label: X }, { id: y, label: Y }] }
    """

  static func enableWhen(_ condition: String) throws -> (conditions: [[String: Any]], behavior: String?) {
    let items = try form(steps + "\n- { id: last, ask: Last?, type: yes-no, when: '\(condition)' }")
    let last = try #require(items["last"])
    return (last["enableWhen"] as? [[String: Any]] ?? [], last["enableBehavior"] as? String)
  }

  @Test func aBareYesNoStepIsEqualTrueAndItsNegationEqualFalse() throws {
    let yes = try Self.enableWhen("flag")
    #expect(yes.conditions.count == 1)
    #expect(yes.conditions.first?["question"] as? String == "flag")
    #expect(yes.conditions.first?["operator"] as? String == "=")
    #expect(yes.conditions.first?["answerBoolean"] as? Bool == true)
    #expect(yes.behavior == nil)
    #expect(try Self.enableWhen("not flag").conditions.first?["answerBoolean"] as? Bool == false)
  }

  @Test func comparisonsKeepTheirOperatorAndAConstantOnTheLeftIsTurnedRound() throws {
    let less = try Self.enableWhen("n < 18").conditions.first
    #expect(less?["operator"] as? String == "<")
    #expect(less?["answerInteger"] as? Int == 18)
    let flipped = try Self.enableWhen("18 < n").conditions.first
    #expect(flipped?["operator"] as? String == ">")
    #expect(flipped?["question"] as? String == "n")
    let notEqual = try Self.enableWhen("not (n == 3)").conditions.first
    #expect(notEqual?["operator"] as? String == "!=")
  }

  @Test func aChoiceAndAMultipleChoiceCompareCodings() throws {
    let pick = try #require(try Self.enableWhen("pick == \"y\"").conditions.first)
    #expect((pick["answerCoding"] as? [String: Any])?["code"] as? String == "y")
    #expect((pick["answerCoding"] as? [String: Any])?["system"] as? String == "urn:mesoflow:options:w:pick")
    let many = try #require(try Self.enableWhen("\"x\" in many").conditions.first)
    #expect(many["operator"] as? String == "=")
    #expect((many["answerCoding"] as? [String: Any])?["code"] as? String == "x")
  }

  @Test func andIsAllOrIsAnyAndAMixIsLeftOut() throws {
    let all = try Self.enableWhen("flag and not other")
    #expect(all.conditions.count == 2)
    #expect(all.behavior == "all")
    let any = try Self.enableWhen("flag or n > 3 or pick == \"x\"")
    #expect(any.conditions.count == 3)
    #expect(any.behavior == "any")
    #expect(try Self.enableWhen("flag and (other or n > 3)").conditions.isEmpty)
    #expect(try Self.enableWhen("n + 1 > 3").conditions.isEmpty)
    #expect(try Self.enableWhen("answered(n)").conditions.isEmpty)
  }

  @Test func itemsHaveTheirTypesOptionsAndRepeats() throws {
    let items = try Self.form(Self.steps)
    #expect(items["a"]?["type"] as? String == "group")
    #expect(items["flag"]?["type"] as? String == "boolean")
    #expect(items["n"]?["type"] as? String == "integer")
    #expect(items["pick"]?["type"] as? String == "choice")
    #expect(items["many"]?["repeats"] as? Bool == true)
    #expect((items["pick"]?["answerOption"] as? [Any])?.count == 2)
    #expect(items["pick"]?["repeats"] == nil)
    let bounds = (items["n"]?["extension"] as? [[String: Any]])?.compactMap { $0["valueInteger"] as? Int }
    #expect(bounds == [0, 99])
  }
}
