/// The definition hash, version 2: SHA-256 over a canonical binary encoding
/// of everything in a merged workflow that changes how a consultation runs or
/// what its record says, and nothing else (no source locations, no comments,
/// no layout, no way of writing a number, a duration or an expression).
///
/// The encoding is a tree of typed values, each written with a one-byte tag
/// and, for text, lists and records, its length first, so that no text can be
/// mistaken for structure. docs/STORE.md specifies it byte for byte.
///
/// Nothing here reads a `description`: numbers are written from their values,
/// durations as seconds, expressions as their syntax trees. Changing what
/// the encoding holds or how it writes it changes every hash and makes every
/// stored consultation refuse to resume: that needs a new version (and the
/// old one kept, as ``LegacyDefinitionFingerprint`` keeps version 1).
enum DefinitionHash {
  /// What the encoding begins with, and the hash's prefix: `v2:` and 64 hex digits.
  static let versionTag = "mesoflow definitions v2"
  static let prefix = "v2:"

  static func hash(_ merged: MergedWorkflow) -> String {
    prefix + SHA256.hash(encoding(merged)).hex
  }

  /// Whether `hash` has the form of a version 1 hash: 64 lower-case hex digits, no prefix.
  static func isLegacy(_ hash: String) -> Bool {
    hash.utf8.count == 64
      && hash.utf8.allSatisfy {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
      }
  }

  /// The canonical encoding of `merged`.
  static func encoding(_ merged: MergedWorkflow) -> [UInt8] {
    var out = DefinitionEncoder()
    out.string(versionTag)
    out.record("definitions") { out in
      let workflow = merged.workflow
      out.record("workflow") { out in
        out.string(workflow.id)
        out.integer(workflow.version)
        out.string(workflow.title)
        out.string(workflow.start)
        out.string(workflow.procedureStage)
      }
      let outcomes = Outcome.allCases.compactMap { outcome in workflow.outcomes[outcome].map { (name(outcome), $0) } }
      out.list(outcomes.sorted { $0.0 < $1.0 }) { out, item in
        out.record("outcome") { out in
          out.string(item.0)
          out.string(item.1.title)
          out.optional(item.1.message) { $0.string($1) }
        }
      }
      out.list(merged.areas) { out, area in
        out.record("area") { out in
          out.string(area.id)
          out.integer(area.version)
          out.string(area.title)
          out.timeRange(area.procedure.duration)
          out.technique(area.procedure.technique)
          out.limits(area.limits)
          out.optional(area.followUp) { $0.followUp($1) }
          // Added within version 2, so written only when the area gives it,
          // as the patient sheet is below.
          if let site = area.anatomicalSite { out.clinicalCode(site, "anatomical-site") }
        }
      }
      out.optional(workflow.followUp) { $0.followUp($1) }
      out.list(merged.ingredients) { out, item in
        out.record("ingredient") { out in
          out.origin(item.origin)
          out.string(item.ingredient.id)
          out.string(item.ingredient.name)
        }
      }
      // Every item as written, not the first of each id: the record gives
      // an item the longest window any of the workflow and areas give it.
      var aftercare = merged.workflow.aftercare.map { ($0, MergedWorkflow.Origin.workflow) }
      for area in merged.areas { aftercare += area.aftercare.map { ($0, .area(area.id)) } }
      out.list(aftercare.map { (item: $0.0, origin: $0.1) }) { out, item in
        out.record("aftercare") { out in
          out.origin(item.origin)
          out.string(item.item.id)
          out.string(item.item.text)
          out.optional(item.item.window) { $0.span($1) }
        }
      }
      out.list(merged.stages) { out, stage in out.stage(stage) }
      // Added within version 2, so written only when there is something to
      // write: definitions without it keep the hash they had, and the
      // record's field count tells the two apart.
      if !workflow.patientSheet.isEmpty { out.patientSheet(workflow.patientSheet) }
    }
    return out.bytes
  }

  static func name(_ outcome: Outcome) -> String {
    switch outcome {
    case .completed: return "completed"
    case .deferred: return "deferred"
    case .referred: return "referred"
    }
  }

