/// Near-miss suggestions for "did you mean" in messages.
package enum Suggestion {
  /// The candidate closest to `word`, if one is close enough to be a typo.
  package static func closest(to word: String, in candidates: some Sequence<String>) -> String? {
    var best: (String, Int)?
    var tied = false
    let length = word.utf8.count
    // Past this length a name is no typo of an id, and the distance would cost
    // the square of it.
    guard length <= 64 else { return nil }
    let limit = max(1, min(3, word.count / 3))
    for candidate in candidates where candidate != word && abs(candidate.utf8.count - length) <= limit {
      let distance = editDistance(word.lowercased(), candidate.lowercased())
      guard distance <= limit, distance < max(word.count, candidate.count) else { continue }
      if let current = best, distance >= current.1 {
        if distance == current.1 { tied = true }
        continue
      }
      best = (candidate, distance)
      tied = false
    }
    // Two equally near candidates: a guess would mislead as often as help.
    return tied ? nil : best?.0
  }

  /// ` (did you mean 'x'?)`, or nothing.
  package static func didYouMean(_ word: String, in candidates: some Sequence<String>) -> String {
    closest(to: word, in: candidates).map { " (did you mean '\($0)'?)" } ?? ""
  }

  /// Levenshtein distance, with a transposition counted as one edit.
  static func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a.unicodeScalars)
    let b = Array(b.unicodeScalars)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous2 = [Int](repeating: 0, count: b.count + 1)
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
      current[0] = i
      for j in 1...b.count {
        let cost = a[i - 1] == b[j - 1] ? 0 : 1
        current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
          current[j] = min(current[j], previous2[j - 2] + 1)
        }
      }
      (previous2, previous, current) = (previous, current, previous2)
    }
    return previous[b.count]
  }
}
