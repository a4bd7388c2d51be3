import Foundation
import MesoflowYAML
import Testing

@testable import Mesoflow

/// The definition hash: version 2, a typed, length-prefixed encoding pinned
/// by golden values, and the frozen version 1 that consultations recorded
/// before it still carry.
struct DefinitionHashTests {
  // MARK: Fixtures

  /// A small workflow and one plugin that between them use every kind of
  /// answer, every kind of expression node, waits, branches, outcomes,
  /// ingredients, aftercare, follow-up, technique and limits.
  static let workflowText = """
    workflow: golden
    title: Golden fixture
    version: 3
    start: intake
    procedure: treat
    screening: intake
    ingredients:
      - id: base
        name: Base serum
      - id: extra
        name: Extra serum
    outcomes:
      completed:
        title: Done
        message: Treated as planned.
      deferred:
        title: Deferred
      referred:
        title: Referred
        message: See a physician.
    stages:
      - id: intake
        title: Intake
        duration: 5m..10m
        steps:
          - id: age
            ask: How old is the patient?
            type: integer
            min: 0
            max: 120
            unit: years
            help: Whole years.
          - id: weight
            ask: Weight?
            type: decimal
            min: 0.5
            max: 300
            unit: kg
            optional: true
          - id: notes
            ask: Anything else?
            type: text
            max-length: 200
          - id: tone
            ask: Skin tone?
            type: choice
            options:
              - { id: light, label: Light }
              - { id: dark, label: Dark }
          - id: zones
            ask: Which zones?
            type: multi-choice
            options: [a, b]
          - id: last_visit
            ask: When was the last visit?
            type: date
            when: age >= 18 and not (tone == "dark")
          - id: consent
            ask: Take consent.
            type: consent
            statement: I agree to the treatment.
        checks:
          - id: minor
            when: age < 18
            outcome: stop
            reason: Adults only.
          - id: zone_b_allergy
            when: '"b" in zones or contains(zones, "a") and count(zones) > 1'
            outcome: exclude
            excludes: [extra]
            reason: Zone b excludes the extra serum.
          - id: recent_visit
            when: answered(last_visit) and last_visit + 2w > today() and last_visit > 2020-01-01
            outcome: warn
            reason: The last visit was less than two weeks ago.
          - id: heavy
            when: weight * 2 - 10 > -(-500) / 2 and tone not in ["light"]
            outcome: refer
            reason: A physician must approve.
          - id: signed_long_ago
            when: days_since(consent.signed_at) > 1 or years_since(consent.signed_at) >= 1
            outcome: warn
            reason: Consent is old.
        next:
          - to: treat
            when: age >= 18
          - to: farewell
      - id: treat
        title: Treatment
        duration: 10m
        wait:
          since: consent
          at-least: 30m
          when: tone == "dark"
          reason: Let the consent sink in.
        steps:
          - id: product
            ask: Which product?
            type: product
          - id: volume
            ask: How much?
            type: volume
            max: 4.5
        next: farewell
      - id: farewell
        title: Farewell
        end: completed
    aftercare:
      - id: no_sun
        text: Stay out of the sun.
        for: 2w
      - id: be_gentle
        text: Be gentle with the skin.
    follow-up:
      course:
        sessions: 3
        interval: 2w
      maintenance:
        every: 12w
      review:
        after: 6w
        reason: Check for late reactions.
    """

  static let pluginText = """
    plugin: patch
    title: Patch area
    workflow: golden
    version: 2
    ingredients:
      - id: patch_peptide
        name: Peptide
    procedure:
      duration: 15m..20m
      technique:
        needle: 32G
        methods: [nappage, micropapule]
        depth-mm: 0.5..1
        volume-per-point-ml: 0.02
        spacing-mm: 5..10
    limits:
      max-volume-ml: 2.5
      max-volume-per-point-ml: 0.05
      max-points: 40
    stages:
      intake:
        duration: 2m
        steps:
          - id: patch_scar
            ask: Any scar on the patch?
            type: yes-no
        checks:
          - id: patch_scar_stop
            when: patch_scar
            outcome: stop
            reason: Do not treat over a scar.
      treat:
        wait:
          since: consent
          at-least: 1h
          reason: The patch needs longer.
    aftercare:
      - id: patch_no_makeup
        text: No makeup on the patch.
        for: 24h
    follow-up:
      course:
        sessions: 2
        interval: 4w
    """

  static func catalog(workflow: String = workflowText, plugin: String = pluginText) -> Catalog {
    Catalog(sources: [SourceText(name: "golden.yaml", text: workflow), SourceText(name: "patch.yaml", text: plugin)])
  }

  static func merged(workflow: String = workflowText, plugin: String = pluginText, areas: [String] = ["patch"]) throws
    -> MergedWorkflow
  {
    let catalog = catalog(workflow: workflow, plugin: plugin)
    #expect(catalog.diagnostics.map(\.description) == [])
    return try catalog.merged(workflow: "golden", areas: areas)
  }

  /// `text` with `find`, which must occur exactly once, replaced.
  static func edit(_ text: String, _ find: String, _ replacement: String) -> String {
    #expect(text.components(separatedBy: find).count == 2, "'\(find)' must occur exactly once")
    return text.replacingOccurrences(of: find, with: replacement)
  }

