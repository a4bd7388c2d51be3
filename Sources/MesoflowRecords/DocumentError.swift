/// Why a document could not be made.
public struct DocumentError: Error, Sendable, Hashable, CustomStringConvertible {
  /// The kind of problem. New kinds may be added; compare with `==`, or
  /// switch with a default.
  public struct Code: Sendable, Hashable, CustomStringConvertible {
    enum Storage: String, Sendable, Hashable {
      case notEncodable
    }

    let storage: Storage

    /// A value has no form in the document's format, such as a number that
    /// is not finite in JSON.
    public static let notEncodable = Code(storage: .notEncodable)

    /// `notEncodable`.
    public var description: String { storage.rawValue }
  }

  /// The kind of problem.
  public var code: Code
  /// What is wrong.
  public var message: String

  init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }

  public var description: String { message }
}
