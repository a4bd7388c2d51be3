/// SHA-256 (FIPS 180-4), without Foundation: for the definition hash of a
/// consultation and, in the store, the hash chain of its events.
///
/// Feed it bytes with `update(_:)` as often as you like, then read the digest
/// with ``finalize()``; `hash(_:)` does both at once.
package struct SHA256: Sendable {
  private typealias State = (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)

  private var state: State = (
    0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
  )
  /// The bytes of a block not yet complete; only the first `blockCount` count.
  private var block = [UInt8](repeating: 0, count: 64)
  private var blockCount = 0
  /// Bytes hashed so far, modulo 2^64.
  private var length: UInt64 = 0

  /// A hasher with nothing hashed yet.
  package init() {}

  /// Hashes `bytes` after what was hashed before.
  package mutating func update(_ bytes: some Sequence<UInt8>) {
    let done: Void? = bytes.withContiguousStorageIfAvailable { buffer in update(buffer) }
    if done == nil {
      let array = Array(bytes)
      array.withUnsafeBufferPointer { update($0) }
    }
  }

  /// Hashes the UTF-8 bytes of `string` after what was hashed before.
  package mutating func update(_ string: String) {
    var string = string
    string.withUTF8 { update($0) }
  }

  private mutating func update(_ buffer: UnsafeBufferPointer<UInt8>) {
    guard let base = buffer.baseAddress, !buffer.isEmpty else { return }
    length &+= UInt64(truncatingIfNeeded: buffer.count)
    var index = 0
    // Top up a block already begun.
    if blockCount > 0 {
      let take = min(64 - blockCount, buffer.count)
      let start = blockCount
      block.withUnsafeMutableBufferPointer { block in
        for offset in 0..<take { block[start + offset] = buffer[offset] }
      }
      blockCount += take
      index = take
      guard blockCount == 64 else { return }
      block.withUnsafeBufferPointer { Self.compress(&state, blocks: $0) }
      blockCount = 0
    }
    // Whole blocks straight from the caller's bytes, without copying.
    let whole = (buffer.count - index) / 64 * 64
    if whole > 0 {
      Self.compress(&state, blocks: UnsafeBufferPointer(start: base + index, count: whole))
      index += whole
    }
    // Keep the rest for later.
    let rest = buffer.count - index
    if rest > 0 {
      block.withUnsafeMutableBufferPointer { block in
        for offset in 0..<rest { block[offset] = buffer[index + offset] }
      }
      blockCount = rest
    }
  }

  /// The digest of everything hashed so far. The hasher is left as it was,
  /// so more bytes may follow and a later digest covers them too.
  package func finalize() -> SHA256Digest {
    var state = state
    let bits = length &* 8
    let count = blockCount < 56 ? 64 : 128
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count) { tail in
      tail.initialize(repeating: 0)
      for index in 0..<blockCount { tail[index] = block[index] }
      tail[blockCount] = 0x80
      for index in 0..<8 { tail[count - 1 - index] = UInt8(truncatingIfNeeded: bits >> (8 * UInt64(index))) }
      Self.compress(&state, blocks: UnsafeBufferPointer(tail))
    }
    var bytes = [UInt8](repeating: 0, count: 32)
    bytes.withUnsafeMutableBufferPointer { bytes in
      func put(_ word: UInt32, at index: Int) {
        bytes[index * 4] = UInt8(truncatingIfNeeded: word >> 24)
        bytes[index * 4 + 1] = UInt8(truncatingIfNeeded: word >> 16)
        bytes[index * 4 + 2] = UInt8(truncatingIfNeeded: word >> 8)
        bytes[index * 4 + 3] = UInt8(truncatingIfNeeded: word)
      }
      put(state.0, at: 0)
      put(state.1, at: 1)
      put(state.2, at: 2)
      put(state.3, at: 3)
      put(state.4, at: 4)
      put(state.5, at: 5)
      put(state.6, at: 6)
      put(state.7, at: 7)
    }
    return SHA256Digest(bytes: bytes)
  }

  /// The digest of `bytes`.
  package static func hash(_ bytes: some Sequence<UInt8>) -> SHA256Digest {
    var hasher = SHA256()
    hasher.update(bytes)
    return hasher.finalize()
  }

  /// The digest of the UTF-8 bytes of `string`.
  package static func hash(_ string: String) -> SHA256Digest {
    var hasher = SHA256()
    hasher.update(string)
    return hasher.finalize()
  }

  /// The round constants: the first 32 bits of the fractional parts of the
  /// cube roots of the first 64 primes.
  private static let k: [UInt32] = [
    0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
    0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
    0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
    0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
    0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
    0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
    0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
    0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
  ]

  /// Runs the compression function over each 64-byte block of `blocks`, whose
  /// count is a multiple of 64. The message schedule lives on the stack.
  private static func compress(_ state: inout State, blocks: UnsafeBufferPointer<UInt8>) {
    withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
      k.withUnsafeBufferPointer { k in
        var base = 0
        while base + 64 <= blocks.count {
          for index in 0..<16 {
            let at = base + index * 4
            w[index] =
              UInt32(blocks[at]) << 24 | UInt32(blocks[at + 1]) << 16 | UInt32(blocks[at + 2]) << 8
              | UInt32(blocks[at + 3])
          }
          for index in 16..<64 {
            let w15 = w[index - 15]
            let w2 = w[index - 2]
            let s0 = rotate(w15, 7) ^ rotate(w15, 18) ^ (w15 &>> 3)
            let s1 = rotate(w2, 17) ^ rotate(w2, 19) ^ (w2 &>> 10)
            w[index] = w[index - 16] &+ s0 &+ w[index - 7] &+ s1
          }
          var (a, b, c, d, e, f, g, h) = state
          for index in 0..<64 {
            let s1 = rotate(e, 6) ^ rotate(e, 11) ^ rotate(e, 25)
            let choice = (e & f) ^ (~e & g)
            let t1 = h &+ s1 &+ choice &+ k[index] &+ w[index]
            let s0 = rotate(a, 2) ^ rotate(a, 13) ^ rotate(a, 22)
            let majority = (a & b) ^ (a & c) ^ (b & c)
            let t2 = s0 &+ majority
            h = g
            g = f
            f = e
            e = d &+ t1
            d = c
            c = b
            b = a
            a = t1 &+ t2
          }
          state = (
            state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d,
            state.4 &+ e, state.5 &+ f, state.6 &+ g, state.7 &+ h
          )
          base += 64
        }
      }
    }
  }

  @inline(__always) private static func rotate(_ value: UInt32, _ count: UInt32) -> UInt32 {
    value &>> count | value &<< (32 &- count)
  }
}

