import CYAML

/// A YAML document: its root node (none when the input is empty) and its source.
public struct YAMLDocument: Sendable {
  /// The root node, or `nil` when the document holds nothing.
  public var root: Node?
  /// The source the document was read from.
  public var source: SourceText

  /// Creates a document.
  public init(root: Node?, source: SourceText) {
    self.root = root
    self.source = source
  }
}

/// Reads YAML into a tree of ``Node``s with libyaml.
public enum YAML {
  /// Parses one YAML document.
  ///
  /// - Parameters:
  ///   - source: The bytes and the name to report them under.
  ///   - limits: Bounds on size, nesting and alias expansion.
  /// - Returns: The document. Empty input gives a document without a root.
  /// - Throws: ``YAMLError`` for malformed YAML, a duplicate key, an undefined
  ///   alias, a complex key, a second document, invalid UTF-8, a NUL byte, or
  ///   input beyond `limits`. Nothing else is thrown.
  public static func load(_ source: SourceText, limits: YAMLLimits = .default) throws(YAMLError)
    -> YAMLDocument
  {
    try checkEncoding(source, limits: limits)
    let parser = LibYAMLParser(source.bytes)
    var builder = TreeBuilder(source: source, limits: limits)
    return YAMLDocument(root: try builder.build(parser), source: source)
  }

  /// Parses YAML text. See ``load(_:limits:)``.
  public static func load(_ text: String, name: String = "<string>", limits: YAMLLimits = .default)
    throws(YAMLError) -> YAMLDocument
  {
    try load(SourceText(name: name, text: text), limits: limits)
  }

  /// Runs libyaml's parser over `bytes` without building anything and returns
  /// the number of events: the floor that loading is measured against.
  package static func countEvents(_ bytes: [UInt8]) -> Int? {
    let parser = LibYAMLParser(bytes)
    var count = 0
    while true {
      guard parser.next() else { return nil }
      count += 1
      let done = parser.event.type == YAML_STREAM_END_EVENT
      parser.release()
      if done { return count }
    }
  }

  // MARK: - Encoding

  /// Rejects what libyaml would misreport or what would be unsafe to hand it:
  /// oversize input, NUL bytes and invalid UTF-8, each at its location.
  static func checkEncoding(_ source: SourceText, limits: YAMLLimits) throws(YAMLError) {
    let bytes = source.bytes
    let maxBytes = min(limits.maxBytes, YAMLLimits.largestFile)
    if bytes.count > maxBytes {
      throw YAMLError(
        code: .sizeLimit,
        diagnostic: Diagnostic(
          at: SourceLocation(file: source.name, line: 1, column: 1),
          "file is \(bytes.count) bytes, more than the limit of \(maxBytes) bytes"))
    }
    if let offset = firstInvalidUTF8(bytes) {
      let isNul = bytes[offset] == 0
      let location = source.location(ofByte: offset)
      throw YAMLError(
        code: isNul ? .nulByte : .invalidUTF8,
        diagnostic: source.diagnostic(
          at: location,
          isNul
            ? "NUL byte in the file; definitions must be text"
            : "invalid UTF-8 byte 0x\(String(bytes[offset], radix: 16, uppercase: true)); definitions must be UTF-8 text"
        ))
    }
  }

  /// The offset of the first NUL byte or malformed UTF-8 sequence, if any.
  static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
    bytes.withUnsafeBufferPointer { buffer -> Int? in
      var index = 0
      let count = buffer.count
      guard let base = buffer.baseAddress else { return nil }
      let raw = UnsafeRawPointer(base)
      while index < count {
        // Eight plain ASCII bytes at a time: no high bit and no zero byte.
        while index + 8 <= count {
          let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
          let high: UInt64 = 0x8080_8080_8080_8080
          let hasZero = (word &- 0x0101_0101_0101_0101) & ~word & high
          if word & high != 0 || hasZero != 0 { break }
          index += 8
        }
        guard index < count else { break }
        let byte = buffer[index]
        if byte >= 0x01 && byte < 0x80 {
          index += 1
          continue
        }
        if byte == 0 { return index }
        let length: Int
        let minimum: UInt32
        switch byte {
        case 0xC2...0xDF:
          length = 2
          minimum = 0x80
        case 0xE0...0xEF:
          length = 3
          minimum = 0x800
        case 0xF0...0xF4:
          length = 4
          minimum = 0x10000
        default: return index
        }
        guard index + length <= count else { return index }
        var scalar = UInt32(byte) & (0x7F >> UInt32(length))
        for next in 1..<length {
          let continuation = buffer[index + next]
          guard continuation & 0xC0 == 0x80 else { return index }
          scalar = scalar << 6 | UInt32(continuation & 0x3F)
        }
        if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) {
          return index
        }
        index += length
      }
      return nil
    }
  }
}

