import MesoflowYAML

/// The state of decoding one file: its source and the diagnostics found so
/// far. Readers report a problem and return `nil`, so that decoding goes on
/// and every problem in the file is reported, not only the first.
struct DecodeContext {
  let source: SourceText
  var diagnostics: [Diagnostic] = []
  /// Ids of steps and stages that are declared but could not be decoded:
  /// references to them are not reported again.
  var invalidSteps = Set<String>()
  var invalidStages = Set<String>()

  init(source: SourceText) { self.source = source }

  /// The most errors reported for one file; past it, one more line says so.
  static let maxErrors = 200

  mutating func error(_ location: SourceLocation, _ message: String, notes: [String] = []) {
    errorCount += 1
    if errorCount <= Self.maxErrors {
      diagnostics.append(source.diagnostic(at: location, message, notes: notes))
    } else if errorCount == Self.maxErrors + 1 {
      diagnostics.append(
        source.diagnostic(
          .warning, at: location, "too many errors in this file; the rest are not shown (fix these first)"))
    }
  }

  mutating func warning(_ location: SourceLocation, _ message: String) {
    diagnostics.append(source.diagnostic(.warning, at: location, message))
  }

  /// The errors found so far, shown or not.
  private(set) var errorCount = 0

  // MARK: - Mappings

  /// The pairs of a mapping node whose keys are all among `allowed`; an
  /// unknown key is reported with a suggestion and skipped.
  mutating func fields(_ node: Node, _ what: String, allowed: [String]) -> Fields? {
    guard let pairs = node.mapping else {
      error(node.location, "\(what) must be a mapping, not \(node.kindDescription)")
      return nil
    }
    var unknown: [String] = []
    for pair in pairs {
      let key = pair.name
      if !Self.contains(allowed, key) {
        unknown.append(key)
        error(pair.key.location, Self.unknownKey(key, in: what, allowed: allowed))
      }
    }
    return Fields(node: node, what: what, pairs: pairs, unknownKeys: unknown)
  }

  /// Words clinic leads write for a key that has another name here.
  static let synonyms: [String: [String]] = [
    "for": ["window", "duration", "lasts", "until", "period"],
    "when": ["if", "condition", "only-when", "unless"],
    "ask": ["question", "prompt", "text"],
    "type": ["kind", "answer", "answer-type"],
    "help": ["hint", "description", "note"],
    "reason": ["message", "why", "explanation"],
    "next": ["then", "goto", "go-to"],
    "at-least": ["minimum", "min", "wait"],
    "after": ["in", "at"],
    "every": ["interval"],
    "warning-signs": ["call-the-clinic", "when-to-call", "warnings", "red-flags", "danger-signs"],
    "display": ["term", "label", "name", "description"],
    "system": ["code-system", "codesystem", "terminology", "vocabulary"],
  ]

  /// `unknown key 'KEY' in WHAT`, with the key most likely meant, and the
  /// keys allowed there when none is close.
  static func unknownKey(_ key: String, in what: String, allowed: [String]) -> String {
    let near = Suggestion.didYouMean(key, in: allowed)
    if !near.isEmpty { return "unknown key '\(key)' in \(what)\(near)" }
    let meant = allowed.first { Self.synonyms[$0]?.contains(key.lowercased()) ?? false }
    return "unknown key '\(key)' in \(what)" + (meant.map { " (did you mean '\($0)'?)" } ?? "")
      + "; allowed here: \(allowed.joined(separator: ", "))"
  }

  /// Whether `words` holds `word`: for the short lists of keys a mapping
  /// allows, where comparing lengths first settles most candidates. Exact
  /// for such lists: every key allowed is lowercase ASCII, and no other
  /// spelling is canonically equivalent to lowercase ASCII.
  static func contains(_ words: [String], _ word: String) -> Bool {
    let length = word.utf8.count
    for candidate in words where candidate.utf8.count == length && candidate == word { return true }
    return false
  }