  static func name(_ outcome: CheckOutcome) -> String {
    switch outcome {
    case .stop: return "stop"
    case .refer: return "refer"
    case .warn: return "warn"
    case .exclude: return "exclude"
    }
  }

  static func name(_ op: BinaryOperator) -> String {
    switch op {
    case .and: return "and"
    case .or: return "or"
    case .equal: return "=="
    case .notEqual: return "!="
    case .less: return "<"
    case .lessOrEqual: return "<="
    case .greater: return ">"
    case .greaterOrEqual: return ">="
    case .in: return "in"
    case .notIn: return "not in"
    case .plus: return "+"
    case .minus: return "-"
    case .times: return "*"
    case .divide: return "/"
    }
  }
}

/// Writes the typed, length-prefixed values of docs/STORE.md ("The
/// definition hash"). Every value is one tag byte and its content; counts
/// and integers are 8 bytes, big-endian.
struct DefinitionEncoder {
  enum Tag: UInt8 {
    case nothing = 0x4E  // N
    case bool = 0x42  // B
    case integer = 0x49  // I
    case decimal = 0x44  // D
    case string = 0x53  // S
    case span = 0x54  // T
    case date = 0x43  // C
    case list = 0x4C  // L
    case record = 0x52  // R
  }

  private(set) var bytes: [UInt8] = []
  /// For each list or record being written: where its count goes and how
  /// many values it holds so far.
  private var open: [(position: Int, count: UInt64)] = []

  init() { bytes.reserveCapacity(64 << 10) }

  // MARK: Values

  /// An absent optional.
  mutating func nothing() { begin(.nothing) }

  mutating func bool(_ value: Bool) {
    begin(.bool)
    bytes.append(value ? 1 : 0)
  }

  /// A whole number: 8 bytes, two's complement, big-endian.
  mutating func integer(_ value: Int) {
    begin(.integer)
    word(UInt64(bitPattern: Int64(value)))
  }

  /// A number: the 8 bytes of its IEEE 754 binary64 bit pattern, big-endian;
  /// -0 is written as 0, and every NaN as the one quiet NaN.
  mutating func decimal(_ value: Double) {
    begin(.decimal)
    let canonical = value.isNaN ? Double.nan : (value == 0 ? 0 : value)
    word(canonical.bitPattern)
  }

  /// Text: its UTF-8 byte count, then the bytes.
  mutating func string(_ value: String) {
    begin(.string)
    raw(value)
  }

  /// A duration: its whole seconds as an integer.
  mutating func span(_ value: TimeSpan) {
    begin(.span)
    word(UInt64(bitPattern: Int64(value.seconds)))
  }

  /// A day: days since 1970-01-01 as an integer.
  mutating func date(_ value: CalendarDate) {
    begin(.date)
    word(UInt64(bitPattern: Int64(value.daysSinceEpoch)))
  }

  /// A list: its element count, then the elements.
  mutating func list<Items: Sequence>(_ items: Items, _ element: (inout DefinitionEncoder, Items.Element) -> Void) {
    composite(.list, name: nil) { out in
      for item in items { element(&out, item) }
    }
  }

  /// A record: its name (a UTF-8 byte count and the bytes), its field count,
  /// then the fields. The name says what the record is and, for a choice
  /// between kinds (an answer type, an expression node), which kind.
  mutating func record(_ name: String, _ fields: (inout DefinitionEncoder) -> Void) {
    composite(.record, name: name, fields)
  }

  /// `value`, or nothing.
  mutating func optional<Value>(_ value: Value?, _ encode: (inout DefinitionEncoder, Value) -> Void) {
    if let value { encode(&self, value) } else { nothing() }
  }

  // MARK: Bytes

  private mutating func begin(_ tag: Tag) {
    if !open.isEmpty { open[open.count - 1].count += 1 }
    bytes.append(tag.rawValue)
  }

  private mutating func composite(_ tag: Tag, name: String?, _ content: (inout DefinitionEncoder) -> Void) {
    begin(tag)
    if let name { raw(name) }
    open.append((bytes.count, 0))
    word(0)
    content(&self)
    let (position, count) = open.removeLast()
    for index in 0..<8 { bytes[position + index] = UInt8(truncatingIfNeeded: count >> (56 - 8 * UInt64(index))) }
  }

