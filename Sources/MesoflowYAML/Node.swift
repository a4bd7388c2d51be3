/// One node of a YAML document: a scalar, a sequence or a mapping, with the
/// place in the source where it starts.
///
/// Aliases are resolved while loading, so an alias appears as a copy of the
/// node it names (sharing its storage). Mapping keys are always scalars.
public struct Node: Sendable {
  /// What a node holds.
  public enum Content: Sendable {
    /// A scalar: text, with the style it was written in.
    case scalar(Scalar)
    /// A sequence of nodes, in order.
    case sequence([Node])
    /// A mapping from scalar keys to nodes, in source order, keys unique.
    case mapping([Pair])
  }

  /// One key and its value in a mapping.
  public struct Pair: Sendable {
    /// The key, a scalar node.
    public var key: Node
    /// The value.
    public var value: Node

    /// Creates a pair.
    public init(key: Node, value: Node) {
      self.key = key
      self.value = value
    }

    /// The key's text.
    public var name: String { key.scalar?.value ?? "" }
  }

  /// The node's content.
  public var content: Content
  /// Where the node starts.
  public var location: SourceLocation

  /// Creates a node.
  public init(_ content: Content, at location: SourceLocation) {
    self.content = content
    self.location = location
  }

  /// The scalar, if this node is one.
  public var scalar: Scalar? {
    if case .scalar(let scalar) = content { return scalar }
    return nil
  }

  /// The items, if this node is a sequence.
  public var sequence: [Node]? {
    if case .sequence(let items) = content { return items }
    return nil
  }

  /// The pairs, if this node is a mapping.
  public var mapping: [Pair]? {
    if case .mapping(let pairs) = content { return pairs }
    return nil
  }

  /// The value for `key`, if this node is a mapping that has it.
  public subscript(key: String) -> Node? {
    guard case .mapping(let pairs) = content else { return nil }
    for pair in pairs where pair.key.scalar?.value == key {
      return pair.value
    }
    return nil
  }

  /// Whether this node is a null scalar (`~`, `null`, or nothing at all).
  public var isNull: Bool { scalar?.isNull ?? false }

  /// "a scalar", "a sequence", "a mapping" or "null": for messages.
  public var kindDescription: String {
    switch content {
    case .scalar(let scalar): return scalar.isNull ? "null" : "a scalar"
    case .sequence: return "a sequence"
    case .mapping: return "a mapping"
    }
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
  public var isNull: Bool {
    guard style == .plain, tag == nil, value.utf8.count <= 4 else { return false }
    switch value {
    case "", "~", "null", "Null", "NULL": return true
    default: return false
    }
  }

  /// Whether the scalar was written without quotes or block style, so that it
  /// may be read as a number or boolean.
  public var isPlain: Bool { style == .plain && tag == nil }
}
