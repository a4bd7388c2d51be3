/// A workflow together with the plugins of the areas chosen for one
/// consultation: what staff will actually be asked, in order.
///
/// Areas are merged in the order of their ids, whatever order they were
/// chosen in, so that the same areas always give the same consultation.
/// Within a stage the workflow's own steps and checks come first, then each
/// area's in that order.
public struct MergedWorkflow: Sendable {
  /// Where a step, check, wait or aftercare item comes from.
  public enum Origin: Sendable, Hashable, CustomStringConvertible {
    /// The workflow itself.
    case workflow
    /// The plugin of this area.
    case area(String)

    public var description: String {
      switch self {
      case .workflow: return "workflow"
      case .area(let id): return id
      }
    }
  }

  /// A step of a merged stage, with where it comes from.
  public struct MergedStep: Sendable {
    /// The step.
    public var step: Step
    /// The workflow or the area that defines it.
    public var origin: Origin
  }

  /// A check of a merged stage, with where it comes from.
  public struct MergedCheck: Sendable {
    /// The check.
    public var check: Check
    /// The workflow or the area that defines it.
    public var origin: Origin
  }

  /// A wait of a merged stage, with where it comes from.
  public struct MergedWait: Sendable {
    /// The wait.
    public var wait: Wait
    /// The workflow or the area that defines it.
    public var origin: Origin
  }

  /// One stage with everything the chosen areas add to it.
  public struct MergedStage: Sendable {
    /// The workflow's stage.
    public var stage: Stage
    /// The steps, in the order they are asked.
    public var steps: [MergedStep]
    /// The checks, in order.
    public var checks: [MergedCheck]
    /// The waits before the stage begins; the longest applicable one governs.
    public var waits: [MergedWait]
    /// The expected duration: the stage's own, what areas add, and for the
    /// procedure stage each area's procedure. Waits are not included.
    public var duration: TimeRange
    /// Whether this is the stage in which treatment is given.
    public var isProcedure: Bool

    /// The stage's id.
    public var id: String { stage.id }
  }

  /// The workflow.
  public let workflow: Workflow
  /// The chosen areas' plugins, in id order.
  public let areas: [any AreaPlugin]
  /// The stages in the order the workflow lists them.
  public let stages: [MergedStage]
  /// A SHA-256 hash of everything in the workflow and the chosen areas that
  /// changes how a consultation runs or what it records (not comments,
  /// layout, or how a number, duration or expression is written), as `v2:`
  /// and 64 hex digits; docs/STORE.md gives the encoding hashed. A
  /// consultation records it when it starts, and a replay is refused unless
  /// ``matches(definitionHash:)`` accepts the recorded hash.
  public private(set) var definitionHash: String
  let blueprint: Blueprint

  /// Merges `workflow` with the plugins of the chosen areas; duplicates are
  /// dropped and the rest ordered by id.
  public init(workflow: Workflow, areas: [any AreaPlugin]) {
    var seen = Set<String>()
    let ordered = areas.filter { seen.insert($0.id).inserted }.sorted { $0.id < $1.id }
    self.workflow = workflow
    self.areas = ordered
    stages = workflow.stages.map { stage in
      var merged = MergedStage(
        stage: stage, steps: stage.steps.map { MergedStep(step: $0, origin: .workflow) },
        checks: stage.checks.map { MergedCheck(check: $0, origin: .workflow) },
        waits: stage.wait.map { [MergedWait(wait: $0, origin: .workflow)] } ?? [], duration: stage.duration ?? .zero,
        isProcedure: stage.id == workflow.procedureStage)
      for plugin in ordered {
        let origin = Origin.area(plugin.id)
        for addition in plugin.stages where addition.stage == stage.id {
          merged.steps += addition.steps.map { MergedStep(step: $0, origin: origin) }
          merged.checks += addition.checks.map { MergedCheck(check: $0, origin: origin) }
          if let wait = addition.wait { merged.waits.append(MergedWait(wait: wait, origin: origin)) }
          if let extra = addition.duration { merged.duration = merged.duration + extra }
        }
        if merged.isProcedure { merged.duration = merged.duration + plugin.procedure.duration }
      }
      return merged
    }
    blueprint = Blueprint(workflow: workflow, stages: stages, areas: ordered)
    definitionHash = ""
    definitionHash = DefinitionHash.hash(self)
  }

  /// The hash version 1 gave these definitions: 64 hex digits, no prefix.
  /// Consultations started before version 2 recorded it; it is computed
  /// when asked for, not kept.
  public var legacyDefinitionHash: String { LegacyDefinitionFingerprint.hash(self) }

  /// Whether `hash`, recorded when a consultation started, names these
  /// definitions: it is ``definitionHash``, or it has the form of a
  /// version 1 hash and is ``legacyDefinitionHash``, so that consultations
  /// recorded before version 2 go on resuming and verifying. Only a
  /// version 1 hash costs a second pass over the definitions.
  public func matches(definitionHash hash: String) -> Bool {
    if hash == definitionHash { return true }
    return DefinitionHash.isLegacy(hash) && hash == legacyDefinitionHash
  }

  /// The expected duration of the whole consultation: every stage's duration
  /// plus, for each stage, the longest wait that could apply before it.
  public var expectedDuration: TimeRange {
    stages.reduce(TimeRange.zero) { total, stage in
      let wait = stage.waits.map(\.wait.atLeast).max() ?? .zero
      return total + stage.duration + TimeRange(min: .zero, max: wait)
    }
  }

  /// An aftercare item of the merged workflow, with where it comes from.
  public struct MergedAftercareItem: Sendable {
    /// The item.
    public var item: AftercareItem
    /// The workflow or the area that defines it.
    public var origin: Origin
  }

  /// An ingredient of the merged workflow, with where it comes from.
  public struct MergedIngredient: Sendable {
    /// The ingredient.
    public var ingredient: Ingredient
    /// The workflow or the area that defines it.
    public var origin: Origin
  }

  /// The aftercare for the chosen areas: the workflow's items, then each
  /// area's, each id given once (the first definition wins).
  public var aftercare: [MergedAftercareItem] {
    firstByID(workflow.aftercare, { $0.aftercare }, id: \.id).map { MergedAftercareItem(item: $0.0, origin: $0.1) }
  }

  /// The ingredients available: the workflow's, then each area's.
  public var ingredients: [MergedIngredient] {
    firstByID(workflow.ingredients, { $0.ingredients }, id: \.id).map {
      MergedIngredient(ingredient: $0.0, origin: $0.1)
    }
  }

  /// The workflow's items, then each area's, keeping the first of each id.
  private func firstByID<Item>(
    _ own: [Item], _ areaItems: (any AreaPlugin) -> [Item], id: KeyPath<Item, String>
  ) -> [(Item, Origin)] {
    var seen = Set<String>()
    var items: [(Item, Origin)] = []
    for item in own where seen.insert(item[keyPath: id]).inserted { items.append((item, .workflow)) }
    for plugin in areas {
      for item in areaItems(plugin) where seen.insert(item[keyPath: id]).inserted {
        items.append((item, .area(plugin.id)))
      }
    }
    return items
  }
}
