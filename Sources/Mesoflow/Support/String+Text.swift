/// Text helpers the library shares: trimming, ranges written as text,
/// and offsets between UTF-8 and Unicode scalars.
extension String {
  /// The text without leading and trailing white space.
  /// The first control character a record may not hold: any below U+0020
  /// but tab, line feed and carriage return (which a single-line field,
  /// `multiline: false`, may not hold either), and DEL. FHIR's strings, for
  /// one, cannot carry them, and a terminal would act on them.
  package func forbiddenControlCharacter(multiline: Bool) -> Unicode.Scalar? {
    unicodeScalars.first { scalar in
      if scalar.value == 0x7F { return true }
      guard scalar.value < 0x20 else { return false }
      return !(multiline && (scalar == "\t" || scalar == "\n" || scalar == "\r"))
    }
  }

  package var trimmed: String {
    var text = Substring(self)
    while let first = text.first, first.isWhitespace { text.removeFirst() }
    while let last = text.last, last.isWhitespace { text.removeLast() }
    return String(text)
  }

  /// The number of Unicode scalars in the first `offset` UTF-8 bytes.
  func scalarOffset(ofUTF8Offset offset: Int) -> Int {
    var scalars = 0
    for (index, byte) in utf8.enumerated() {
      if index >= offset { break }
      if byte & 0xC0 != 0x80 { scalars += 1 }
    }
    return scalars
  }

  /// The number with a decimal comma read as a point.
  func replacingComma() -> String {
    // A decimal comma, as many clinics type it, when there is no point.
    contains(".") ? self : String(map { $0 == "," ? "." : $0 })
  }

  /// The number before a trailing `ml`, or empty when there is none.
  func dropLastML() -> String {
    hasSuffix("ml") ? String(dropLast(2)).replacingComma() : ""
  }
}

extension StringProtocol {
  /// The text without ASCII spaces, tabs and line breaks at either end: a
  /// byte-level trim for scalars and keys, where ``String/trimmed`` trims
  /// any Unicode white space from what staff typed.
  func trimmingWhitespace() -> String {
    let utf8 = Substring(self).utf8
    let isSpace = { (byte: UInt8) in byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
    guard let first = utf8.firstIndex(where: { !isSpace($0) }), let last = utf8.lastIndex(where: { !isSpace($0) })
    else { return "" }
    return String(Substring(self)[first...last])
  }

  /// The parts of a `MIN..MAX` range: one part when there is no `..`, three
  /// or more when there are several.
  func rangeParts() -> [Substring] {
    let text = Substring(self)
    let utf8 = text.utf8
    var parts: [Substring] = []
    var start = utf8.startIndex
    var index = utf8.startIndex
    while index < utf8.endIndex {
      let next = utf8.index(after: index)
      if utf8[index] == UInt8(ascii: "."), next < utf8.endIndex, utf8[next] == UInt8(ascii: ".") {
        parts.append(text[start..<index])
        index = utf8.index(after: next)
        start = index
      } else {
        index = next
      }
    }
    parts.append(text[start...])
    return parts
  }
}