  // MARK: Golden values

  /// If one of these fails and you changed no definition, you changed the
  /// encoding: every stored consultation would refuse to resume. Do not
  /// update the value; make a version 3 and keep version 2 as version 1 is
  /// kept. If you changed the shipped YAML on purpose, update its value.
  @Test(arguments: [
    (["body"], "v2:4aba035f2cd36785afa44db224a5f32eabea9035a04ab6fd3f082777d9494bc4"),
    (["eye"], "v2:30e6f920ad546f14b030e0ac49462c7c2509e3dd477009b797ae53bd6a416d82"),
    (["face"], "v2:60b7dcc40aa4ea90ac5caba1d1de32c71abfa6518ba7ad3f1f89cea59b00a068"),
    (["scalp"], "v2:d1ebef060e6e6a689f45994b0f7534cf416472f930be53158a312d6ac88ab57f"),
    (["body", "eye", "face", "scalp"], "v2:755d17e8fac503a39bdb58bca2ea0eb167f22d1e961801026597419ef1b2b29a"),
  ])
  func theShippedDefinitionsHaveTheirGoldenHash(areas: [String], hash: String) throws {
    let actual = try Fixture.merged(areas).definitionHash
    #expect(actual == hash, "now \(actual)")
  }

  /// `text` without the clinical codes the shipped definitions gained after
  /// the hashes below were recorded: its `anatomical-site:` section and its
  /// `ucum:` lines.
  static func withoutClinicalCodes(_ text: String) -> String {
    var lines: [Substring] = []
    var inSite = false
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("anatomical-site:") {
        inSite = true
        continue
      }
      if inSite, line.hasPrefix(" ") { continue }
      inSite = false
      if line.drop(while: { $0 == " " }).hasPrefix("ucum:") { continue }
      lines.append(line)
    }
    return lines.joined(separator: "\n")
  }

  /// The shipped definitions as they were before they gave clinical codes
  /// (`anatomical-site:`, `ucum:`): the shipped files with those taken out.
  /// The workflow's first, then the plugins' in the order of their ids.
  static func shippedWithoutClinicalCodes() -> [SourceText] {
    func order(_ key: String) -> (Int, String) { (key.hasPrefix("plugin:") ? 1 : 0, key) }
    let sources = Fixture.shipped.sources.sorted { order($0.key) < order($1.key) }
    return sources.map(\.value).map { source in
      SourceText(name: source.name, text: withoutClinicalCodes(String(decoding: source.bytes, as: UTF8.self)))
    }
  }

  /// Consultations stored before the definitions gave clinical codes keep
  /// the definitions they started with, and those still give the hash they
  /// carry: these values are the shipped definitions' hashes from before the
  /// codes existed. Fields added within version 2 are written only when
  /// they are there, so they must never change.
  @Test(arguments: [
    (["body"], "v2:38271fa376b01d2d24cefbf102a5ad632377d2516b1383b52e18b9065102bf66"),
    (["eye"], "v2:061961fbffd477ae9c7a137807e6e210e9c16a63f1785a9b6c17e850ea012677"),
    (["face"], "v2:7dcdfcf0a3e9660aee4089060ab11c86696c6219fdcdb0b418fdf56f6a4ef3ea"),
    (["scalp"], "v2:2a9baa36782bbda4b4aa95676c55d5095bd908bd23b548f19f864d6073e886e6"),
    (["body", "eye", "face", "scalp"], "v2:61a715e3cf238a7703ebb9b05079a44d8a7e5968c53443205709857f621efb62"),
  ])
  func definitionsWithoutClinicalCodesKeepTheHashTheyHad(areas: [String], hash: String) throws {
    let catalog = Catalog(sources: Self.shippedWithoutClinicalCodes())
    #expect(catalog.diagnostics.map(\.description) == [])
    let merged = try catalog.merged(workflow: "mesotherapy", areas: areas)
    // Taken out indeed: none is left to hash.
    #expect(merged.areas.allSatisfy { $0.anatomicalSite == nil })
    #expect(merged.stages.flatMap(\.steps).allSatisfy { Self.ucum($0.step.answer) == nil })
    #expect(merged.definitionHash == hash, "now \(merged.definitionHash)")
  }

  /// The UCUM code of a number step's unit, if it has one.
  static func ucum(_ answer: AnswerType) -> String? {
    switch answer {
    case .integer(let bounds), .decimal(let bounds): return bounds.ucum
    default: return nil
    }
  }

  /// The shipped workflow as it was before it had a `patient-sheet:`
  /// section: the shipped definitions with that section, and the clinical
  /// codes given after it, taken out.
  static func shippedWithoutPatientSheet() throws -> Catalog {
    let sources = Self.shippedWithoutClinicalCodes()
    let workflow = try #require(sources.first)
    #expect(workflow.name == Fixture.shipped.sources["workflow:mesotherapy"]?.name)
    let text = String(decoding: workflow.bytes, as: UTF8.self)
    let start = try #require(text.range(of: "\npatient-sheet:\n"))
    let end = try #require(text.range(of: "\n\n", range: start.upperBound..<text.endIndex))
    let plugins = sources.dropFirst()
    return Catalog(
      sources: [
        SourceText(name: workflow.name, text: text.replacingCharacters(in: start.lowerBound..<end.lowerBound, with: ""))
      ]
        + plugins)
  }

  /// Consultations stored before the workflow had a `patient-sheet:`
  /// section keep the definitions they started with, and those still give
  /// the hash they carry: these values are the shipped definitions' hashes
  /// from before the section existed. A field added within version 2 is
  /// written only when it is there, so they must never change.
  @Test(arguments: [
    (["body"], "v2:5c003f274caf6d08e6911f95a9babee260c7d57b983214f1add4a5e6c7ac4606"),
    (["eye"], "v2:f1c85a960442f370f2771af8df85e89b2d9a91c1b5186ed991161cc9501dca52"),
    (["face"], "v2:f25168179b47767013438ac87228eecfe922d643ad535f73924fd0f1a1ca5486"),
    (["scalp"], "v2:925b076bdb9317e05cf9b0129617d3217ca6991af6fb5348329417cef9db4af4"),
    (["body", "eye", "face", "scalp"], "v2:4fbaece5fca815689349515bb39aa6b383b50e7dfd621a4863b629633ee60763"),
  ])
  func definitionsWithoutAPatientSheetKeepTheHashTheyHad(areas: [String], hash: String) throws {
    let catalog = try Self.shippedWithoutPatientSheet()
    #expect(catalog.diagnostics.map(\.description) == [])
    let merged = try catalog.merged(workflow: "mesotherapy", areas: areas)
    #expect(merged.workflow.patientSheet.isEmpty)
    #expect(merged.definitionHash == hash, "now \(merged.definitionHash)")
  }

  /// The fixture pins the encoding itself: it changes only with this file.
  @Test func theFixtureHasItsGoldenHash() throws {
    let withArea = try Self.merged().definitionHash
    let alone = try Self.merged(areas: []).definitionHash
    #expect(withArea == "v2:d400b1c2379c11f6221ab380bcbf7d6fb2789d384424a3542099e5f91ccf03fa", "now \(withArea)")
    #expect(alone == "v2:e77e00f3ae5f57befc848bda0a2ac85006be963a8a98a28914772d50b437eeaf", "now \(alone)")
  }

  /// The shipped definitions as they stood when version 1 was the hash
  /// (`LegacyDefinitions/`, never edited).
  static let legacyShipped: Catalog = {
    let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("LegacyDefinitions")
    return Catalog.load(paths: ["Workflows", "Plugins"].map { folder.appendingPathComponent($0).path })
  }()

  /// Version 1 is frozen: these are the hashes it gave before version 2
  /// existed, and consultations recorded then carry them. They must never change.
  @Test(arguments: [
    (["body"], "10f1c21daecb5bd434d1867c7fb48471b6096028994b0379bea04943d9001b74"),
    (["eye"], "e799ecb8246b0cb674e2529eb4113ff8169d54e64d02a2ab195f752fe7e84b9d"),
    (["face"], "219ce57f8548d9360881494476b9892c228f51832508738687ba1354f57b7dee"),
    (["scalp"], "d0e0cbd2be5601a0cf7e1d8ebfa24a1ca1c71758e1975637333c7e8a4394457e"),
    (["body", "eye", "face", "scalp"], "287d9d37d2edceea18b94343f83cb9069bcfd6d6f8ff1666d64aac3ed5ff9db0"),
    ([], "9a5da52c7d55878a772a692155f270fedcffc62c1d2f7786f1eee9ef10d8ded9"),
  ])
  func theLegacyHashOfTheShippedDefinitionsIsFrozen(areas: [String], hash: String) throws {
    #expect(Self.legacyShipped.diagnostics.map(\.description) == [])
    #expect(try Self.legacyShipped.merged(workflow: "mesotherapy", areas: areas).legacyDefinitionHash == hash)
  }

  @Test func theLegacyHashOfTheFixtureIsFrozen() throws {
    #expect(
      try Self.merged().legacyDefinitionHash == "0ab3b9beea570b98078910f4df657f557211e2b760dd9cda1e6268a0d3dd71cd")
    #expect(
      try Self.merged(areas: []).legacyDefinitionHash
        == "3fa79b86d53c1a8d9c99d2f81281702d7b42b31b966e78f4be7558404f713f5c")
  }

  // MARK: The encoding

  /// Each kind of value byte for byte, as docs/STORE.md specifies it.
  @Test func valuesAreEncodedAsSpecified() {
    func encoded(_ write: (inout DefinitionEncoder) -> Void) -> [UInt8] {
      var encoder = DefinitionEncoder()
      write(&encoder)
      return encoder.bytes
    }
    let zero7: [UInt8] = [0, 0, 0, 0, 0, 0, 0]
    #expect(encoded { $0.nothing() } == [0x4E])
    #expect(encoded { $0.bool(true) } == [0x42, 1])
    #expect(encoded { $0.bool(false) } == [0x42, 0])
    #expect(encoded { $0.integer(300) } == [0x49] + [0, 0, 0, 0, 0, 0, 0x01, 0x2C])
    #expect(encoded { $0.integer(-2) } == [0x49, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE])
    #expect(encoded { $0.decimal(0.5) } == [0x44, 0x3F, 0xE0, 0, 0, 0, 0, 0, 0])
    #expect(encoded { $0.decimal(-0.0) } == encoded { $0.decimal(0) })
    #expect(encoded { $0.decimal(0) } == [0x44] + zero7 + [0])
    #expect(encoded { $0.string("né") } == [0x53] + zero7 + [3, 0x6E, 0xC3, 0xA9])
    #expect(encoded { $0.span(TimeSpan(seconds: 90)) } == [0x54] + zero7 + [90])
    #expect(encoded { $0.span(TimeSpan(seconds: 86_400)) } == encoded { $0.span(.days(1)) })
    #expect(encoded { $0.date(CalendarDate(uncheckedISO: "1970-01-02")) } == [0x43] + zero7 + [1])
    #expect(
      encoded { $0.list(["a", "b"]) { $0.string($1) } } == [0x4C] + zero7 + [2] + [0x53] + zero7 + [1, 0x61] + [0x53]
        + zero7 + [1, 0x62])
    #expect(encoded { $0.list([String]()) { $0.string($1) } } == [0x4C] + zero7 + [0])
    #expect(
      encoded {
        $0.record("r") {
          $0.integer(1)
          $0.nothing()
        }
      }
        == [0x52] + zero7 + [1, 0x72] + zero7 + [2] + [0x49] + zero7 + [1] + [0x4E])
  }

  /// The whole encoding is one version tag and one record, and every count
  /// in it is right: read back without knowing what it holds, it takes up
  /// every byte.
  @Test(arguments: [["face"], ["body", "eye", "face", "scalp"]])
  func theEncodingReadsBackAsATreeOfTypedValues(areas: [String]) throws {
    let bytes = DefinitionHash.encoding(try Fixture.merged(areas))
    var reader = EncodedValueReader(bytes: bytes)
    #expect(try reader.value() == .string("mesoflow definitions v2"))
    guard case .record("definitions", let fields) = try reader.value() else {
      Issue.record("the version tag is not followed by the definitions")
      return
    }
    #expect(reader.isAtEnd)
    // The seven fields of version 2, then the patient sheet, which the
    // shipped workflow has.
    #expect(fields.count == 8)
    guard fields.count == 8, case .list(let stages) = fields[6] else {
      Issue.record("the definitions' seventh field is not the list of stages")
      return
    }
    #expect(stages.count == 6)
    let warningSigns = try #require(Fixture.shipped.workflows["mesotherapy"]?.patientSheet.warningSigns)
    #expect(fields[7] == .record("patient-sheet", [.string(warningSigns)]))
    #expect(SHA256.hash(bytes).hex == String(try Fixture.merged(areas).definitionHash.dropFirst(3)))
  }

  @Test func theHashNamesItsVersionAndOnlyLegacyHashesLookLegacy() throws {
    let merged = try Self.merged()
    #expect(merged.definitionHash.hasPrefix("v2:"))
    #expect(merged.definitionHash.count == 67)
    #expect(!DefinitionHash.isLegacy(merged.definitionHash))
    #expect(DefinitionHash.isLegacy(merged.legacyDefinitionHash))
    #expect(!DefinitionHash.isLegacy(merged.legacyDefinitionHash.uppercased()))
    #expect(!DefinitionHash.isLegacy(String(merged.legacyDefinitionHash.dropLast())))
  }

  // MARK: Collisions of version 1

  /// Version 1 wrote an absent help as `-`, like the help `-`.
  @Test func anAbsentTextAndTheTextDashDiffer() throws {
    let withHelp = Self.edit(
      Self.workflowText, "        max-length: 200\n", "        max-length: 200\n        help: \"-\"\n")
    let plain = try Self.merged()
    let dashed = try Self.merged(workflow: withHelp)
    #expect(plain.legacyDefinitionHash == dashed.legacyDefinitionHash, "the collision this test is about")
    #expect(plain.definitionHash != dashed.definitionHash)
  }

  /// Version 1 joined a choice's options with `;` and `=`, which a label may contain.
  @Test func optionsAreNotConfusedWithALabelThatLooksLikeThem() throws {
    func adding(_ options: String) -> String {
      Self.edit(
        Self.workflowText, "      - id: last_visit\n",
        "      - id: colour\n        ask: Colour?\n        type: choice\n        options:\n\(options)      - id: last_visit\n"
      )
    }
    let two = try Self.merged(workflow: adding("          - { id: x, label: X }\n          - { id: y, label: Y }\n"))
    let one = try Self.merged(workflow: adding("          - { id: x, label: \"X;y=Y\" }\n"))
    #expect(two.legacyDefinitionHash == one.legacyDefinitionHash, "the collision this test is about")
    #expect(two.definitionHash != one.definitionHash)
  }

  /// Version 1 joined the fields of a line with U+001F, which a text may contain.
  @Test func aSeparatorInsideATextIsNotAFieldBoundary() throws {
    func workflow(prompt: String, help: String?) -> Workflow {
      Workflow(
        id: "w", title: "W", start: "only", procedureStage: "only",
        stages: [
          Stage(
            id: "only", title: "Only", steps: [Step(id: "q", prompt: prompt, help: help, answer: .yesNo)],
            transition: .end(.completed, at: SourceLocation(file: "w", line: 1, column: 1)))
        ])
    }
    let first = MergedWorkflow(workflow: workflow(prompt: "Q\u{1F}-", help: nil), areas: [])
    let second = MergedWorkflow(workflow: workflow(prompt: "Q", help: "-\u{1F}-"), areas: [])
    #expect(first.legacyDefinitionHash == second.legacyDefinitionHash, "the collision this test is about")
    #expect(first.definitionHash != second.definitionHash)
  }

  // MARK: What changes the hash

  /// Comments, layout, quoting, spacing and brackets in expressions, key
  /// order, and other ways of writing the same number or duration.
  @Test func howTheDefinitionsAreWrittenDoesNotChangeTheHash() throws {
    var workflow = Self.workflowText
    for (find, replacement) in [
      ("stages:\n", "# The stages, in order.\nstages:    # a comment after a key\n\n"),
      ("when: age < 18\n", "when: \"age   <18\"\n"),
      ("when: age >= 18 and not (tone == \"dark\")\n", "when: ((age>=18)) and not (tone==\"dark\")\n"),
      ("last_visit + 2w > today()", "last_visit  +  14d > today( )"),
      ("          - { id: light, label: Light }\n", "          - id: light\n            label: Light\n"),
      ("reason: Zone b excludes the extra serum.\n", "reason: Zone b excludes\n              the extra serum.\n"),
      ("        min: 0\n        max: 120\n", "        max: 120\n        min: 0\n"),
      ("        min: 0.5\n", "        min: 0.50\n"),
      ("        max: 300\n", "        max: 3e2\n"),
      ("    for: 2w\n", "    for: 14d\n"),
      ("      at-least: 30m\n", "      at-least: 1800s\n"),
    ] {
      workflow = Self.edit(workflow, find, replacement)
    }
    var plugin = Self.pluginText
    for (find, replacement) in [
      ("    methods: [nappage, micropapule]\n", "    methods:\n      - nappage\n      - micropapule\n"),
      ("  max-volume-ml: 2.5\n", "  max-volume-ml: 2.50   # per session\n"),
      ("      at-least: 1h\n", "      at-least: 60m\n"),
    ] {
      plugin = Self.edit(plugin, find, replacement)
    }
    let original = try Self.merged()
    let rewritten = try Self.merged(workflow: workflow, plugin: plugin)
    #expect(rewritten.definitionHash == original.definitionHash)
    // Version 1 hashed the expressions' text, so it did not survive this.
    #expect(rewritten.legacyDefinitionHash != original.legacyDefinitionHash)
  }

  /// Each edit changes what a consultation asks, does or records.
  static let meaningfulEdits: [(what: String, inPlugin: Bool, find: String, replacement: String)] = [
    ("the workflow's version", false, "version: 3\n", "version: 4\n"),
    ("a stage's duration", false, "duration: 5m..10m\n", "duration: 5m..11m\n"),
    ("a procedure's duration", true, "duration: 15m..20m\n", "duration: 15m..21m\n"),
    ("what an area adds to a stage", true, "    duration: 2m\n", "    duration: 3m\n"),
    ("a check's reason", false, "reason: Adults only.\n", "reason: Adults only!\n"),
    ("a check's expression", false, "when: age < 18\n", "when: age < 19\n"),
    ("a check's operator", false, "when: age < 18\n", "when: age <= 18\n"),
    ("a check's outcome", false, "outcome: refer\n", "outcome: stop\n"),
    ("what a check excludes", false, "excludes: [extra]\n", "excludes: [base]\n"),
    ("a literal duration", false, "last_visit + 2w", "last_visit + 3w"),
    ("a literal date", false, "2020-01-01", "2020-01-02"),
    ("a step's condition", false, "when: age >= 18 and not", "when: age > 18 and not"),
    ("a branch's condition", false, "    when: age >= 18\n", "    when: age >= 21\n"),
    ("a prompt", false, "ask: Which zones?\n", "ask: Which zones, please?\n"),
    ("a bound", false, "        min: 0.5\n", "        min: 0.6\n"),
    ("a unit", false, "unit: kg\n", "unit: lb\n"),
    ("a text's length", false, "max-length: 200\n", "max-length: 201\n"),
    ("an option's label", false, "label: Dark }", "label: Darker }"),
    ("a consent statement", false, "statement: I agree to the treatment.\n", "statement: I agree.\n"),
    ("a volume's maximum", false, "max: 4.5\n", "max: 4.6\n"),
    ("whether a step is optional", false, "optional: true\n", "optional: false\n"),
    ("a wait", false, "at-least: 30m\n", "at-least: 31m\n"),
    ("a wait's reason", false, "reason: Let the consent sink in.\n", "reason: Let it sink in.\n"),
    ("an aftercare window", false, "for: 2w\n", "for: 3w\n"),
    ("an aftercare text", false, "text: Be gentle with the skin.\n", "text: Be gentle.\n"),
    ("an outcome's message", false, "message: See a physician.\n", "message: See a doctor.\n"),
    ("a follow-up course", false, "sessions: 3\n", "sessions: 4\n"),
    ("a review", false, "after: 6w\n", "after: 7w\n"),
    ("an ingredient's name", false, "name: Extra serum\n", "name: Extra-strong serum\n"),
    ("an area's volume limit", true, "max-volume-ml: 2.5\n", "max-volume-ml: 2.4\n"),
    ("an area's point limit", true, "max-points: 40\n", "max-points: 41\n"),
    ("an area's needle", true, "needle: 32G\n", "needle: 30G\n"),
    ("an area's depth", true, "depth-mm: 0.5..1\n", "depth-mm: 0.5..1.5\n"),
    ("an area's methods", true, "methods: [nappage, micropapule]\n", "methods: [micropapule, nappage]\n"),
    ("an area's version", true, "version: 2\n", "version: 3\n"),
    ("an area's follow-up", true, "interval: 4w", "interval: 5w"),
    ("an area's aftercare", true, "for: 24h\n", "for: 48h\n"),
    ("a points question", false, "unit: years\n", "unit: years\n        limit: max-points\n"),
    ("a date's earliest day", false, "type: date\n", "type: date\n        min: today\n"),
    ("a date's latest day", false, "type: date\n", "type: date\n        max: 2030-01-01\n"),
    ("the next-session step", false, "follow-up:\n  course:", "follow-up:\n  next-session: last_visit\n  course:"),
    ("a unit's UCUM code", false, "unit: kg\n", "unit: kg\n        ucum: kg\n"),
    (
      "an area's anatomical site", true, "version: 2\n",
      "version: 2\nanatomical-site: { system: 'http://snomed.info/sct', code: '1' }\n"
    ),
  ]

  @Test func anAreasLongerWindowForTheWorkflowsItemChangesTheHash() throws {
    // The record gives an item the longest window of all who give it.
    func repeating(_ window: String) throws -> MergedWorkflow {
      try Self.merged(
        plugin: Self.edit(
          Self.pluginText, "  - id: patch_no_makeup\n",
          "  - id: no_sun\n    text: Stay out of the sun.\n    for: \(window)\n  - id: patch_no_makeup\n"))
    }
    let short = try repeating("1d")
    let long = try repeating("3w")
    #expect(short.definitionHash != long.definitionHash)
    let treated = Timestamp(CalendarDate(year: 2026, month: 11, day: 21)!, hour: 9)
    #expect(
      short.aftercare(treatedAt: treated).first { $0.id == "no_sun" }?.window
        != long.aftercare(treatedAt: treated).first { $0.id == "no_sun" }?.window)
  }

  @Test func whatChangesAConsultationChangesTheHash() throws {
    let original = try Self.merged().definitionHash
    var seen: [String: String] = [:]
    for edit in Self.meaningfulEdits {
      let merged =
        edit.inPlugin
        ? try Self.merged(plugin: Self.edit(Self.pluginText, edit.find, edit.replacement))
        : try Self.merged(workflow: Self.edit(Self.workflowText, edit.find, edit.replacement))
      #expect(merged.definitionHash != original, "changing \(edit.what) left the hash as it was")
      if let other = seen[merged.definitionHash] {
        Issue.record("changing \(edit.what) gave the hash of changing \(other)")
      }
      seen[merged.definitionHash] = edit.what
    }
    #expect(seen.count == Self.meaningfulEdits.count)
  }

  /// The patient sheet is part of what a record says: its words change the
  /// hash. A section with nothing in it says nothing, and hashes as none.
  @Test func thePatientSheetChangesTheHashOnlyByWhatItSays() throws {
    func with(_ section: String) throws -> MergedWorkflow {
      try Self.merged(workflow: Self.workflowText + "\n" + section)
    }
    let none = try Self.merged()
    let empty = try with("patient-sheet: {}\n")
    let call = try with("patient-sheet:\n  warning-signs: Call the clinic if the skin blisters.\n")
    let other = try with("patient-sheet:\n  warning-signs: Call the clinic if the skin weeps.\n")
    #expect(empty.workflow.patientSheet.isEmpty)
    #expect(empty.definitionHash == none.definitionHash)
    #expect(call.definitionHash != none.definitionHash)
    #expect(call.definitionHash != other.definitionHash)
    #expect(call.workflow.patientSheet.warningSigns == "Call the clinic if the skin blisters.")
    // Version 1 is frozen: it never saw the sheet.
    #expect(call.legacyDefinitionHash == none.legacyDefinitionHash)
  }

  /// An area's anatomical site is part of what its record says: what it
  /// says changes the hash, and an area without one (or with a null
  /// `anatomical-site:`) hashes as before the key existed.
  @Test func anAnatomicalSiteChangesTheHashOnlyWhenGiven() throws {
    func with(_ section: String) throws -> MergedWorkflow {
      try Self.merged(plugin: Self.edit(Self.pluginText, "version: 2\n", "version: 2\n" + section))
    }
    func site(system: String = "http://snomed.info/sct", _ code: String, display: String? = "Patch structure")
      -> String
    {
      "anatomical-site:\n  system: \(system)\n  code: \"\(code)\"\n" + (display.map { "  display: \($0)\n" } ?? "")
    }
    let none = try Self.merged()
    let null = try with("anatomical-site:\n")
    let one = try with(site("1"))
    let hashes = [
      none.definitionHash, one.definitionHash, try with(site("2")).definitionHash,
      try with(site(system: "http://example.org/sites", "1")).definitionHash,
      try with(site("1", display: nil)).definitionHash, try with(site("1", display: "Patch")).definitionHash,
    ]
    #expect(null.areas.first?.anatomicalSite == nil)
    #expect(null.definitionHash == none.definitionHash)
    #expect(one.areas.first?.anatomicalSite?.code == "1")
    #expect(Set(hashes).count == hashes.count, "\(hashes)")
    // Only the areas chosen are hashed.
    let plugin = Self.edit(Self.pluginText, "version: 2\n", "version: 2\n" + site("1"))
    #expect(try Self.merged(plugin: plugin, areas: []).definitionHash == Self.merged(areas: []).definitionHash)
    // Version 1 is frozen: it never saw the site.
    #expect(one.legacyDefinitionHash == none.legacyDefinitionHash)
  }

  /// A unit's UCUM code is part of what a record says: it changes the
  /// hash, and a step without one hashes as before the key existed.
  @Test func aUCUMCodeChangesTheHashOnlyWhenGiven() throws {
    func with(_ find: String, _ ucum: String) throws -> MergedWorkflow {
      try Self.merged(workflow: Self.edit(Self.workflowText, find, find + "        ucum: \(ucum)\n"))
    }
    let none = try Self.merged()
    let null = try with("unit: kg\n", "~")
    let kg = try with("unit: kg\n", "kg")
    let hashes = [
      none.definitionHash, kg.definitionHash, try with("unit: kg\n", "g").definitionHash,
      try with("unit: years\n", "a").definitionHash, try with("unit: years\n", "\"{years}\"").definitionHash,
    ]
    #expect(null.definitionHash == none.definitionHash)
    #expect(Set(hashes).count == hashes.count, "\(hashes)")
    // Version 1 is frozen: it never saw the code.
    #expect(kg.legacyDefinitionHash == none.legacyDefinitionHash)
  }

  /// The definitions record of `merged`'s encoding, read back.
  static func definitionsRecord(_ merged: MergedWorkflow) throws -> [EncodedValue] {
    var reader = EncodedValueReader(bytes: DefinitionHash.encoding(merged))
    _ = try reader.value()
    guard case .record("definitions", let fields) = try reader.value() else { return [] }
    return fields
  }

  /// The encoded answer type of each step of `merged`, by step id.
  static func encodedAnswers(_ merged: MergedWorkflow) throws -> [String: EncodedValue] {
    let fields = try definitionsRecord(merged)
    guard fields.count >= 7, case .list(let stages) = fields[6] else { return [:] }
    var answers: [String: EncodedValue] = [:]
    for case .record("stage", let stage) in stages where stage.count == 8 {
      guard case .list(let steps) = stage[4] else { continue }
      for case .record("step", let step) in steps where step.count == 8 {
        if case .string(let id) = step[1] { answers[id] = step[4] }
      }
    }
    return answers
  }

  /// Where the codes go: after the other fields of their record, each as a
  /// record named for what it holds, and only when given.
  @Test func theClinicalCodesAreWrittenAfterTheOtherFieldsOfTheirRecord() throws {
    let fields = try Self.definitionsRecord(try Fixture.merged(["body", "face"]))
    guard fields.count == 8, case .list(let areas) = fields[2], areas.count == 2,
      case .record("area", let body) = areas[0], case .record("area", let face) = areas[1]
    else {
      Issue.record("the definitions do not hold the two area records")
      return
    }
    #expect(body.count == 7, "an area without a site has the fields it had")
    #expect(face.count == 8)
    #expect(
      face.last
        == .record(
          "anatomical-site", [.string("http://snomed.info/sct"), .string("89545001"), .string("Face structure")]))

    let shipped = try Self.encodedAnswers(try Fixture.merged([]))
    guard case .record("integer", let age)? = shipped["age"] else {
      Issue.record("the shipped age step is not encoded as an integer")
      return
    }
    #expect(age.count == 4)
    #expect(age.dropLast() == [.decimal(0), .decimal(Double(120).bitPattern), .string("years")])
    #expect(age.last == .record("ucum", [.string("a")]))
    // The fixture's steps give a unit and no code: they have the fields they had.
    let fixture = try Self.encodedAnswers(try Self.merged())
    #expect(fixture["age"] == .record("integer", [.decimal(0), .decimal(Double(120).bitPattern), .string("years")]))
    #expect(
      fixture["weight"]
        == .record("decimal", [.decimal(Double(0.5).bitPattern), .decimal(Double(300).bitPattern), .string("kg")]))
  }

  /// A check computed in Swift has no tree: its summary and the steps it
  /// reads are hashed, and it is never taken for an expression.
  @Test func aSwiftPluginsCheckIsHashedByItsSummaryAndInputs() throws {
    func merged(_ condition: CheckCondition) throws -> MergedWorkflow {
      var plugin = NeckPlugin()
      plugin.stages[0].checks[0].condition = condition
      return MergedWorkflow(workflow: try #require(Fixture.shipped.workflows["mesotherapy"]), areas: [plugin])
    }
    let summary = "a thyroid nodule or goitre"
    let base = try merged(.native(summary, reading: ["neck_thyroid_nodule"]) { _ in nil })
    #expect(
      try merged(.native(summary, reading: ["neck_thyroid_nodule"]) { _ in true }).definitionHash == base.definitionHash
    )
    let hashes = [
      base.definitionHash,
      try merged(.native("a thyroid nodule", reading: ["neck_thyroid_nodule"]) { _ in nil }).definitionHash,
      try merged(.native(summary, reading: ["neck_thyroid_nodule", "age"]) { _ in nil }).definitionHash,
      try merged(.expression(try Expression.parse("neck_thyroid_nodule"))).definitionHash,
    ]
    #expect(Set(hashes).count == hashes.count)
  }

  // MARK: Consultations recorded under version 1

  @Test func definitionsMatchTheirCurrentAndTheirLegacyHashOnly() throws {
    let face = try Fixture.merged(["face"])
    let eye = try Fixture.merged(["eye"])
    #expect(face.matches(definitionHash: face.definitionHash))
    #expect(face.matches(definitionHash: face.legacyDefinitionHash))
    #expect(!face.matches(definitionHash: eye.definitionHash))
    #expect(!face.matches(definitionHash: eye.legacyDefinitionHash))
    #expect(!face.matches(definitionHash: face.legacyDefinitionHash.uppercased()))
    #expect(!face.matches(definitionHash: "v2:" + face.legacyDefinitionHash))
    #expect(!face.matches(definitionHash: ""))
  }

  /// `consultation`'s events as a build before version 2 recorded them:
  /// the same, but for the hash in the start.
  static func recordedUnderVersion1(_ events: [ConsultationEvent], hash: String) -> [ConsultationEvent] {
    var events = events
    if case .started(var start)? = events.first?.kind {
      start.definitionHash = hash
      events[0].kind = .started(start)
    }
    return events
  }

  @Test func aConsultationRecordedUnderTheLegacyHashReplaysAndGoesOn() throws {
    let clock = ManualClock(Fixture.morning)
    var consultation = try Fixture.start(["face"], clock: clock)
    for (step, answer) in [("age", Answer.integer(34)), ("goals", .text("Fresher skin"))] {
      try consultation.answer(step, answer)
      clock.advance(by: TimeSpan(seconds: 20))
    }
    let face = try Fixture.merged(["face"])
    let old = Self.recordedUnderVersion1(consultation.events, hash: face.legacyDefinitionHash)
    #expect(old.first != consultation.events.first)
    let resumedClock = ManualClock(clock.now())
    var replayed = try Consultation(replaying: old, workflow: face, clock: resumedClock)
    #expect(replayed.events == old, "nothing recorded is rewritten")
    #expect(replayed.state.start.definitionHash == face.legacyDefinitionHash)
    try Script().run(&replayed, clock: resumedClock)
    try Script().run(&consultation, clock: clock)
    #expect(replayed.state.outcome == .completed)
    #expect(Array(replayed.events.dropFirst()) == Array(consultation.events.dropFirst()))
    #expect(try Consultation(replaying: replayed.events, workflow: face, clock: clock).state == replayed.state)

    #expect(throws: ConsultationError.self) {
      try Consultation(replaying: old, workflow: Fixture.merged(["eye"]), clock: clock)
    }
    let wrong = Self.recordedUnderVersion1(consultation.events, hash: try Fixture.merged(["eye"]).legacyDefinitionHash)
    #expect(throws: ConsultationError.self) { try Consultation(replaying: wrong, workflow: face, clock: clock) }
  }
}

