#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// The JSON documents' one way of writing JSON: keys sorted, two-space
/// indentation, `/` unescaped, and a line feed after the closing brace.
enum JSONText {
  /// `value` as JSON text; `what` names it in the error.
  static func encode(_ value: some Encodable, _ what: String) throws(DocumentError) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    do {
      return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    } catch {
      throw DocumentError(.notEncodable, "\(what) cannot be written as JSON: \(error)")
    }
  }
}
