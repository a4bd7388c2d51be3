package import MesoflowYAML

/// A named set of answers that scenarios extend: a sample patient written
/// once, whom each scenario changes only where its test differs, so that a
/// question added to a definition is answered in one place. A patient may
/// extend others; its own answers override theirs. See docs/TESTING.md.
package struct ScenarioPatient: Sendable {
  /// The patient's name, as scenarios and other patients name it.
  package var name: String
  /// The patients it extends, in order: a later one's answers override an earlier one's.
  package var extends: [String]
  /// Its own answers, each marked as this patient's.
  package var answers: [Scenario.Entry]
  /// Answers of the patients it extends that it takes away (`STEP: ~`).
  package var removed: [Scenario.Entry]
  /// Where its name is written.
  package var location: SourceLocation
  /// Where its `answers` key is written (or its name, when it has none).
  package var answersLocation: SourceLocation
  /// Where each patient it extends is named.
  var extendsLocations: [SourceLocation]
}

/// The patients one scenario file can name: its own and those of the files it
/// includes (and they include), each read once, with every patient's answers
/// worked out from those of the patients it extends.
struct PatientBook {
  /// Every patient, by name.
  var patients: [String: ScenarioPatient] = [:]
  /// Names in the order they were read.
  var order: [String] = []
  /// The file read and every file it includes, by name.
  var sources: [String: SourceText] = [:]
  /// Each patient's answers, its own and inherited; absent for a patient whose
  /// answers cannot be worked out (it extends one that does not exist, or itself).
  var resolved: [String: [Scenario.Entry]] = [:]
  /// Patients whose answers cannot be worked out, already reported.
  var broken = Set<String>()
  /// Files read so far, and those being read (to find a file that includes itself).
  var loaded = Set<String>()
  var reading: [String] = []

  static let includedFileKeys = ["include", "patients"]
  static let patientKeys = ["extends", "answers"]

  init(source: SourceText) {
    sources[source.name] = source
    loaded.insert(source.name)
    reading = [source.name]
  }

  /// Reports at `location`, quoting the line from whichever file it is in.
  func report(_ location: SourceLocation, _ message: String, _ context: inout DecodeContext) {
    if location.file == context.source.name {
      context.error(location, message)
    } else {
      context.diagnostics.append((sources[location.file] ?? context.source).diagnostic(at: location, message))
    }
  }

  // MARK: - Reading

  /// Reads each file named by `include` (one path or a list), relative to
  /// the folder of the file that names it, and takes in its patients.
  mutating func include(
    _ node: Node, from source: SourceText, limits: YAMLLimits, _ context: inout DecodeContext,
    read: (String) -> SourceText?
  ) {
    let items = node.sequence.map(Array.init) ?? [node]
    for item in items {
      guard let path = context.string(item, "include") else { continue }
      let name =
        path.hasPrefix("/")
        ? PathName.normalized(path) : PathName.normalized(PathName.join(PathName.parent(of: source.name), path))
      if let start = reading.firstIndex(of: name) {
        let cycle = (reading[start...] + [name]).joined(separator: " → ")
        context.error(item.location, "'\(path)' includes itself: \(cycle)")
        continue
      }
      if loaded.contains(name) { continue }
      loaded.insert(name)
      guard let included = read(name) else {
        context.error(item.location, "cannot read the included file '\(path)' (looked for \(name))")
        continue
      }
      sources[name] = included
      var inner = DecodeContext(source: included)
      reading.append(name)
      readIncluded(included, limits: limits, &inner, read: read)
      reading.removeLast()
      context.diagnostics += inner.diagnostics
    }
  }

  /// An included file: patients, and the files it includes in turn.
  private mutating func readIncluded(
    _ source: SourceText, limits: YAMLLimits, _ context: inout DecodeContext, read: (String) -> SourceText?
  ) {
    let document: YAMLDocument
    do {
      document = try YAML.load(source, limits: limits)
    } catch {
      context.diagnostics.append(error.diagnostic)
      return
    }
    guard let root = document.root, !root.isNull, let pairs = root.mapping else {
      context.error(
        SourceLocation(file: source.name, line: 1, column: 1),
        "an included file holds 'patients' (and may 'include' others)")
      return
    }
    for pair in pairs where !DecodeContext.contains(Self.includedFileKeys, pair.name) {
      context.error(
        pair.key.location,
        "an included file gives only its patients, so '\(pair.name)' here is not read; keep only 'patients' and 'include' in it"
      )
    }
    if let node = root["include"], !node.isNull { include(node, from: source, limits: limits, &context, read: read) }
    guard let node = root["patients"], !node.isNull else {
      context.error(root.location, "an included file is missing required key 'patients'")
      return
    }
    add(node, &context)
  }