  /// The value of a required key, reported when missing or null.
  mutating func required(_ fields: Fields, _ key: String) -> Node? {
    guard let value = fields.value(key) else {
      // A misspelt key was already reported as unknown, with this key as its suggestion.
      let misspelt = fields.unknownKeys.contains { Suggestion.closest(to: $0, in: [key]) == key }
      if !misspelt {
        error(fields.node.location, "\(fields.what) is missing required key '\(key)'")
      }
      return nil
    }
    if value.isNull {
      error(value.location, "'\(key)' needs a value")
      return nil
    }
    return value
  }

  // MARK: - Scalars

  mutating func string(_ node: Node, _ key: String) -> String? {
    guard let text = node.text, !node.isNull else {
      error(node.location, "'\(key)' must be text, not \(node.kindDescription)")
      return nil
    }
    return text
  }

  mutating func nonEmptyString(_ node: Node, _ key: String) -> String? {
    guard let text = string(node, key) else { return nil }
    if text.utf8.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) {
      error(node.location, "'\(key)' must not be empty")
      return nil
    }
    return text
  }

  mutating func id(_ node: Node, _ key: String) -> String? {
    guard let text = string(node, key) else { return nil }
    guard Self.isValidID(text) else {
      error(
        node.location,
        "'\(text)' is not a valid id; an id starts with a letter and holds only letters, digits, '_' and '-'")
      return nil
    }
    return text
  }

  static func isValidID(_ text: String) -> Bool {
    var text = text
    return text.withUTF8 { bytes in
      guard let first = bytes.first, isLetter(first) else { return false }
      for byte in bytes.dropFirst() {
        guard
          isLetter(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        else { return false }
      }
      return true
    }
  }

  static func isLetter(_ byte: UInt8) -> Bool {
    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
  }

  mutating func integer(_ node: Node, _ key: String) -> Int? {
    guard let scalar = node.scalar, scalar.isPlain, let value = Int(scalar.value) else {
      error(node.location, "'\(key)' must be a whole number, not \(describe(node))")
      return nil
    }
    return value
  }

  mutating func number(_ node: Node, _ key: String) -> Double? {
    guard let scalar = node.scalar, scalar.isPlain, let value = Double(scalar.value), value.isFinite else {
      error(node.location, "'\(key)' must be a number, not \(describe(node))")
      return nil
    }
    return value
  }

  mutating func bool(_ node: Node, _ key: String) -> Bool? {
    if let scalar = node.scalar, scalar.isPlain {
      switch scalar.value {
      case "true", "True", "TRUE", "yes", "Yes", "YES": return true
      case "false", "False", "FALSE", "no", "No", "NO": return false
      default: break
      }
    }
    error(node.location, "'\(key)' must be true or false, not \(describe(node))")
    return nil
  }

  mutating func timeSpan(_ node: Node, _ key: String) -> TimeSpan? {
    guard let scalar = node.scalar, !scalar.isNull else {
      error(node.location, "'\(key)' must be a duration such as 20m or 1h30m, not \(node.kindDescription)")
      return nil
    }
    guard let span = TimeSpan(scalar.value) else {
      error(
        node.location,
        "'\(scalar.value)' is not a duration; write a number and a unit (s, m, h, d, w), such as 20m or 1h30m")
      return nil
    }
    guard span <= TimeSpan.longest else {
      error(node.location, "'\(scalar.value)' is longer than \(TimeSpan.longest); check the number and the unit")
      return nil
    }
    return span
  }

  mutating func timeRange(_ node: Node, _ key: String) -> TimeRange? {
    guard let scalar = node.scalar, !scalar.isNull else {
      error(node.location, "'\(key)' must be a duration or a range such as 15m..20m, not \(node.kindDescription)")
      return nil
    }
    let parts = scalar.value.rangeParts()
    let spans = parts.map { TimeSpan($0.trimmingWhitespace()) }
    guard (1...2).contains(parts.count), let low = spans.first ?? nil, let high = spans.last ?? nil else {
      error(
        node.location,
        parts.count == 1
          ? "'\(scalar.value)' is not a duration; write a number and a unit (s, m, h, d, w), such as 20m or 1h30m, or a range such as 15m..20m"
          : "'\(scalar.value)' is not a duration range; write MIN..MAX such as 15m..20m, or one duration such as 20m")
      return nil
    }
    guard low <= high else {
      error(node.location, "the range \(scalar.value) starts after it ends")
      return nil
    }
    guard high <= TimeSpan.longest else {
      error(node.location, "'\(scalar.value)' is longer than \(TimeSpan.longest); check the numbers and the units")
      return nil
    }
    return TimeRange(min: low, max: high)
  }

  mutating func numberRange(_ node: Node, _ key: String) -> NumberRange? {
    guard let scalar = node.scalar, scalar.isPlain else {
      error(node.location, "'\(key)' must be a number or a range such as 1..2, not \(describe(node))")
      return nil
    }
    let parts = scalar.value.rangeParts()
    let numbers = parts.map { Double($0.trimmingWhitespace()) }
    guard (1...2).contains(parts.count), let low = numbers.first ?? nil, let high = numbers.last ?? nil,
      low.isFinite, high.isFinite
    else {
      error(node.location, "'\(scalar.value)' is not a number range; write MIN..MAX such as 1..2, or one number")
      return nil
    }
    guard low <= high else {
      error(node.location, "the range \(scalar.value) starts after it ends")
      return nil
    }
    return NumberRange(min: low, max: high)
  }

  mutating func sequence(_ node: Node, _ key: String) -> Node.Items? {
    if node.isNull { return node.items }
    guard let items = node.sequence else {
      error(node.location, "'\(key)' must be a list, not \(node.kindDescription)")
      return nil
    }
    return items
  }

  func describe(_ node: Node) -> String {
    guard let scalar = node.scalar, !scalar.isNull else { return node.kindDescription }
    if scalar.style == .singleQuoted || scalar.style == .doubleQuoted {
      return "the quoted text \"\(scalar.value)\"; write it without quotes"
    }
    return "'\(scalar.value)'"
  }

  // MARK: - Expressions

  /// Parses the expression in a scalar node; a syntax error is reported at
  /// its exact line and column.
  mutating func expression(_ node: Node, _ key: String) -> Expression? {
    guard let scalar = node.scalar, !scalar.isNull else {
      error(node.location, "'\(key)' must be an expression, not \(node.kindDescription)")
      return nil
    }
    do {
      var expression = try Expression.parse(scalar.value)
      expression.anchor = ScalarAnchor(source: source, location: node.location, scalar: scalar)
      return expression
    } catch {
      self.error(location(in: node, offset: error.offset), error.message)
      return nil
    }
  }

  /// Type-checks `expression`, written in `node`, and requires a bool.
  mutating func checkCondition(
    _ expression: Expression, in node: Node, _ environment: ExpressionEnvironment, _ what: String
  ) {
    // A step that is declared but has its own error is not reported again as unknown.
    if !invalidSteps.isEmpty,
      expression.references.contains(where: { invalidSteps.contains($0) && environment.symbols[$0] == nil })
    {
      return
    }
    do {
      let type = try expression.typeCheck(in: environment)
      if type != .bool {
        error(node.location, "\(what) must be a condition (bool), but this expression is a \(type)")
      }
    } catch {
      self.error(location(in: node, offset: error.offset), error.message)
    }
  }

  /// The source location of the character at `offset` in a scalar's value.
  func location(in node: Node, offset: Int) -> SourceLocation {
    guard let scalar = node.scalar else { return node.location }
    return ScalarAnchor(source: source, location: node.location, scalar: scalar).location(ofOffset: offset)
  }
}

