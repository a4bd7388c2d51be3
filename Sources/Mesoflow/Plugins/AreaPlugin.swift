/// A treatment area: what it adds to a workflow's stages, its procedure, its
/// limits, its aftercare, its follow-up and its anatomical site.
///
/// The YAML manifests in `Plugins/` are one implementation
/// (``PluginManifest``); a Swift type written by an integrator is another.
/// Register either with a ``PluginRegistry``, which checks it against its
/// workflow, and merge the chosen areas into a ``MergedWorkflow`` to run a
/// ``Consultation``.
///
/// A plugin is a value: the engine reads its requirements once, when the
/// areas are merged, and never calls back into it except to evaluate its
/// native checks (``CheckCondition/native(_:reading:_:)``), which must be pure.
public protocol AreaPlugin: Sendable {
  /// The area's id, such as the one given to `mesoflow run --area`. Lower
  /// case letters, digits and underscores.
  var id: String { get }
  /// A title for people.
  var title: String { get }
  /// The id of the workflow the plugin extends.
  var workflow: String { get }
  /// The plugin's version; it goes into the definition hash.
  var version: Int { get }
  /// The steps, checks, waits and time the plugin adds to each stage. Step
  /// and check ids must be unique in the workflow and across its plugins.
  var stages: [StageExtension] { get }
  /// The area's procedure: its expected duration and technique parameters.
  var procedure: Procedure { get }
  /// The ingredients of the area's cocktails.
  var ingredients: [Ingredient] { get }
  /// The area's limits per session.
  var limits: Limits { get }
  /// The area's aftercare instructions.
  var aftercare: [AftercareItem] { get }
  /// The area's follow-up cadence; `nil` follows the workflow's.
  var followUp: FollowUpPlan? { get }
  /// Where on the patient the area is, as a clinical code for records other
  /// systems read (such as SNOMED CT for a FHIR export's `bodySite`); `nil`
  /// when no one code fits the area, as when what is treated differs from
  /// patient to patient.
  var anatomicalSite: ClinicalCode? { get }
}

extension AreaPlugin {
  /// Version 1.
  public var version: Int { 1 }
  /// No ingredients of its own.
  public var ingredients: [Ingredient] { [] }
  /// No limits.
  public var limits: Limits { Limits() }
  /// No aftercare of its own.
  public var aftercare: [AftercareItem] { [] }
  /// The workflow's follow-up.
  public var followUp: FollowUpPlan? { nil }
  /// No anatomical site code.
  public var anatomicalSite: ClinicalCode? { nil }
}

extension PluginManifest: AreaPlugin {}