/// A value of the definition encoding, read back without its schema.
enum EncodedValue: Equatable {
  case nothing
  case bool(Bool)
  case integer(Int64)
  case decimal(UInt64)
  case string(String)
  case span(Int64)
  case date(Int64)
  indirect case list([EncodedValue])
  indirect case record(String, [EncodedValue])
}

struct EncodedValueReader {
  struct Malformed: Error {}
  let bytes: [UInt8]
  var index = 0

  var isAtEnd: Bool { index == bytes.count }

  mutating func byte() throws -> UInt8 {
    guard index < bytes.count else { throw Malformed() }
    defer { index += 1 }
    return bytes[index]
  }

  mutating func word() throws -> UInt64 {
    var value: UInt64 = 0
    for _ in 0..<8 { value = value << 8 | UInt64(try byte()) }
    return value
  }

  mutating func text() throws -> String {
    let count = try word()
    guard count <= UInt64(bytes.count - index) else { throw Malformed() }
    let end = index + Int(count)
    defer { index = end }
    guard let text = String(validating: bytes[index..<end], as: UTF8.self) else { throw Malformed() }
    return text
  }

  mutating func value() throws -> EncodedValue {
    switch try byte() {
    case 0x4E: return .nothing
    case 0x42:
      let flag = try byte()
      guard flag <= 1 else { throw Malformed() }
      return .bool(flag == 1)
    case 0x49: return .integer(Int64(bitPattern: try word()))
    case 0x44: return .decimal(try word())
    case 0x53: return .string(try text())
    case 0x54: return .span(Int64(bitPattern: try word()))
    case 0x43: return .date(Int64(bitPattern: try word()))
    case 0x4C: return .list(try values(count: try word()))
    case 0x52:
      let name = try text()
      return .record(name, try values(count: try word()))
    default: throw Malformed()
    }
  }

  mutating func values(count: UInt64) throws -> [EncodedValue] {
    guard count <= UInt64(bytes.count - index) else { throw Malformed() }
    var values: [EncodedValue] = []
    for _ in 0..<count { values.append(try value()) }
    return values
  }
}
