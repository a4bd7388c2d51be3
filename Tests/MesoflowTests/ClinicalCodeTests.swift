import Foundation
import MesoflowYAML
import Testing

@testable import Mesoflow

/// The clinical codes the definitions give for records other systems read:
/// an area's `anatomical-site:`. Its errors, each at its line and column,
/// are in the broken-definition corpus (`Corpus/plugin-anatomical-site-*.yaml`).
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
          - id: weight
            ask: Weight?
            type: decimal
            unit: kg
          - id: points
            ask: Points?
            type: integer
            unit: points
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

    """
  }

  static func catalog(plugin extra: String) -> Catalog {
    Catalog(sources: [
      SourceText(name: "demo.yaml", text: workflow), SourceText(name: "patch.yaml", text: plugin(extra)),
    ])
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

  @Test func anEmptyCodeOrDisplayIsAnError() {
    let catalog = Self.catalog(
      plugin: "anatomical-site:\n  system: http://snomed.info/sct\n  code: \"\"\n  display: \" \"\n")
    #expect(
      catalog.diagnostics.map(\.description) == [
        "patch.yaml:7:9: error: 'code' must not be empty", "patch.yaml:8:12: error: 'display' must not be empty",
      ])
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
    #expect(
      PluginValidation.problems(plugin, workflow: workflow) == [
        "the anatomical site's system 'SNOMED CT' is not a URI, such as http://snomed.info/sct for SNOMED CT",
        "the anatomical site has no code", "the anatomical site's display is empty",
      ])
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
