/// Answers typed as text: what a terminal or a script of answers gives.
///
/// Parsing only reads the text; the consultation still checks the answer
/// (bounds, expiry, limits) when it is given.
extension Step {
  /// How to type an answer to this step, for a prompt: `yes or no`,
  /// `a whole number from 0 to 120 (years)`, ...
  public var inputHint: String {
    switch answer {
    case .yesNo: return "yes or no"
    case .integer(let bounds): return "a whole number" + bounds.rangeText
    case .decimal(let bounds): return "a number" + bounds.rangeText
    case .text(let maxLength):
      return maxLength.map { "text, at most \($0) characters" } ?? "text"
    case .choice: return "the number or id of one option"
    case .multipleChoice: return "the numbers or ids of the options that apply, separated by commas, or none"
    case .date(let bounds):
      var text = "a date, YYYY-MM-DD"
      switch (bounds.earliest, bounds.latest) {
      case (let low?, let high?): text += ", from \(low) to \(high)"
      case (let low?, nil): text += low == .today ? ", today or later" : ", \(low) or later"
      case (nil, let high?): text += high == .today ? ", today or earlier" : ", \(high) or earlier"
      case (nil, nil): break
      }
      return text
    case .consent: return "the name of the person who signed the consent (signed now)"
    case .product: return "name; lot; expiry (YYYY-MM-DD)"
    case .volume(let max):
      let limit = max.map { ", at most \(formatNumber($0)) ml" } ?? ""
      return "millilitres, as 2.5, or per area with its points, as AREA 2 ml over 40 points, AREA 0.5\(limit)"
    }
  }

  /// Reads an answer to this step from text.
  ///
  /// - Parameters:
  ///   - text: What was typed.
  ///   - now: The moment of answering: a consent typed as a name is signed now.
  /// - Throws: ``ConsultationError`` of kind `invalidAnswer`, saying what was expected.
  public func parseAnswer(_ text: String, now: Timestamp) throws(ConsultationError) -> Answer {
    let input = text.trimmed
    func refuse(_ reason: String? = nil) -> ConsultationError {
      ConsultationError(.invalidAnswer, id, reason ?? "expected \(inputHint), not '\(input)'")
    }
    switch answer {
    case .yesNo:
      switch input.lowercased() {
      case "y", "yes", "true": return .yesNo(true)
      case "n", "no", "false": return .yesNo(false)
      default: throw refuse()
      }
    case .integer:
      guard let value = Int(input) else { throw refuse() }
      return .integer(value)
    case .decimal:
      guard let value = Double(input.replacingComma()), value.isFinite else { throw refuse() }
      return .decimal(value)
    case .text:
      guard !input.isEmpty else { throw refuse("an answer cannot be empty") }
      return .text(input)
    case .choice(let options):
      guard let option = Self.option(input, in: options) else { throw refuse(Self.unknownOption(input, options)) }
      return .choice(option.id)
    case .multipleChoice(let options):
      if input.lowercased() == "none" || input.isEmpty { return .multipleChoice([]) }
      var chosen: [String] = []
      for part in input.split(separator: ",") {
        let item = String(part).trimmed
        guard let option = Self.option(item, in: options) else { throw refuse(Self.unknownOption(item, options)) }
        if !chosen.contains(option.id) { chosen.append(option.id) }
      }
      return .multipleChoice(chosen)
    case .date:
      guard let date = CalendarDate(iso: input) else { throw refuse() }
      return .date(date)
    case .consent:
      guard !input.isEmpty else { throw refuse("give the name of the person who signed") }
      return .consent(Consent(signedBy: input, signedAt: now))
    case .product:
      let parts = input.split(separator: ";", omittingEmptySubsequences: false).map { String($0).trimmed }
      guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else { throw refuse() }
      guard let expiry = CalendarDate(iso: parts[2]) else {
        throw refuse("the expiry '\(parts[2])' is not a date: expected YYYY-MM-DD")
      }
      return .product(Product(name: parts[0], lot: parts[1], expiry: expiry))
    case .volume:
      var entries: [VolumeEntry] = []
      for part in input.split(separator: ",") {
        guard let entry = Self.volumeEntry(String(part)) else { throw refuse() }
        entries.append(entry)
      }
      guard !entries.isEmpty else { throw refuse() }
      return .volume(entries)
    }
  }

  static func option(_ text: String, in options: [ChoiceOption]) -> ChoiceOption? {
    // An option's number counts from 1; compared before 1 is taken from it,
    // so that the smallest Int is refused rather than overflowing.
    if let number = Int(text), number >= 1, number <= options.count { return options[number - 1] }
    return options.first { $0.id == text } ?? options.first { $0.id.lowercased() == text.lowercased() }
  }

  static func unknownOption(_ text: String, _ options: [ChoiceOption]) -> String {
    "'\(text)' is not an option: give a number from 1 to \(options.count) or one of "
      + options.map(\.id).joined(separator: ", ")
  }

  /// `[AREA] NUMBER [ml] [over N points]`, also `N points` without `over`.
  static func volumeEntry(_ text: String) -> VolumeEntry? {
    var words = text.split(separator: " ").map { String($0).lowercased() }
    var area: String?
    if let first = words.first, Double(first.replacingComma()) == nil, Double(first.dropLastML()) == nil {
      area = first
      words.removeFirst()
    }
    guard let first = words.first else { return nil }
    words.removeFirst()
    let millilitres: Double
    if let value = Double(first.replacingComma()) {
      millilitres = value
      if words.first == "ml" { words.removeFirst() }
    } else if let value = Double(first.dropLastML()) {
      millilitres = value
    } else {
      return nil
    }
    guard millilitres.isFinite else { return nil }
    var points: Int?
    if words.first == "over" { words.removeFirst() }
    if let count = words.first {
      guard let value = Int(count), words.count == 2, ["points", "point"].contains(words[1]) else { return nil }
      points = value
      words.removeAll()
    }
    guard words.isEmpty else { return nil }
    return VolumeEntry(area: area, millilitres: millilitres, points: points)
  }
}

extension NumberBounds {
  /// ` from 0 to 120 (years)`, ` of at least 0`, or empty.
  var rangeText: String {
    var text = ""
    switch (min, max) {
    case (let low?, let high?): text = " from \(formatNumber(low)) to \(formatNumber(high))"
    case (let low?, nil): text = " of at least \(formatNumber(low))"
    case (nil, let high?): text = " of at most \(formatNumber(high))"
    case (nil, nil): break
    }
    if let unit { text += " (\(unit))" }
    return text
  }
}