/// Where a scalar's value sits in its source: enough to find the line and
/// column of any character of the value later, only when a message needs it.
struct ScalarAnchor: Sendable {
  let source: SourceText
  /// Where the scalar starts (its quote or block indicator included).
  let location: SourceLocation
  let scalar: Scalar

  /// The source location of the character at `offset` in the value.
  ///
  /// Walks the source from the scalar's start beside its value, skipping what
  /// the YAML reader removed (quotes, escapes, line folds, indentation), so
  /// that a column inside an expression is exact even in quoted, folded or
  /// block scalars.
  func location(ofOffset offset: Int) -> SourceLocation {
    var start = location
    let isBlock = scalar.style == .literal || scalar.style == .folded
    let isQuoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
    if isBlock {
      // The text of a block scalar starts on the line after its indicator.
      start = SourceLocation(file: start.file, line: start.line + 1, column: 1)
    }
    guard let byte = source.byteOffset(line: start.line, column: start.column) else { return location }
    let value = Array(scalar.value.unicodeScalars)
    // The source from the scalar's start, decoded only as far as the walk
    // goes: a value is short, and the file after it may be long.
    var text = DecodedScalars(source.bytes[byte..<min(source.bytes.count, byte + 65_536)])
    var line = start.line
    var column = start.column
    var valueIndex = 0
    var index = isQuoted ? 1 : 0
    column += index
    func advance(_ count: Int) {
      for _ in 0..<count {
        guard let character = text[index] else { return }
        // Lines end where the source counts them: LF, CRLF, a lone CR,
        // U+0085, U+2028 and U+2029 (a CR before an LF is the line's last column).
        if character == "\n" || character == "\u{85}" || character == "\u{2028}" || character == "\u{2029}"
          || (character == "\r" && text[index + 1] != "\n")
        {
          line += 1
          column = 1
        } else {
          column += 1
        }
        index += 1
      }
    }
    while valueIndex < value.count, let character = text[index] {
      if scalar.style == .doubleQuoted, character == "\\", let next = text[index + 1] {
        // An escape stands for one character of the value, or none for an
        // escaped line break.
        let length: Int
        switch next {
        case "x": length = 4
        case "u": length = 6
        case "U": length = 10
        default: length = 2
        }
        let producesCharacter = next != "\n" && next != "\r"
        if producesCharacter {
          if valueIndex >= offset { break }
          valueIndex += 1
        }
        advance(length)
        continue
      }
      if scalar.style == .singleQuoted, character == "'", text[index + 1] == "'" {
        // '' stands for one quote.
        if valueIndex >= offset { break }
        valueIndex += 1
        advance(2)
        continue
      }
      if character == value[valueIndex] {
        // Stop on the source character that holds the value's character at
        // `offset`, past any indentation or escape in between.
        if valueIndex >= offset { break }
        valueIndex += 1
      } else if isQuoted, character == (scalar.style == .doubleQuoted ? "\"" : "'") {
        // The closing quote: the value ended earlier than expected.
        break
      }
      advance(1)
    }
    return SourceLocation(file: start.file, line: line, column: column)
  }
}

