import Foundation
import MesoflowYAML
import Testing

@testable import Mesoflow

/// The clinical codes the definitions give for records other systems read:
/// an area's `anatomical-site:` and a number step's `ucum:`. Their errors,
/// each at its line and column, are in the broken-definition corpus
/// (`Corpus/plugin-anatomical-site-*.yaml`, `Corpus/workflow-ucum-*.yaml`).
struct ClinicalCodeTests {
  static let workflow = """
    workflow: demo
    title: Demo
    version: 1
    procedure: treat
    outcomes:
      completed: { title: Completed }
    stages:
      - id: treat
        steps:
          - id: age
            ask: Age?
            type: integer
            unit: years
            ucum: a
          - id: weight
            ask: Weight?
            type: decimal
            unit: kg
            ucum: kg
          - id: points
            ask: Points?
            type: integer
            unit: points
            ucum: "{points}"
          - id: height
            ask: Height?
            type: decimal
            unit: cm
        end: completed

    """

  static func plugin(_ extra: String) -> String {
    """
    plugin: patch
    title: Patch
    workflow: demo
    version: 1
    \(extra)procedure: { duration: 10m }
    stages:
      treat:
        steps:
          - id: patch_months
            ask: For how many months?
            type: integer
            unit: months
            ucum: mo

    """
  }

  static func catalog(plugin extra: String) -> Catalog {
    Catalog(sources: [
      SourceText(name: "demo.yaml", text: workflow), SourceText(name: "patch.yaml", text: plugin(extra)),
    ])
  }

  /// The bounds of the step `id` of `catalog`'s workflow or plugin.
  static func bounds(_ catalog: Catalog, _ id: String) -> NumberBounds? {
    let steps =
      (catalog.workflows["demo"]?.stages.flatMap(\.steps) ?? [])
      + (catalog.plugins["patch"]?.stages.flatMap(\.steps) ?? [])
    switch steps.first(where: { $0.id == id })?.answer {
    case .integer(let bounds)?, .decimal(let bounds)?: return bounds
    default: return nil
    }
  }

  // MARK: Decoding