// MARK: - libyaml

/// Owns a libyaml parser, the bytes it reads and the current event; frees all
/// three when it goes away.
final class LibYAMLParser {
  // Held through pointers: libyaml keeps a pointer to the parser inside it,
  // so it must not move, and pointer access needs no exclusivity checks.
  private let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
  private let input: UnsafeMutablePointer<UInt8>
  private let count: Int
  private let current = UnsafeMutablePointer<yaml_event_t>.allocate(capacity: 1)
  private var holdsEvent = false

  /// The current event.
  var event: yaml_event_t { current.pointee }

  init(_ bytes: [UInt8]) {
    // libyaml asserts on a NULL input pointer, so even empty input gets a buffer.
    count = bytes.count
    input = UnsafeMutablePointer<UInt8>.allocate(capacity: max(count, 1))
    input.initialize(to: 0)
    bytes.withUnsafeBufferPointer { buffer in
      if let base = buffer.baseAddress, count > 0 {
        input.update(from: base, count: count)
      }
    }
    parser.initialize(to: yaml_parser_t())
    current.initialize(to: yaml_event_t())
    yaml_parser_initialize(parser)
    // The encoding is left to libyaml so that it skips a UTF-8 byte-order
    // mark; the bytes were checked to be UTF-8 without NULs before.
    yaml_parser_set_input_string(parser, input, count)
  }

  deinit {
    release()
    yaml_parser_delete(parser)
    parser.deallocate()
    current.deallocate()
    input.deallocate()
  }

  /// Reads the next event into ``event``; `false` on a parse error.
  func next() -> Bool {
    release()
    guard yaml_parser_parse(parser, current) == 1 else { return false }
    holdsEvent = true
    return true
  }

  /// Frees the current event.
  func release() {
    if holdsEvent {
      yaml_event_delete(current)
      holdsEvent = false
    }
  }

  /// The parser's error as a diagnostic in `source`, with libyaml's most
  /// common messages said in plainer words.
  func error(in source: SourceText) -> YAMLError {
    let problem = parser.pointee.problem.map { String(cString: $0) } ?? "unknown error"
    if parser.pointee.error == YAML_READER_ERROR {
      return YAMLError(
        code: .syntax,
        diagnostic: source.diagnostic(
          at: source.location(ofByte: parser.pointee.problem_offset), "cannot read the file: \(problem)"))
    }
    let at = source.location(ofMark: parser.pointee.problem_mark)
    let context = parser.pointee.context.map { String(cString: $0) }
    let contextAt = source.location(ofMark: parser.pointee.context_mark)
    // libyaml's mark index counts characters, not bytes: find the byte by line and column.
    let offending = source.byteOffset(line: at.line, column: at.column).flatMap {
      $0 < source.bytes.count ? source.bytes[$0] : nil
    }

    let location: SourceLocation
    let message: String
    switch (problem, context) {
    case ("found character that cannot start any token", _) where offending == UInt8(ascii: "\t"):
      location = at
      message = "a tab cannot indent YAML; indent with spaces"
    case ("found unexpected end of stream", "while scanning a quoted scalar"?):
      location = contextAt
      message = "this quoted text is never closed: add the closing quote"
    case ("did not find expected ',' or ']'", "while parsing a flow sequence"?):
      location = contextAt
      message = "this list is never closed: add the closing ']'"
    case ("did not find expected ',' or '}'", "while parsing a flow mapping"?):
      location = contextAt
      message = "this mapping is never closed: add the closing '}'"
    default:
      location = at
      message = problem + (context.map { " (\($0) at \(contextAt.line):\(contextAt.column))" } ?? "")
    }
    return YAMLError(code: .syntax, diagnostic: source.diagnostic(at: location, "invalid YAML: " + message))
  }
}

extension SourceText {
  /// The location of a libyaml mark, whose line and column count from 0.
  ///
  /// At the end of a file whose last line has no line break, libyaml ends
  /// the line itself and marks the end of the stream on a line the file does
  /// not have: such a mark is put just after the last character instead.
  func location(ofMark mark: yaml_mark_t) -> SourceLocation {
    let at = SourceLocation(file: name, line: mark.line + 1, column: mark.column + 1)
    guard at.line > 1, byteOffset(ofLine: at.line) == nil, let last = line(at.line - 1) else { return at }
    return SourceLocation(file: name, line: at.line - 1, column: last.unicodeScalars.count + 1)
  }
}

// MARK: - Building the tree