/// The Unicode scalars of some UTF-8 bytes, decoded as they are asked for;
/// malformed bytes decode as U+FFFD.
struct DecodedScalars {
  private var bytes: ArraySlice<UInt8>.Iterator
  private var codec = UTF8()
  private var decoded: [Unicode.Scalar] = []
  private var ended = false

  init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes.makeIterator() }

  /// The scalar at `index`, or `nil` past the end.
  subscript(index: Int) -> Unicode.Scalar? {
    mutating get {
      while decoded.count <= index, !ended {
        switch codec.decode(&bytes) {
        case .scalarValue(let scalar): decoded.append(scalar)
        case .error: decoded.append("\u{FFFD}")
        case .emptyInput: ended = true
        }
      }
      return index < decoded.count ? decoded[index] : nil
    }
  }
}

/// A mapping's known keys and their values. Mappings in definitions are
/// small, so keys are looked up in place.
struct Fields {
  let node: Node
  let what: String
  /// The mapping's pairs, unknown keys among them.
  let pairs: Node.Pairs
  /// Keys that are not allowed here, already reported.
  let unknownKeys: [String]

  /// Where `key` is written, if it is.
  func keyLocation(_ key: String) -> SourceLocation? {
    pairs.firstIndex(ofKey: key).map { pairs[$0].key.location }
  }

  /// The value of `key`, null or not.
  func value(_ key: String) -> Node? {
    pairs[key]
  }

  /// The value of an optional key; a null value counts as absent.
  subscript(key: String) -> Node? {
    guard let value = value(key), !value.isNull else { return nil }
    return value
  }
}
