/// One node of a YAML document: a scalar, a sequence or a mapping, with the
/// place in the source where it starts.
///
/// A node is a light view into its document: the nodes of one document are
/// stored together, in a few flat arrays, so building, walking and freeing a
/// tree costs a handful of allocations rather than several a node. Copying a
/// node copies a reference and an index.
///
/// Aliases are resolved while loading, so an alias appears as a node with
/// the content of the node it names (sharing its storage) and the alias's own
/// location. Mapping keys are always scalars.
///
/// Any node kept keeps its whole document in memory; keep the values decoded
/// from nodes, not the nodes, for longer than a load.
public struct Node: Sendable {
  /// What a node holds.
  public enum Content: Sendable {
    /// A scalar: text, with the style it was written in.
    case scalar(Scalar)
    /// A sequence of nodes, in order.
    case sequence(Items)
    /// A mapping from scalar keys to nodes, in source order, keys unique.
    case mapping(Pairs)
  }

  /// One key and its value in a mapping.
  public struct Pair: Sendable {
    /// The key, a scalar node.
    public var key: Node
    /// The value.
    public var value: Node

    init(key: Node, value: Node) {
      self.key = key
      self.value = value
    }

    /// The key's text.
    public var name: String { key.text ?? "" }
  }

  /// The items of a sequence node, in order.
  public struct Items: RandomAccessCollection, Sendable {
    let storage: NodeStorage
    /// Where the items start in the storage's children.
    let base: Int
    /// The number of items.
    public let count: Int

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> Node {
      precondition(position >= 0 && position < count, "index out of range")
      return Node(storage: storage, index: Int(storage.children[base + position]))
    }
  }

  /// The pairs of a mapping node, in source order.
  public struct Pairs: RandomAccessCollection, Sendable {
    let storage: NodeStorage
    /// Where the pairs start in the storage's children, a key then a value.
    let base: Int
    /// The number of pairs.
    public let count: Int

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }

    public subscript(position: Int) -> Pair {
      precondition(position >= 0 && position < count, "index out of range")
      let child = base + 2 * position
      return Pair(
        key: Node(storage: storage, index: Int(storage.children[child])),
        value: Node(storage: storage, index: Int(storage.children[child + 1])))
    }

    /// The position of the pair whose key is `key`, if there is one. Keys
    /// compare as Swift strings do, as duplicate keys are found: a key
    /// written in another Unicode normalization form is the same key.
    public func firstIndex(ofKey key: String) -> Int? {
      for position in 0..<count
      where storage.strings[Int(storage.records[Int(storage.children[base + 2 * position])].first)] == key {
        return position
      }
      return nil
    }

    /// The value of the pair whose key is `key`, if there is one.
    public subscript(key: String) -> Node? {
      firstIndex(ofKey: key).map { Node(storage: storage, index: Int(storage.children[base + 2 * $0 + 1])) }
    }
  }

  let storage: NodeStorage
  let index: Int

  init(storage: NodeStorage, index: Int) {
    self.storage = storage
    self.index = index
  }

  private var record: NodeStorage.Record { storage.records[index] }

  /// Where the node starts.
  public var location: SourceLocation {
    let record = record
    return SourceLocation(file: storage.file, line: Int(record.line), column: Int(record.column))
  }

  /// The node's content.
  public var content: Content {
    let record = record
    switch record.kind {
    case .scalar: return .scalar(scalar(record))
    case .sequence: return .sequence(Items(storage: storage, base: Int(record.first), count: Int(record.count)))
    case .mapping: return .mapping(Pairs(storage: storage, base: Int(record.first), count: Int(record.count) / 2))
    }
  }

  private func scalar(_ record: NodeStorage.Record) -> Scalar {
    Scalar(
      storage.strings[Int(record.first)], style: record.style,
      tag: record.hasTag ? storage.tags[index] : nil)
  }

  /// The scalar, if this node is one.
  public var scalar: Scalar? {
    let record = record
    return record.kind == .scalar ? scalar(record) : nil
  }

  /// A scalar's text, if this node is one: ``scalar``'s value without the
  /// rest of the scalar.
  public var text: String? {
    let record = record
    return record.kind == .scalar ? storage.strings[Int(record.first)] : nil
  }

  /// The items, if this node is a sequence.
  public var sequence: Items? {
    let record = record
    guard record.kind == .sequence else { return nil }
    return Items(storage: storage, base: Int(record.first), count: Int(record.count))
  }

  /// The pairs, if this node is a mapping.
  public var mapping: Pairs? {
    let record = record
    guard record.kind == .mapping else { return nil }
    return Pairs(storage: storage, base: Int(record.first), count: Int(record.count) / 2)
  }

  /// The items of a sequence, or this node alone when it is not a sequence:
  /// for keys that take one value or a list of them.
  public var itemsOrSelf: [Node] {
    sequence.map(Array.init) ?? [self]
  }

  /// The items of a sequence; none for a scalar or a mapping.
  package var items: Items {
    sequence ?? Items(storage: storage, base: 0, count: 0)
  }

  /// The value for `key`, if this node is a mapping that has it.
  public subscript(key: String) -> Node? {
    mapping?[key]
  }

  /// Whether this node is a null scalar (`~`, `null`, or nothing at all).
  public var isNull: Bool { record.isNull }

  /// "a scalar", "a sequence", "a mapping" or "null": for messages.
  public var kindDescription: String {
    switch record.kind {
    case .scalar: return isNull ? "null" : "a scalar"
    case .sequence: return "a sequence"
    case .mapping: return "a mapping"
    }
  }
}

