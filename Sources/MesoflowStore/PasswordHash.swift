import CArgon2
// Full Foundation, for Unicode normalization.
import Foundation

/// Passwords as the store keeps them: Argon2id (RFC 9106) through the
/// reference library, libargon2, in its PHC string form
/// (`$argon2id$v=19$m=65536,t=3,p=1$SALT$HASH`), so that each hash carries
/// the parameters it was made with and stronger ones can come later without
/// locking anyone out.
///
/// The parameters are RFC 9106's second recommended option: 64 MiB of
/// memory, 3 passes, one lane, a 16-byte salt from the system's secure
/// random source for every hash, a 32-byte tag. One hash takes a few hundred
/// milliseconds (docs/BENCHMARKS.md): slow for someone guessing, quick for
/// someone signing in. libargon2 compares tags in constant time.
package enum PasswordHash {
  /// How much work a new hash takes.
  package struct Cost: Sendable, Hashable {
    /// Memory in KiB.
    package var memoryKiB: UInt32
    /// Passes over the memory.
    package var passes: UInt32

    /// RFC 9106's second recommended option: what every account gets.
    package static let standard = Cost(memoryKiB: 65_536, passes: 3)
    /// Next to nothing: for the package's own tests of the rules around the
    /// hash, which would otherwise spend minutes hashing. Never for accounts
    /// people use.
    package static let quick = Cost(memoryKiB: 64, passes: 1)
  }

  /// Lanes, and threads.
  package static let lanes: UInt32 = 1
  package static let saltBytes = 16
  package static let tagBytes = 32

  /// The fewest characters a password may have.
  package static let minimumLength = 12
  /// The most bytes of UTF-8 a password may have. Argon2 reads a password
  /// whole, whatever its length (unlike bcrypt, which reads 72 bytes); the
  /// bound only keeps a pasted file out.
  package static let maximumBytes = 4_096

  /// Why `password` may not be used, or `nil` when it may.
  package static func weakness(of password: String) -> String? {
    if password.count < minimumLength {
      return
        "a password needs at least \(minimumLength) characters (this one has \(password.count)); a few words together are easy to remember and hard to guess"
    }
    if password.utf8.count > maximumBytes { return "a password may have at most \(maximumBytes) bytes" }
    if password.allSatisfy(\.isWhitespace) { return "a password cannot be only spaces" }
    return nil
  }

  /// The PHC string of a new hash of `password`, with a fresh salt.
  package static func make(_ password: String, cost: Cost = .standard) throws(StoreError) -> String {
    var generator = SystemRandomNumberGenerator()
    let salt = (0..<saltBytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    let bytes = Array(normalized(password).utf8)
    let length = argon2_encodedlen(
      cost.passes, cost.memoryKiB, lanes, UInt32(saltBytes), UInt32(tagBytes), Argon2_id)
    var encoded = [CChar](repeating: 0, count: length)
    let status = argon2id_hash_encoded(
      cost.passes, cost.memoryKiB, lanes, bytes, bytes.count, salt, salt.count, tagBytes, &encoded, encoded.count)
    guard status == ARGON2_OK.rawValue else {
      throw StoreError(.io, "cannot hash the password: \(String(cString: argon2_error_message(status)))")
    }
    return String(decoding: encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// Whether `password` is the one `encoded` was made from; `false` for
  /// anything that is not an Argon2id PHC string.
  package static func verify(_ password: String, against encoded: String) -> Bool {
    guard encoded.hasPrefix("$argon2id$"), isAffordable(encoded) else { return false }
    let bytes = Array(normalized(password).utf8)
    return argon2id_verify(encoded, bytes, bytes.count) == ARGON2_OK.rawValue
  }

  /// A hash no password matches, made once: checked against when no account
  /// has the name given, so that a wrong name takes as long as a wrong
  /// password and timing does not tell which names exist.
  package static func decoy(for cost: Cost) -> String {
    cost == .standard ? standardDecoy : (try? make("mesoflow decoy", cost: cost)) ?? ""
  }

  /// The hash of 32 random bytes nobody kept, with the standard cost: a
  /// literal, so that the first unknown name a process sees costs one check,
  /// as a known name does, and not a hash made first.
  private static let standardDecoy =
    "$argon2id$v=19$m=65536,t=3,p=1$OQ9AKbgdyg91NNRiiEPERQ$wqjtMIWDBeQspQ4fj5jQq8F4n+X+A7yCJsSNO/7uW/E"

  /// The most work a stored hash may ask of a check: a hash edited to ask
  /// for gigabytes or hours is refused, not computed.
  static let maximumMemoryKiB = 1_048_576
  static let maximumPasses = 16
  static let maximumLanes = 16

  /// Whether `encoded`'s parameters are within the maximums.
  static func isAffordable(_ encoded: String) -> Bool {
    // $argon2id$v=19$m=65536,t=3,p=1$salt$hash
    let fields = encoded.split(separator: "$", omittingEmptySubsequences: true)
    guard fields.count == 5 else { return false }
    var values: [Substring: Int] = [:]
    for pair in fields[2].split(separator: ",") {
      let parts = pair.split(separator: "=", maxSplits: 1)
      guard parts.count == 2, let value = Int(parts[1]) else { return false }
      values[parts[0]] = value
    }
    guard let memory = values["m"], let passes = values["t"], let lanes = values["p"] else { return false }
    return memory <= maximumMemoryKiB && passes <= maximumPasses && lanes <= maximumLanes
  }

  /// The same text typed on two keyboards (é as one character or as e and
  /// an accent) is the same password: Unicode canonical composition (NFC).
  static func normalized(_ password: String) -> String { password.precomposedStringWithCanonicalMapping }
}