  /// Takes in the patients of a `patients` mapping.
  mutating func add(_ node: Node, _ context: inout DecodeContext) {
    guard let pairs = node.mapping else {
      context.error(
        node.location, "'patients' must be a mapping from a patient's name to its answers, not \(node.kindDescription)")
      return
    }
    if pairs.isEmpty { context.error(node.location, "'patients' is empty") }
    for pair in pairs {
      let name = pair.name
      guard DecodeContext.isValidID(name) else {
        context.error(
          pair.key.location,
          "'\(name)' is not a valid patient name; a name starts with a letter and holds only letters, digits, '_' and '-'"
        )
        continue
      }
      if let other = patients[name] {
        context.error(pair.key.location, "patient '\(name)' is defined twice; it is also defined at \(other.location)")
        continue
      }
      guard let fields = context.fields(pair.value, "patient '\(name)'", allowed: Self.patientKeys) else { continue }
      if fields["extends"] == nil, fields["answers"] == nil {
        context.error(
          pair.key.location,
          "patient '\(name)' gives no answers; give it 'answers', and 'extends' to build on another patient")
        continue
      }
      var extends: [String] = []
      var extendsLocations: [SourceLocation] = []
      if let node = fields["extends"] {
        for item in node.sequence.map(Array.init) ?? [node] {
          guard let id = context.id(item, "extends") else { continue }
          extends.append(id)
          extendsLocations.append(item.location)
        }
      }
      let (answers, removed) =
        fields["answers"].map {
          ScenarioFile.answerEntries($0, patient: name, canTakeAway: !extends.isEmpty, &context)
        } ?? ([], [])
      patients[name] = ScenarioPatient(
        name: name, extends: extends, answers: answers, removed: removed, location: pair.key.location,
        answersLocation: fields.keyLocation("answers") ?? pair.key.location, extendsLocations: extendsLocations)
      order.append(name)
    }
  }

  // MARK: - Resolving

  /// Works out every patient's answers, reporting each patient named that
  /// does not exist, each cycle once, and each answer taken away that no
  /// patient extended gives.
  mutating func resolveAll(_ context: inout DecodeContext) {
    for name in order { _ = resolve(name, [], &context) }
  }

  /// `name`'s answers: those of the patients it extends, in order, less those
  /// it takes away, with its own over them.
  mutating func resolve(_ name: String, _ path: [String], _ context: inout DecodeContext) -> [Scenario.Entry]? {
    if let answers = resolved[name] { return answers }
    guard !broken.contains(name), let patient = patients[name] else { return nil }
    var answers: [Scenario.Entry] = []
    var whole = true
    let chain = path + [name]
    for (parent, location) in zip(patient.extends, patient.extendsLocations) {
      if let start = chain.firstIndex(of: parent) {
        report(
          location, "patients extend each other in a cycle: \((chain[start...] + [parent]).joined(separator: " → "))",
          &context)
        whole = false
        continue
      }
      guard patients[parent] != nil else {
        report(location, unknown(parent), &context)
        whole = false
        continue
      }
      guard let inherited = resolve(parent, chain, &context) else {
        whole = false
        continue
      }
      Self.merge(inherited, into: &answers)
    }
    guard whole else {
      broken.insert(name)
      return nil
    }
    for entry in patient.removed {
      if let index = answers.firstIndex(where: { $0.key == entry.key }) {
        answers.remove(at: index)
      } else {
        report(
          entry.keyLocation,
          "patient '\(name)' takes away the answer to '\(entry.key)', which no patient it extends gives; remove this line",
          &context)
      }
    }
    Self.merge(patient.answers, into: &answers)
    resolved[name] = answers
    return answers
  }

  /// Why `name` names no patient, with a "did you mean".
  func unknown(_ name: String) -> String {
    if patients.isEmpty {
      return "no patient '\(name)'; define it under 'patients', in this file or in a file named by 'include'"
    }
    return "no patient '\(name)'\(Suggestion.didYouMean(name, in: order))"
  }

  /// Puts each of `entries` in `answers`, in place of an answer to the same key.
  static func merge(_ entries: [Scenario.Entry], into answers: inout [Scenario.Entry]) {
    for entry in entries {
      if let index = answers.firstIndex(where: { $0.key == entry.key }) {
        answers[index] = entry
      } else {
        answers.append(entry)
      }
    }
  }
}