  @Test func anAnatomicalSiteDecodesWithItsSystemCodeAndDisplay() throws {
    let catalog = Self.catalog(
      plugin: """
        anatomical-site:
          system: http://snomed.info/sct
          code: "89545001"
          display: Face structure

        """)
    #expect(catalog.diagnostics.map(\.description) == [])
    let plugin = try #require(catalog.plugins["patch"])
    #expect(
      plugin.anatomicalSite
        == ClinicalCode(system: "http://snomed.info/sct", code: "89545001", display: "Face structure"))
    // What the export reads: the merged workflow's areas.
    let merged = try catalog.merged(workflow: "demo", areas: ["patch"])
    #expect(merged.areas.map(\.anatomicalSite) == [plugin.anatomicalSite])
  }

  @Test func anAnatomicalSiteWithoutDisplayHasNone() throws {
    let catalog = Self.catalog(plugin: "anatomical-site: { system: 'http://snomed.info/sct', code: '41695006' }\n")
    #expect(catalog.diagnostics.map(\.description) == [])
    #expect(
      catalog.plugins["patch"]?.anatomicalSite == ClinicalCode(system: "http://snomed.info/sct", code: "41695006"))
  }

  /// A code is a name: written without quotes it is still read as the
  /// text written, never as a number (which would lose the zeros).
  @Test func aCodeIsReadAsTheTextWritten() throws {
    let catalog = Self.catalog(plugin: "anatomical-site:\n  system: urn:oid:2.16.840.1.113883.6.96\n  code: 0012\n")
    #expect(catalog.diagnostics.map(\.description) == [])
    #expect(catalog.plugins["patch"]?.anatomicalSite?.code == "0012")
    #expect(catalog.plugins["patch"]?.anatomicalSite?.system == "urn:oid:2.16.840.1.113883.6.96")
  }

  @Test func aPluginWithoutAnAnatomicalSiteOrANullOneHasNone() throws {
    for extra in ["", "anatomical-site:\n", "anatomical-site: ~\n"] {
      let catalog = Self.catalog(plugin: extra)
      #expect(catalog.diagnostics.map(\.description) == [], "\(extra)")
      #expect(catalog.plugins["patch"] != nil, "\(extra)")
      #expect(catalog.plugins["patch"]?.anatomicalSite == nil, "\(extra)")
    }
  }

  @Test(arguments: [
    ("age", "years", "a"), ("weight", "kg", "kg"), ("points", "points", "{points}"), ("patch_months", "months", "mo"),
  ])
  func aNumberStepsUCUMCodeDecodesBesideItsUnit(step: String, unit: String, ucum: String) throws {
    let catalog = Self.catalog(plugin: "")
    #expect(catalog.diagnostics.map(\.description) == [])
    let bounds = try #require(Self.bounds(catalog, step))
    #expect(bounds.unit == unit)
    #expect(bounds.ucum == ucum)
  }

  @Test func aUnitWithoutAUCUMCodeHasNone() throws {
    let bounds = try #require(Self.bounds(Self.catalog(plugin: ""), "height"))
    #expect(bounds.unit == "cm")
    #expect(bounds.ucum == nil)
    #expect(NumberBounds(min: 0, unit: "cm") == NumberBounds(min: 0, unit: "cm", ucum: nil))
  }

  /// A plugin's steps are read as the workflow's: the error is the same, in
  /// the plugin's file, at the `ucum` key.
  @Test func aUCUMCodeWithoutAUnitIsAnErrorInAPluginToo() {
    let text = Self.plugin("").replacingOccurrences(of: "        unit: months\n", with: "")
    let catalog = Catalog(sources: [
      SourceText(name: "demo.yaml", text: Self.workflow), SourceText(name: "patch.yaml", text: text),
    ])
    #expect(
      catalog.diagnostics.map(\.description) == [
        "patch.yaml:12:9: error: give 'unit' too: 'ucum' is the UCUM code of the unit staff see beside the prompt, as in unit: years with ucum: a"
      ])
    #expect(catalog.plugins["patch"] == nil)
  }

  @Test func anEmptyCodeOrDisplayIsAnError() {
    let catalog = Self.catalog(
      plugin: "anatomical-site:\n  system: http://snomed.info/sct\n  code: \"\"\n  display: \" \"\n")
    #expect(
      catalog.diagnostics.map(\.description) == [
        "patch.yaml:7:9: error: 'code' must not be empty", "patch.yaml:8:12: error: 'display' must not be empty",
      ])
    let ucum = Catalog(sources: [
      SourceText(
        name: "demo.yaml", text: Self.workflow.replacingOccurrences(of: "ucum: kg\n", with: "ucum: \"\"\n"))
    ])
    #expect(ucum.diagnostics.map(\.description) == ["demo.yaml:19:15: error: 'ucum' must not be empty"])
  }

  @Test(arguments: ["http://snomed.info/sct", "urn:oid:2.16.840.1.113883.6.96", "http://loinc.org"])
  func aCodeSystemURIIsAccepted(_ system: String) {
    #expect(DefinitionDecoder.isAbsoluteURI(system))
  }

  @Test(arguments: ["SNOMED CT", "snomed", "sct", ":sct", "http:", "1http://x", "http://snomed.info/ sct", "htt p://x"])
  func aCodeSystemNameIsNotAURI(_ system: String) {
    #expect(!DefinitionDecoder.isAbsoluteURI(system))
  }

  // MARK: Swift plugins

  @Test func aSwiftPluginHasNoAnatomicalSiteUnlessItSaysSo() throws {
    #expect(NeckPlugin().anatomicalSite == nil)
    let workflow = try #require(Fixture.shipped.workflows["mesotherapy"])
    let merged = MergedWorkflow(workflow: workflow, areas: [SitedNeckPlugin()])
    #expect(merged.areas.first?.anatomicalSite == SitedNeckPlugin().anatomicalSite)
    #expect(PluginValidation.problems(SitedNeckPlugin(), workflow: workflow) == [])
    #expect(
      merged.definitionHash != MergedWorkflow(workflow: workflow, areas: [NeckPlugin()]).definitionHash,
      "a Swift plugin's site is hashed as a manifest's is")
  }

  @Test func aSwiftPluginsCodesAreCheckedAsTheLoaderChecksYAML() throws {
    let workflow = try #require(Fixture.shipped.workflows["mesotherapy"])
    var plugin = SitedNeckPlugin()
    plugin.anatomicalSite = ClinicalCode(system: "SNOMED CT", code: " ", display: "")
    plugin.stages[0].steps.append(
      Step(id: "neck_months", prompt: "Months?", answer: .integer(NumberBounds(min: 0, ucum: "mo"))))
    plugin.stages[0].steps.append(
      Step(id: "neck_width", prompt: "Width?", answer: .decimal(NumberBounds(unit: "cm", ucum: ""))))
    #expect(
      PluginValidation.problems(plugin, workflow: workflow) == [
        "the anatomical site's system 'SNOMED CT' is not a URI, such as http://snomed.info/sct for SNOMED CT",
        "the anatomical site has no code", "the anatomical site's display is empty",
        "step 'neck_months' gives a UCUM code but no unit", "step 'neck_width' has an empty UCUM code",
      ])
  }

  // MARK: The shipped definitions

  @Test(arguments: [
    ("scalp", "41695006", "Scalp structure"), ("face", "89545001", "Face structure"),
    ("eye", "371398005", "Eye region structure"),
  ])
  func eachShippedAreaWithOneSiteGivesItsSNOMEDCode(area: String, code: String, display: String) throws {
    let plugin = try #require(Fixture.shipped.plugins[area])
    #expect(plugin.anatomicalSite == ClinicalCode(system: "http://snomed.info/sct", code: code, display: display))
    #expect(try Fixture.merged([area]).areas.map(\.anatomicalSite) == [plugin.anatomicalSite])
  }

  /// The body area's zones differ from patient to patient: no one code is
  /// right for it, so it gives none and records name it by its title.
  @Test func theBodyAreaGivesNoSiteCode() throws {
    #expect(try #require(Fixture.shipped.plugins["body"]).anatomicalSite == nil)
  }

  @Test(arguments: [
    ("age", "years", "a"), ("injection_points", "points", "{points}"), ("scalp_hair_loss_months", "months", "mo"),
  ])
  func theShippedNumberStepsGiveTheirUnitsUCUMCode(step: String, unit: String, ucum: String) throws {
    let merged = try Fixture.merged(["body", "eye", "face", "scalp"])
    let answer = try #require(merged.stages.flatMap(\.steps).first { $0.step.id == step }?.step.answer)
    guard case .integer(let bounds) = answer else {
      Issue.record("step '\(step)' is a \(answer.name) step")
      return
    }
    #expect(bounds.unit == unit)
    #expect(bounds.ucum == ucum)
  }

  /// So that records other systems read give every shipped quantity a
  /// unit they understand, no shipped number step has a unit without it.
  @Test func everyShippedUnitHasItsUCUMCode() throws {
    let merged = try Fixture.merged(["body", "eye", "face", "scalp"])
    var units = 0
    for step in merged.stages.flatMap(\.steps).map(\.step) {
      let bounds: NumberBounds
      switch step.answer {
      case .integer(let value), .decimal(let value): bounds = value
      default: continue
      }
      guard bounds.unit != nil else { continue }
      units += 1
      #expect(bounds.ucum != nil, "step '\(step.id)' has a unit without its UCUM code")
    }
    #expect(units == 3, "the shipped steps with a unit are the three above")
  }
}

/// ``NeckPlugin`` with an anatomical site of its own.
struct SitedNeckPlugin: AreaPlugin {
  var neck = NeckPlugin()
  var id: String { neck.id }
  var title: String { neck.title }
  var workflow: String { neck.workflow }
  var stages: [StageExtension] {
    get { neck.stages }
    set { neck.stages = newValue }
  }
  var procedure: Procedure { neck.procedure }
  var limits: Limits { neck.limits }
  var aftercare: [AftercareItem] { neck.aftercare }
  var anatomicalSite: ClinicalCode? = ClinicalCode(
    system: "http://snomed.info/sct", code: "45048000", display: "Neck structure")
}