/// Turns libyaml's events into a document's node storage without recursion,
/// enforcing the limits.
///
/// Nodes are appended to one array of records as their events arrive (a
/// collection when it starts, so a parent comes before its children). The
/// children of open collections wait on one shared stack; when a collection
/// ends, its children move to the flat children array as one run.
struct TreeBuilder {
  /// An open sequence or mapping.
  private struct Frame {
    var record: Int
    var isMapping: Bool
    /// Where this collection's children start on the `pending` stack.
    var childStart: Int
    var anchor: String?
    var weight = 1
    /// The keys of a large mapping, by name, with their pair's position.
    var keys: [String: Int]?
  }

  typealias Record = NodeStorage.Record

  let source: SourceText
  let limits: YAMLLimits
  private var records: [Record] = []
  private var children: [UInt32] = []
  private var pending: [UInt32] = []
  private var strings: [String] = []
  private var tags: [Int: String] = [:]
  private var stack: [Frame] = []
  private var anchors: [String: (record: Int, weight: Int)] = [:]
  private var expanded = 0
  private var root: Int?
  private var documents = 0
  /// Whether the last line has no line break, after which libyaml marks the
  /// end of the stream on a line of its own.
  private let endsWithoutBreak: Bool

  init(source: SourceText, limits: YAMLLimits) {
    self.source = source
    self.limits = limits
    endsWithoutBreak = source.bytes.last.map { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") } ?? false
    // About one node for every 12 bytes of definitions, comments included.
    let estimate = source.bytes.count / 12
    records.reserveCapacity(estimate)
    children.reserveCapacity(estimate)
    strings.reserveCapacity(estimate)
    pending.reserveCapacity(64)
    stack.reserveCapacity(16)
  }

  private func location(_ mark: yaml_mark_t) -> SourceLocation { source.location(ofMark: mark) }

  private func location(ofRecord index: Int) -> SourceLocation {
    SourceLocation(file: source.name, line: Int(records[index].line), column: Int(records[index].column))
  }

  private func fail(_ code: YAMLError.Code, at location: SourceLocation, _ message: String)
    -> YAMLError
  {
    YAMLError(code: code, diagnostic: source.diagnostic(at: location, message))
  }

  private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
    guard let pointer else { return nil }
    return String(cString: UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
  }

  /// A record at `mark`, with lines and columns counted from 1.
  private func record(_ kind: NodeStorage.Kind, at mark: yaml_mark_t, style: Scalar.Style = .plain, first: Int = 0)
    -> Record
  {
    var (line, column) = (mark.line + 1, mark.column + 1)
    // Only a mark at the start of a line can be the end of the stream on a
    // line the file does not have (an empty node there: `key:` at the end).
    if endsWithoutBreak, mark.column == 0, mark.line > 0 {
      let at = source.location(ofMark: mark)
      (line, column) = (at.line, at.column)
    }
    return Record(
      kind: kind, style: style, hasTag: false, isNull: false, line: UInt32(truncatingIfNeeded: line),
      column: UInt32(truncatingIfNeeded: column), first: UInt32(truncatingIfNeeded: first), count: 0)
  }

  mutating func build(_ parser: LibYAMLParser) throws(YAMLError) -> Node? {
    while true {
      guard parser.next() else { throw parser.error(in: source) }
      let event = parser.event
      switch event.type {
      case YAML_STREAM_START_EVENT, YAML_DOCUMENT_END_EVENT, YAML_NO_EVENT:
        continue
      case YAML_STREAM_END_EVENT:
        guard let root else { return nil }
        let storage = NodeStorage(
          file: source.name, records: records, children: children, strings: strings, tags: tags)
        return Node(storage: storage, index: root)
      case YAML_DOCUMENT_START_EVENT:
        documents += 1
        if documents > 1 {
          throw fail(
            .multipleDocuments, at: location(event.start_mark),
            "a second YAML document; a definition file holds exactly one")
        }
      case YAML_SCALAR_EVENT:
        let data = event.data.scalar
        let value =
          data.length == 0
          ? ""
          : String(decoding: UnsafeBufferPointer(start: data.value, count: data.length), as: UTF8.self)
        let style: Scalar.Style
        switch data.style {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
        case YAML_LITERAL_SCALAR_STYLE: style = .literal
        case YAML_FOLDED_SCALAR_STYLE: style = .folded
        default: style = .plain
        }
        let index = records.count
        var record = record(.scalar, at: event.start_mark, style: style, first: strings.count)
        if data.plain_implicit == 0 && data.quoted_implicit == 0, let tag = Self.string(data.tag) {
          record.hasTag = true
          tags[index] = tag
        }
        record.isNull = Scalar.isNull(value, style: style, tagged: record.hasTag)
        strings.append(value)
        records.append(record)
        if let anchor = Self.string(data.anchor) { anchors[anchor] = (index, 1) }
        try add(index, weight: 1)
      case YAML_ALIAS_EVENT:
        let name = Self.string(event.data.alias.anchor) ?? ""
        let at = location(event.start_mark)
        guard let (target, weight) = anchors[name] else {
          throw fail(
            .undefinedAlias, at: at,
            "alias '*\(name)' names no anchor defined before it (an alias cannot refer to a node that contains it)"
          )
        }
        expanded += weight
        if expanded > limits.maxAliasExpansion {
          throw fail(
            .aliasLimit, at: at,
            "aliases expand to more than \(limits.maxAliasExpansion) nodes; refusing to expand '*\(name)'"
          )
        }
        // The alias shares the content of its target and has its own place.
        let index = records.count
        var copy = records[target]
        copy.line = UInt32(truncatingIfNeeded: at.line)
        copy.column = UInt32(truncatingIfNeeded: at.column)
        if copy.hasTag { tags[index] = tags[target] }
        records.append(copy)
        try add(index, weight: weight)
      case YAML_SEQUENCE_START_EVENT:
        try open(
          .sequence, at: event.start_mark, anchor: Self.string(event.data.sequence_start.anchor))
      case YAML_MAPPING_START_EVENT:
        try open(
          .mapping, at: event.start_mark, anchor: Self.string(event.data.mapping_start.anchor))
      case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
        guard let frame = stack.popLast() else { continue }
        let count = pending.count - frame.childStart
        records[frame.record].first = UInt32(truncatingIfNeeded: children.count)
        records[frame.record].count = UInt32(truncatingIfNeeded: count)
        children.append(contentsOf: pending[frame.childStart...])
        pending.removeLast(count)
        if let anchor = frame.anchor { anchors[anchor] = (frame.record, frame.weight) }
        try add(frame.record, weight: frame.weight)
      default:
        continue
      }
    }
  }

  private mutating func open(_ kind: NodeStorage.Kind, at mark: yaml_mark_t, anchor: String?) throws(YAMLError) {
    if stack.count >= limits.maxDepth {
      throw fail(
        .depthLimit, at: location(mark),
        "collections nest more than \(limits.maxDepth) levels deep")
    }
    let index = records.count
    records.append(record(kind, at: mark))
    stack.append(Frame(record: index, isMapping: kind == .mapping, childStart: pending.count, anchor: anchor))
  }

  private mutating func add(_ index: Int, weight: Int) throws(YAMLError) {
    let top = stack.count - 1
    guard top >= 0 else {
      root = index
      return
    }
    stack[top].weight += weight
    // In a mapping, children alternate key and value: an even count is
    // waiting for a key.
    guard stack[top].isMapping, (pending.count - stack[top].childStart) & 1 == 0 else {
      pending.append(UInt32(truncatingIfNeeded: index))
      return
    }
    let record = records[index]
    guard record.kind == .scalar else {
      let kind = record.kind == .sequence ? "a sequence" : "a mapping"
      throw fail(.complexKey, at: location(ofRecord: index), "a mapping key must be a scalar, not \(kind)")
    }
    // The key index is moved out of the frame while it is used, so that it
    // is never copied.
    var keys = stack[top].keys
    stack[top].keys = nil
    let earlier = firstKey(strings[Int(record.first)], record: index, from: stack[top].childStart, keys: &keys)
    stack[top].keys = keys
    if let earlier {
      let at = location(ofRecord: earlier)
      throw fail(
        .duplicateKey, at: location(ofRecord: index),
        "duplicate key '\(strings[Int(record.first)])' (first defined at \(at.line):\(at.column))")
    }
    pending.append(UInt32(truncatingIfNeeded: index))
  }

  /// The record of the key `name` already in the open mapping whose
  /// children start at `start`, if it is there. Small mappings are searched
  /// in place; from 16 keys on, an index of the keys is built in `keys` and
  /// kept, and the new key `record` is added to it.
  private mutating func firstKey(_ name: String, record: Int, from start: Int, keys: inout [String: Int]?) -> Int? {
    let pairs = (pending.count - start) / 2
    if keys == nil, pairs < 16 {
      var child = start
      while child < pending.count {
        let key = Int(pending[child])
        if strings[Int(records[key].first)] == name { return key }
        child += 2
      }
      return nil
    }
    if keys == nil {
      var built: [String: Int] = [:]
      built.reserveCapacity(pairs * 2)
      var child = start
      while child < pending.count {
        let key = Int(pending[child])
        let text = strings[Int(records[key].first)]
        if built[text] == nil { built[text] = key }
        child += 2
      }
      keys = built
    }
    if let found = keys?[name] { return found }
    keys?[name] = record
    return nil
  }
}
