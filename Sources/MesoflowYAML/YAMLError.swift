/// An error found while reading YAML: where, and what.
///
/// The ``code`` tells the kind of problem; the ``diagnostic`` carries the
/// location, the message and the offending line.
public struct YAMLError: Error, Sendable, CustomStringConvertible {
  /// The kind of problem. New kinds may be added; switch with a default.
  public struct Code: Sendable, Hashable, CustomStringConvertible {
    enum Storage: String, Sendable, Hashable {
      case syntax, duplicateKey, aliasLimit, depthLimit, sizeLimit, invalidUTF8, nulByte
      case undefinedAlias, complexKey, multipleDocuments
    }

    let storage: Storage

    /// The bytes are not well-formed YAML.
    public static let syntax = Code(storage: .syntax)
    /// A mapping has the same key twice.
    public static let duplicateKey = Code(storage: .duplicateKey)
    /// Aliases would expand to more nodes than the limit allows.
    public static let aliasLimit = Code(storage: .aliasLimit)
    /// Collections nest deeper than the limit allows.
    public static let depthLimit = Code(storage: .depthLimit)
    /// The input is larger than the limit allows.
    public static let sizeLimit = Code(storage: .sizeLimit)
    /// The input is not valid UTF-8.
    public static let invalidUTF8 = Code(storage: .invalidUTF8)
    /// The input contains a NUL byte.
    public static let nulByte = Code(storage: .nulByte)
    /// An alias names an anchor that is not defined before it.
    public static let undefinedAlias = Code(storage: .undefinedAlias)
    /// A mapping key is a sequence or a mapping.
    public static let complexKey = Code(storage: .complexKey)
    /// The input holds more than one document.
    public static let multipleDocuments = Code(storage: .multipleDocuments)

    public var description: String { storage.rawValue }
  }

  /// The kind of problem.
  public var code: Code
  /// Where the problem is and what it is.
  public var diagnostic: Diagnostic

  /// Creates an error.
  public init(code: Code, diagnostic: Diagnostic) {
    self.code = code
    self.diagnostic = diagnostic
  }

  /// The one-line form `FILE:LINE:COL: error: MESSAGE`.
  public var description: String { diagnostic.description }
}

/// Bounds that protect the loader from hostile or accidental input.
public struct YAMLLimits: Sendable, Hashable {
  /// The largest input accepted, in bytes; never more than ``largestFile``.
  public var maxBytes: Int

  /// The largest input read whatever ``maxBytes`` says: 1 GiB, so that a
  /// document's node and child counts, lines and columns fit the 32-bit
  /// fields its nodes are stored in.
  public static let largestFile = 1 << 30
  /// The deepest nesting of sequences and mappings accepted.
  public var maxDepth: Int
  /// The most nodes that aliases may add to the document in all.
  public var maxAliasExpansion: Int

  /// Creates limits.
  public init(maxBytes: Int = 16 << 20, maxDepth: Int = 64, maxAliasExpansion: Int = 10_000) {
    self.maxBytes = maxBytes
    self.maxDepth = maxDepth
    self.maxAliasExpansion = maxAliasExpansion
  }

  /// 16 MiB, 64 levels, 10,000 nodes through aliases.
  public static let `default` = YAMLLimits()
}
