import Mesoflow
import Testing

struct SHA256Tests {
  @Test(arguments: [
    ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    (
      "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    ),
    (
      "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
      "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
    ),
  ])
  func nistVectors(message: String, digest: String) {
    #expect(SHA256.hash(message).hex == digest)
  }

  @Test func oneMillionAs() {
    #expect(
      SHA256.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)).hex
        == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }

  /// Lengths either side of the padding boundaries (55/56 bytes, one and two
  /// blocks); expected values from Python's hashlib.
  @Test(arguments: [
    (55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
    (56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
    (57, "f13b2d724659eb3bf47f2dd6af1accc87b81f09f59f2b75e5c0bed6589dfe8c6"),
    (63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"),
    (64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
    (65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"),
    (119, "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb"),
    (120, "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"),
  ])
  func paddingBoundaries(count: Int, digest: String) {
    #expect(SHA256.hash(String(repeating: "a", count: count)).hex == digest)
  }

  @Test func nonContiguousSequencesAndUnicode() {
    // A closed range has no contiguous storage: the slow path.
    #expect(
      SHA256.hash(UInt8(0)...UInt8(199)).hex
        == "1901da1c9f699b48f6b2636e65cbf73abf99d0441ef67f5c540a42f7051dec6f")
    #expect(
      SHA256.hash("héllo, wörld — ✓ 🩺").hex
        == "120c280a038f94922ae6c01222849e30dc7bbd4b8e64972a7934fa1528f5bac6")
  }

  @Test func finalizeLeavesTheHasherUsable() {
    var hasher = SHA256()
    hasher.update("ab")
    #expect(hasher.finalize() == SHA256.hash("ab"))
    hasher.update("c")
    #expect(hasher.finalize().hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
  }

  @Test func incrementalUpdatesAtEveryOffsetMatchOneShot() {
    let message = (0..<130).map { UInt8($0 * 7 % 256) }
    let whole = SHA256.hash(message)
    for split in 0...message.count {
      var hasher = SHA256()
      hasher.update(message[..<split])
      hasher.update(message[split...])
      #expect(hasher.finalize() == whole, "split at \(split)")
    }
  }

  @Test func hexRoundTrips() {
    let digest = SHA256.hash("abc")
    #expect(digest.bytes.count == 32)
    #expect(digest.description == digest.hex)
    #expect(SHA256Digest(hex: digest.hex) == digest)
    #expect(SHA256Digest(hex: digest.hex.uppercased()) == digest)
    #expect(SHA256Digest(hex: String(digest.hex.dropLast())) == nil)
    #expect(SHA256Digest(hex: "g" + digest.hex.dropFirst()) == nil)
    #expect(SHA256Digest(hex: digest.hex + "0") == nil)
    #expect(SHA256Digest(hex: digest.hex + "00") == nil)
    #expect(SHA256Digest(hex: "") == nil)
    #expect(SHA256Digest(hex: digest.hex.dropFirst(0)) == digest)  // a Substring
  }
}
