public import Mesoflow

/// A consultation as HL7 FHIR R4 (4.0.1) JSON, for the clinic's other
/// systems: an EHR, a booking system, a registry.
///
/// ``bundle(for:chainHead:assembledAt:options:)`` writes one `Bundle` of
/// type `collection` holding the consultation's resources, each with a
/// `urn:uuid` fullUrl, and every reference between them by that fullUrl:
///
/// | resource | what it holds |
/// |---|---|
/// | `Patient` | the patient's id as an identifier (Mesoflow keeps no demographics) |
/// | `Practitioner` | each clinician who recorded something: name, account |
/// | `Questionnaire` | the merged workflow (``questionnaire(for:options:)``) |
/// | `QuestionnaireResponse` | every answer that counts |
/// | `Consent` | each consent signed |
/// | `Medication` | each product, with its lot and expiry |
/// | `Procedure` | the treatment, one `bodySite` per area; notes and removed ingredients |
/// | `MedicationAdministration` | the volume given in each area |
/// | `DetectedIssue` | each stop, referral and warning that fired, and how it was resolved |
/// | `CarePlan` | the aftercare and its end times |
/// | `ServiceRequest` | each follow-up appointment |
/// | `Provenance` | who recorded it, and the head of its hash chain |
///
/// docs/FHIR.md maps each element. Codes that are clinical content (an
/// area's anatomical site, a unit's UCUM code) come from the definitions;
/// an area without a code is given as its title. The codes written here are
/// FHIR's own (statuses, the consent scope, `mL` for a volume).
///
/// The same consultation always gives the same fullUrls (each is derived
/// from the consultation's id, start time and the resource), so a system
/// that imports an export again can recognise what it has.
public enum FHIRExport {
  /// How identifiers and canonical URLs are formed, and how the JSON is laid out.
  public struct Options: Sendable, Hashable {
    /// The base of every canonical URL (the Questionnaire's) and of every
    /// identifier and code system Mesoflow names: `urn:mesoflow` (the
    /// default) gives `urn:mesoflow:questionnaire:WORKFLOW:AREAS`; an
    /// `https://` base gives `BASE/questionnaire/WORKFLOW/AREAS`.
    public var canonicalBase: String
    /// Whether the JSON is written on one line (as NDJSON needs) rather
    /// than indented by two spaces.
    public var singleLine: Bool

    /// Options with the default base and indented JSON.
    public init(canonicalBase: String = FHIRExport.defaultCanonicalBase, singleLine: Bool = false) {
      self.canonicalBase = canonicalBase
      self.singleLine = singleLine
    }
  }

  /// `urn:mesoflow`.
  public static let defaultCanonicalBase = "urn:mesoflow"

  /// The consultation as one FHIR R4 `Bundle` of type `collection`.
  ///
  /// - Parameters:
  ///   - consultation: The consultation, open or ended.
  ///   - chainHead: The head of the consultation's hash chain in the store
  ///     (`ConsultationArchive`), named by the `Provenance`; `nil` leaves it out.
  ///   - assembledAt: When the bundle is made: its `timestamp`, the only
  ///     input that is not in the consultation.
  ///   - options: Identifier systems and layout.
  /// - Returns: The JSON text, ending in a line feed.
  /// - Throws: ``DocumentError`` with ``DocumentError/Code/notEncodable``
  ///   for a number that is not finite, which no validated answer holds.
  public static func bundle(
    for consultation: Consultation, chainHead: String?, assembledAt: Timestamp, options: Options = Options()
  ) throws(DocumentError) -> String {
    let bundle = FHIRConsultationBundle(consultation, chainHead: chainHead, names: FHIRNames(options.canonicalBase))
    return try bundle.json(assembledAt: assembledAt).text(singleLine: options.singleLine) + "\n"
  }

  /// The merged workflow as a FHIR R4 `Questionnaire` alone, for systems
  /// that render forms: a group per stage holding its steps, in the order
  /// they are asked, each with its type, the choices as `answerOption`,
  /// and `enableWhen` where the step's condition compares answers with
  /// constants joined by `and` alone or `or` alone.
  ///
  /// - Parameters:
  ///   - workflow: The workflow merged with its areas.
  ///   - options: The canonical URL's base and the layout.
  /// - Returns: The JSON text, ending in a line feed.
  public static func questionnaire(for workflow: MergedWorkflow, options: Options = Options()) throws(DocumentError)
    -> String
  {
    let form = FHIRQuestionnaire(workflow, names: FHIRNames(options.canonicalBase))
    return try form.resource.text(singleLine: options.singleLine) + "\n"
  }
}

/// The names Mesoflow gives in FHIR: canonical URLs and identifier and code
/// systems, all under one base.
struct FHIRNames: Sendable {
  let base: String

  init(_ base: String) {
    var base = base
    while base.hasSuffix("/") { base.removeLast() }
    self.base = base
  }

  /// `BASE:a:b` under a URN, `BASE/a/b` under a URL.
  func name(_ parts: String...) -> String {
    base.hasPrefix("urn:") ? ([base] + parts).joined(separator: ":") : ([base] + parts).joined(separator: "/")
  }

