/// A JSON value whose objects keep their keys in the order written, as FHIR
/// JSON is read by people (`resourceType` first, then the elements in the
/// order of the specification), written without Foundation.
enum FHIRJSON: Sendable {
  case string(String)
  case integer(Int)
  /// A FHIR decimal: written as its shortest form that reads back the same.
  case decimal(Double)
  case bool(Bool)
  case array([FHIRJSON])
  case object([(String, FHIRJSON)])

  /// The JSON text: indented by two spaces, or on one line for NDJSON.
  ///
  /// - Throws: ``DocumentError/Code/notEncodable`` for a number that is not
  ///   finite, which JSON cannot hold.
  func text(singleLine: Bool) throws(DocumentError) -> String {
    var out = ""
    try write(into: &out, indent: singleLine ? nil : 0)
    return out
  }

  private func write(into out: inout String, indent: Int?) throws(DocumentError) {
    switch self {
    case .string(let value): Self.quote(value, into: &out)
    case .integer(let value): out += String(value)
    case .decimal(let value):
      guard value.isFinite else {
        throw DocumentError(.notEncodable, "the number \(value) cannot be written as JSON")
      }
      // Whole numbers keep no ".0"; others are Swift's shortest round trip.
      if value == value.rounded(), abs(value) < 1e15 {
        out += String(Int64(value))
      } else {
        out += "\(value)"
      }
    case .bool(let value): out += value ? "true" : "false"
    case .array(let items):
      guard !items.isEmpty else {
        out += "[]"
        return
      }
      out += "["
      for (index, item) in items.enumerated() {
        if index > 0 { out += "," }
        Self.newline(&out, indent.map { $0 + 1 })
        try item.write(into: &out, indent: indent.map { $0 + 1 })
      }
      Self.newline(&out, indent)
      out += "]"
    case .object(let members):
      guard !members.isEmpty else {
        out += "{}"
        return
      }
      out += "{"
      for (index, (key, value)) in members.enumerated() {
        if index > 0 { out += "," }
        Self.newline(&out, indent.map { $0 + 1 })
        Self.quote(key, into: &out)
        out += indent == nil ? ":" : ": "
        try value.write(into: &out, indent: indent.map { $0 + 1 })
      }
      Self.newline(&out, indent)
      out += "}"
    }
  }

  private static func newline(_ out: inout String, _ indent: Int?) {
    guard let indent else { return }
    out += "\n" + String(repeating: "  ", count: indent)
  }

  /// A JSON string: `"` and `\` escaped, a line feed, carriage return or
  /// tab as `\n`, `\r`, `\t`; any other control character, which FHIR does
  /// not allow in a string, as U+FFFD; everything else as it is, in UTF-8.
  private static func quote(_ text: String, into out: inout String) {
    out += "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if scalar.value < 0x20 {
          // FHIR's strings hold no other control character (R4 2.24.0.1):
          // one that came in is shown as U+FFFD, the replacement character.
          out += "\u{FFFD}"
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    out += "\""
  }
}

/// Builds a JSON object, leaving out members whose value is `nil`, an empty
/// array or an empty object: FHIR forbids empty elements.
struct FHIRObject {
  private(set) var members: [(String, FHIRJSON)] = []

  init() {}

  init(_ resourceType: String) {
    members = [("resourceType", .string(resourceType))]
  }

  subscript(key: String) -> FHIRJSON? {
    get { members.first { $0.0 == key }?.1 }
    set {
      members.removeAll { $0.0 == key }
      guard let newValue, !newValue.isEmpty else { return }
      members.append((key, newValue))
    }
  }

  var json: FHIRJSON { .object(members) }
}

extension FHIRJSON {
  /// An empty array or object (or a string with nothing in it), which FHIR
  /// does not allow.
  var isEmpty: Bool {
    switch self {
    case .array(let items): return items.isEmpty
    case .object(let members): return members.isEmpty
    case .string(let value): return value.isEmpty
    default: return false
    }
  }

  /// The object's member `key`, if this is an object that has one.
  subscript(key: String) -> FHIRJSON? {
    guard case .object(let members) = self else { return nil }
    return members.first { $0.0 == key }?.1
  }
}
