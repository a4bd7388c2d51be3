import Foundation
import Mesoflow
import MesoflowYAML
import Testing

/// The definition hash: version 1, frozen, as consultations recorded with it
/// carry it.
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
    #expect(try Fixture.merged(areas).legacyDefinitionHash == hash)
  }

  @Test func theLegacyHashOfTheFixtureIsFrozen() throws {
    #expect(try Self.merged().legacyDefinitionHash == "0ab3b9beea570b98078910f4df657f557211e2b760dd9cda1e6268a0d3dd71cd")
    #expect(try Self.merged(areas: []).legacyDefinitionHash == "3fa79b86d53c1a8d9c99d2f81281702d7b42b31b966e78f4be7558404f713f5c")
  }
}