  private mutating func raw(_ text: String) {
    word(UInt64(text.utf8.count))
    bytes.append(contentsOf: text.utf8)
  }

  private mutating func word(_ value: UInt64) {
    for shift in stride(from: 56, through: 0, by: -8) {
      bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift)))
    }
  }
}

// MARK: - The parts of a merged workflow

extension DefinitionEncoder {
  mutating func origin(_ origin: MergedWorkflow.Origin) {
    switch origin {
    case .workflow: record("workflow") { _ in }
    case .area(let id): record("area") { $0.string(id) }
    }
  }

  mutating func timeRange(_ range: TimeRange) {
    record("time-range") { out in
      out.span(range.min)
      out.span(range.max)
    }
  }

  mutating func numberRange(_ range: NumberRange) {
    record("number-range") { out in
      out.decimal(range.min)
      out.decimal(range.max)
    }
  }

  mutating func technique(_ technique: Technique) {
    record("technique") { out in
      out.optional(technique.needle) { $0.string($1) }
      out.list(technique.methods) { $0.string($1) }
      out.optional(technique.depthMillimetres) { $0.numberRange($1) }
      out.optional(technique.volumePerPointMillilitres) { $0.numberRange($1) }
      out.optional(technique.spacingMillimetres) { $0.numberRange($1) }
    }
  }

  mutating func limits(_ limits: Limits) {
    record("limits") { out in
      out.optional(limits.maxVolumeMillilitres) { $0.decimal($1) }
      out.optional(limits.maxVolumePerPointMillilitres) { $0.decimal($1) }
      out.optional(limits.maxPoints) { $0.integer($1) }
    }
  }

  /// A clinical code, as a record named for what it codes, so that a field
  /// added after it within version 2 is never taken for it.
  mutating func clinicalCode(_ code: ClinicalCode, _ name: String) {
    record(name) { out in
      out.string(code.system)
      out.string(code.code)
      out.optional(code.display) { $0.string($1) }
    }
  }

  mutating func patientSheet(_ sheet: PatientSheet) {
    record("patient-sheet") { out in
      out.optional(sheet.warningSigns) { $0.string($1) }
    }
  }

  mutating func followUp(_ plan: FollowUpPlan) {
    record("follow-up") { out in
      out.optional(plan.course) { out, course in
        out.record("course") { out in
          out.integer(course.sessions)
          out.span(course.interval)
        }
      }
      out.optional(plan.maintenanceInterval) { $0.span($1) }
      out.optional(plan.review) { out, review in
        out.record("review") { out in
          out.span(review.after)
          out.optional(review.reason) { $0.string($1) }
        }
      }
      out.optional(plan.nextSessionStep) { $0.string($1) }
    }
  }

  mutating func stage(_ stage: MergedWorkflow.MergedStage) {
    record("stage") { out in
      out.string(stage.id)
      out.string(stage.stage.title)
      out.timeRange(stage.duration)
      out.bool(stage.isProcedure)
      out.list(stage.steps) { out, item in
        out.record("step") { out in
          out.origin(item.origin)
          out.string(item.step.id)
          out.string(item.step.prompt)
          out.optional(item.step.help) { $0.string($1) }
          out.answerType(item.step.answer)
          out.optional(item.step.condition) { $0.expression($1) }
          out.bool(item.step.isOptional)
          out.bool(item.step.countsInjectionPoints)
        }
      }
      out.list(stage.checks) { out, item in
        out.record("check") { out in
          out.origin(item.origin)
          out.string(item.check.id)
          out.string(DefinitionHash.name(item.check.outcome))
          out.condition(item.check.condition)
          out.string(item.check.reason)
          out.list(item.check.excludes) { $0.string($1) }
        }
      }
      out.list(stage.waits) { out, item in
        out.record("wait") { out in
          out.origin(item.origin)
          out.string(item.wait.since)
          out.span(item.wait.atLeast)
          out.optional(item.wait.reason) { $0.string($1) }
          out.optional(item.wait.condition) { $0.expression($1) }
        }
      }
      switch stage.stage.transition {
      case .end(let outcome, _):
        out.record("end") { $0.string(DefinitionHash.name(outcome)) }
      case .branches(let branches):
        out.record("branches") { out in
          out.list(branches) { out, branch in
            out.record("branch") { out in
              out.string(branch.target)
              out.optional(branch.condition) { $0.expression($1) }
            }
          }
        }
      }
    }
  }