  /// The Questionnaire of a workflow merged with its areas.
  func questionnaire(_ workflow: MergedWorkflow) -> String {
    let areas = workflow.areas.map(\.id)
    return areas.isEmpty
      ? name("questionnaire", workflow.workflow.id)
      : name("questionnaire", workflow.workflow.id, areas.joined(separator: "+"))
  }

  /// The code system of a choice step's options.
  func options(_ workflow: MergedWorkflow, step: String) -> String { name("options", workflow.workflow.id, step) }

  /// The code system of a workflow's checks.
  func checks(_ workflow: MergedWorkflow) -> String { name("checks", workflow.workflow.id) }

  /// The code system of a workflow's aftercare items.
  func aftercare(_ workflow: MergedWorkflow) -> String { name("aftercare", workflow.workflow.id) }

  var consultation: String { name("consultation") }
  var patient: String { name("patient") }
  var account: String { name("account") }
  var definitionHash: String { name("definition-hash") }
  var eventChain: String { name("event-chain") }
}

/// FHIR's forms of times, dates, codes and quantities.
enum FHIRValue {
  static let ucum = "http://unitsofmeasure.org"

  /// An instant as a FHIR `instant` or `dateTime` at the zone's offset:
  /// `2026-11-21T10:30:00.000+01:00`.
  static func dateTime(_ instant: Timestamp, _ zone: ClinicTimeZone) -> FHIRJSON {
    let offset = zone.utcOffset(at: instant)
    let (shifted, overflow) = instant.millisecondsSinceEpoch.addingReportingOverflow(Int64(offset) * 1000)
    let local = Timestamp(millisecondsSinceEpoch: overflow ? instant.millisecondsSinceEpoch : shifted)
    let utc = local.description  // 2026-11-21T10:30:00.000Z, in local time
    let magnitude = abs(overflow ? 0 : offset)
    let hours = magnitude / 3600
    let minutes = magnitude / 60 % 60
    let sign = offset < 0 && !overflow ? "-" : "+"
    let zoneText = "\(sign)\(hours < 10 ? "0" : "")\(hours):\(minutes < 10 ? "0" : "")\(minutes)"
    return .string(String(utc.dropLast()) + zoneText)
  }

  static func date(_ day: CalendarDate) -> FHIRJSON { .string(day.description) }

  /// A Coding.
  static func coding(system: String, code: String, display: String? = nil) -> FHIRJSON {
    var coding = FHIRObject()
    coding["system"] = .string(system)
    coding["code"] = .string(code)
    coding["display"] = display.map(FHIRJSON.string)
    return coding.json
  }

  /// A CodeableConcept of one coding, or of text alone.
  static func concept(_ coding: FHIRJSON? = nil, text: String? = nil) -> FHIRJSON {
    var concept = FHIRObject()
    concept["coding"] = coding.map { .array([$0]) }
    concept["text"] = text.map(FHIRJSON.string)
    return concept.json
  }

  /// A code from the definitions as a CodeableConcept, with `text` beside it.
  static func concept(_ code: ClinicalCode?, text: String) -> FHIRJSON {
    concept(code.map { coding(system: $0.system, code: $0.code, display: $0.display) }, text: text)
  }

  /// A volume in millilitres, in UCUM.
  static func millilitres(_ value: Double) -> FHIRJSON {
    quantity(value, unit: "mL", ucum: "mL")
  }

  /// A Quantity; with a UCUM code, its system and code too.
  static func quantity(_ value: Double, unit: String?, ucum: String?) -> FHIRJSON {
    var quantity = FHIRObject()
    quantity["value"] = .decimal(value)
    quantity["unit"] = unit.map(FHIRJSON.string)
    if let ucum {
      quantity["system"] = .string(Self.ucum)
      quantity["code"] = .string(ucum)
    }
    return quantity.json
  }

  /// A Reference to an entry of the bundle.
  static func reference(_ fullUrl: String, display: String? = nil) -> FHIRJSON {
    var reference = FHIRObject()
    reference["reference"] = .string(fullUrl)
    reference["display"] = display.map(FHIRJSON.string)
    return reference.json
  }

  static func identifier(system: String, value: String) -> FHIRJSON {
    .object([("system", .string(system)), ("value", .string(value))])
  }

  /// An Annotation: a note with its author and time.
  static func annotation(_ text: String, author: String?, at time: FHIRJSON?) -> FHIRJSON {
    var note = FHIRObject()
    note["authorReference"] = author.map { reference($0) }
    note["time"] = time
    note["text"] = .string(text)
    return note.json
  }

  /// A `urn:uuid` name derived from `seed` (RFC 9562 version 8, from a
  /// SHA-256 of the seed), so the same input always gives the same name.
  static func uuid(_ seed: String) -> String {
    var bytes = Array(SHA256.hash("mesoflow fhir v1\n" + seed).bytes.prefix(16))
    bytes[6] = (bytes[6] & 0x0F) | 0x80
    bytes[8] = (bytes[8] & 0x3F) | 0x80
    let hex = bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    let groups = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4)]
    return "urn:uuid:" + groups.joined(separator: "-") + "-" + hex.dropFirst(20)
  }
}
