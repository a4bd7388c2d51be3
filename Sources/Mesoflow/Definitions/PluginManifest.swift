public import MesoflowYAML

/// An area plugin as a YAML manifest declares it: the treatment area, what it
/// adds to the workflow's stages, its procedure, limits, aftercare,
/// follow-up and anatomical site.
public struct PluginManifest: Sendable {
  /// The area's id, such as the one given to `--area`.
  public var id: String
  /// A title for people.
  public var title: String
  /// The id of the workflow the plugin extends.
  public var workflow: String
  /// The clinic's version number of this manifest.
  public var version: Int
  /// The ingredients of the area's cocktails.
  public var ingredients: [Ingredient]
  /// The area's procedure.
  public var procedure: Procedure
  /// The area's limits per session.
  public var limits: Limits
  /// What the plugin adds to each stage, in the order written.
  public var stages: [StageExtension]
  /// The area's aftercare.
  public var aftercare: [AftercareItem]
  /// The area's follow-up.
  public var followUp: FollowUpPlan?
  /// The area's anatomical site (`anatomical-site:`), for records other
  /// systems read; `nil` when the manifest gives none.
  public var anatomicalSite: ClinicalCode?
  /// Where the manifest starts.
  public var location: SourceLocation

  /// Creates a manifest.
  package init(
    id: String, title: String, workflow: String, version: Int = 1, ingredients: [Ingredient] = [],
    procedure: Procedure, limits: Limits = Limits(), stages: [StageExtension] = [], aftercare: [AftercareItem] = [],
    followUp: FollowUpPlan? = nil, anatomicalSite: ClinicalCode? = nil,
    location: SourceLocation = SourceLocation(file: #fileID, line: #line, column: #column)
  ) {
    self.id = id
    self.title = title
    self.workflow = workflow
    self.version = version
    self.ingredients = ingredients
    self.procedure = procedure
    self.limits = limits
    self.stages = stages
    self.aftercare = aftercare
    self.followUp = followUp
    self.anatomicalSite = anatomicalSite
    self.location = location
  }
}

/// An area's procedure: how long it takes and how it is done.
public struct Procedure: Sendable, Hashable {
  /// The expected time of the area's injections.
  public var duration: TimeRange
  /// The technique's parameters.
  public var technique: Technique

  /// Creates a procedure.
  public init(duration: TimeRange, technique: Technique = Technique()) {
    self.duration = duration
    self.technique = technique
  }
}

/// Injection technique parameters.
public struct Technique: Sendable, Hashable {
  /// The needle, such as `32G`.
  public var needle: String?
  /// The methods, such as `nappage`.
  public var methods: [String]
  /// Injection depth in millimetres.
  public var depthMillimetres: NumberRange?
  /// Volume per injection point in millilitres.
  public var volumePerPointMillilitres: NumberRange?
  /// Distance between points in millimetres.
  public var spacingMillimetres: NumberRange?

  /// Creates technique parameters.
  public init(
    needle: String? = nil, methods: [String] = [], depthMillimetres: NumberRange? = nil,
    volumePerPointMillilitres: NumberRange? = nil, spacingMillimetres: NumberRange? = nil
  ) {
    self.needle = needle
    self.methods = methods
    self.depthMillimetres = depthMillimetres
    self.volumePerPointMillilitres = volumePerPointMillilitres
    self.spacingMillimetres = spacingMillimetres
  }
}

/// Per-session limits of an area.
public struct Limits: Sendable, Hashable {
  /// The most volume per session, in millilitres.
  public var maxVolumeMillilitres: Double?
  /// The most volume per injection point, in millilitres.
  public var maxVolumePerPointMillilitres: Double?
  /// The most injection points per session.
  public var maxPoints: Int?

  /// Creates limits; `nil` means no limit.
  public init(maxVolumeMillilitres: Double? = nil, maxVolumePerPointMillilitres: Double? = nil, maxPoints: Int? = nil) {
    self.maxVolumeMillilitres = maxVolumeMillilitres
    self.maxVolumePerPointMillilitres = maxVolumePerPointMillilitres
    self.maxPoints = maxPoints
  }
}

/// What a plugin adds to one stage of the workflow.
public struct StageExtension: Sendable {
  /// The id of the workflow stage extended.
  public var stage: String
  /// Steps asked after the workflow's own steps of that stage.
  public var steps: [Step]
  /// Checks added to the stage.
  public var checks: [Check]
  /// A wait the area adds to the stage.
  public var wait: Wait?
  /// Time the area adds to the stage.
  public var duration: TimeRange?
  /// Where the extension is written.
  public var location: SourceLocation

  /// Creates what an area adds to `stage`.
  public init(
    stage: String, steps: [Step] = [], checks: [Check] = [], wait: Wait? = nil, duration: TimeRange? = nil,
    location: SourceLocation = SourceLocation(file: #fileID, line: #line, column: #column)
  ) {
    self.stage = stage
    self.steps = steps
    self.checks = checks
    self.wait = wait
    self.duration = duration
    self.location = location
  }
}