  mutating func answerType(_ type: AnswerType) {
    func bounds(_ out: inout DefinitionEncoder, _ bounds: NumberBounds) {
      out.optional(bounds.min) { $0.decimal($1) }
      out.optional(bounds.max) { $0.decimal($1) }
      out.optional(bounds.unit) { $0.string($1) }
      // Added within version 2: written only when given, as a record that
      // names it (docs/STORE.md).
      if let ucum = bounds.ucum { out.record("ucum") { $0.string(ucum) } }
    }
    func options(_ out: inout DefinitionEncoder, _ options: [ChoiceOption]) {
      out.list(options) { out, option in
        out.record("option") { out in
          out.string(option.id)
          out.string(option.label)
        }
      }
    }
    switch type {
    case .yesNo: record("yes-no") { _ in }
    case .integer(let value): record("integer") { bounds(&$0, value) }
    case .decimal(let value): record("decimal") { bounds(&$0, value) }
    case .text(let max): record("text") { out in out.optional(max) { $0.integer($1) } }
    case .choice(let value): record("choice") { options(&$0, value) }
    case .multipleChoice(let value): record("multi-choice") { options(&$0, value) }
    case .date(let value):
      func limit(_ out: inout DefinitionEncoder, _ limit: DateBounds.Limit) {
        switch limit {
        case .today: out.record("today") { _ in }
        case .day(let day): out.date(day)
        }
      }
      record("date") { out in
        out.optional(value.earliest) { limit(&$0, $1) }
        out.optional(value.latest) { limit(&$0, $1) }
      }
    case .consent(let statement): record("consent") { out in out.optional(statement) { $0.string($1) } }
    case .product: record("product") { _ in }
    case .volume(let max): record("volume") { out in out.optional(max) { $0.decimal($1) } }
    }
  }

  /// An expression condition as its syntax tree; a condition computed in
  /// Swift, which has no tree, as its summary and the steps it reads.
  mutating func condition(_ condition: CheckCondition) {
    if let expression = condition.expression {
      self.expression(expression)
    } else {
      record("native") { out in
        out.string(condition.text)
        out.list(condition.inputs) { $0.string($1) }
      }
    }
  }

  /// An expression as its syntax tree, without offsets: how it is spaced,
  /// bracketed or quoted in the YAML does not count, what it computes does.
  mutating func expression(_ expression: Expression) {
    record("expression") { $0.node(expression.root) }
  }

  mutating func node(_ node: ExpressionNode) {
    switch node {
    case .literal(let value, _): record("literal") { $0.value(value) }
    case .list(let items, _): record("list") { out in out.list(items) { $0.node($1) } }
    case .reference(let name, _): record("reference") { $0.string(name) }
    case .member(let base, let field, _):
      record("member") { out in
        out.node(base)
        out.string(field)
      }
    case .call(let name, let arguments, _):
      record("call") { out in
        out.string(name)
        out.list(arguments) { $0.node($1) }
      }
    case .not(let operand, _): record("not") { $0.node(operand) }
    case .negate(let operand, _): record("negate") { $0.node(operand) }
    case .binary(let op, let left, let right, _):
      record("binary") { out in
        out.string(DefinitionHash.name(op))
        out.node(left)
        out.node(right)
      }
    }
  }

  mutating func value(_ value: Value) {
    switch value {
    case .bool(let value): bool(value)
    case .number(let value): decimal(value)
    case .string(let value): string(value)
    case .duration(let value): span(value)
    case .date(let value): date(value)
    case .list(let items): list(items) { $0.value($1) }
    case .consent(let signedBy, let signedAt):
      record("consent") { out in
        out.string(signedBy)
        out.date(signedAt)
      }
    case .product(let name, let lot, let expiry):
      record("product") { out in
        out.string(name)
        out.string(lot)
        out.date(expiry)
      }
    }
  }
}