/// The nodes of one document: a record for each node, the child lists of its
/// collections, and the text of its scalars. Written once by the loader, then
/// only read.
final class NodeStorage: Sendable {
  enum Kind: UInt8 {
    case scalar, sequence, mapping
  }

  /// One node, in 20 bytes. For a scalar, `first` is its index in
  /// `strings`; for a collection, `first` and `count` are the range of its
  /// children in `children`, a key and a value for each pair of a mapping.
  struct Record {
    var kind: Kind
    var style: Scalar.Style
    var hasTag: Bool
    /// Whether the node is a null scalar, worked out once when it is read.
    var isNull: Bool
    var line: UInt32
    var column: UInt32
    var first: UInt32
    var count: UInt32
  }

  let file: String
  let records: [Record]
  let children: [UInt32]
  let strings: [String]
  /// The explicit tags of the scalars that have one, by node.
  let tags: [Int: String]

  init(file: String, records: [Record], children: [UInt32], strings: [String], tags: [Int: String]) {
    self.file = file
    self.records = records
    self.children = children
    self.strings = strings
    self.tags = tags
  }
}

/// The text of a scalar node and how it was written.
public struct Scalar: Sendable, Hashable {
  /// How a scalar was written in the source.
  public enum Style: Sendable, Hashable {
    /// Unquoted: `yes`, `18`, `text`.
    case plain
    /// In single quotes.
    case singleQuoted
    /// In double quotes.
    case doubleQuoted
    /// A `|` block.
    case literal
    /// A `>` block.
    case folded
  }

  /// The scalar's text, after quotes and escapes are resolved.
  public var value: String
  /// How the scalar was written.
  public var style: Style
  /// An explicit tag such as `tag:yaml.org,2002:str`, if one was written.
  public var tag: String?

  /// Creates a scalar.
  public init(_ value: String, style: Style = .plain, tag: String? = nil) {
    self.value = value
    self.style = style
    self.tag = tag
  }

  /// Whether the scalar is a YAML null: a plain `~`, `null` or empty scalar.
  public var isNull: Bool { Self.isNull(value, style: style, tagged: tag != nil) }

  /// The rule of ``isNull``, for the loader, which applies it once to each
  /// scalar it reads.
  static func isNull(_ value: String, style: Style, tagged: Bool) -> Bool {
    style == .plain && !tagged && isNullText(value)
  }

  private static func isNullText(_ value: String) -> Bool {
    guard value.utf8.count <= 4 else { return false }
    switch value {
    case "", "~", "null", "Null", "NULL": return true
    default: return false
    }
  }

  /// Whether the scalar was written without quotes or block style, so that it
  /// may be read as a number or boolean.
  public var isPlain: Bool { style == .plain && tag == nil }
}