/// A SHA-256 digest: 32 bytes.
package struct SHA256Digest: Sendable, Hashable, CustomStringConvertible {
  /// The 32 bytes, most significant first.
  package let bytes: [UInt8]

  init(bytes: [UInt8]) { self.bytes = bytes }

  /// Reads 64 hexadecimal digits, in either case; `nil` for anything else.
  package init?(hex: some StringProtocol) {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(32)
    var high: UInt8?
    for unit in hex.utf8 {
      let nibble: UInt8
      switch unit {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = unit - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = unit - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = unit - UInt8(ascii: "A") + 10
      default: return nil
      }
      if let first = high {
        guard bytes.count < 32 else { return nil }
        bytes.append(first << 4 | nibble)
        high = nil
      } else {
        high = nibble
      }
    }
    guard high == nil, bytes.count == 32 else { return nil }
    self.bytes = bytes
  }

  /// The digest in lower-case hexadecimal: 64 digits.
  package var hex: String {
    String(unsafeUninitializedCapacity: bytes.count * 2) { out in
      var index = 0
      for byte in bytes {
        out[index] = Self.digit(byte >> 4)
        out[index + 1] = Self.digit(byte & 0x0f)
        index += 2
      }
      return index
    }
  }

  /// The digest in lower-case hexadecimal, as ``hex``.
  package var description: String { hex }

  private static func digit(_ nibble: UInt8) -> UInt8 {
    nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
  }
}
