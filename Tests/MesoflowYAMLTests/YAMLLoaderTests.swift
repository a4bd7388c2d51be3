import MesoflowTestSupport
import MesoflowYAML
import Testing

struct YAMLLoaderTests {
  func load(_ text: String, limits: YAMLLimits = .default) throws(YAMLError) -> Node? {
    try YAML.load(text, name: "t.yaml", limits: limits).root
  }

  func error(_ text: String, limits: YAMLLimits = .default) -> YAMLError? {
    do {
      _ = try load(text, limits: limits)
      return nil
    } catch {
      return error
    }
  }

  // MARK: - Marks

  @Test func everyNodeCarriesItsSourceNameLineAndColumn() throws {
    let root = try #require(
      try load(
        """
        workflow: demo
        stages:
          - id: first
            steps: [a, b]
        """))
    #expect(root.location == SourceLocation(file: "t.yaml", line: 1, column: 1))
    let pairs = try #require(root.mapping)
    #expect(pairs.map(\.name) == ["workflow", "stages"])
    #expect(pairs[0].value.location == SourceLocation(file: "t.yaml", line: 1, column: 11))
    #expect(pairs[1].key.location.line == 2)
    let stage = try #require(root["stages"]?.sequence?.first)
    #expect(stage.location == SourceLocation(file: "t.yaml", line: 3, column: 5))
    #expect(stage["id"]?.location == SourceLocation(file: "t.yaml", line: 3, column: 9))
    let steps = try #require(stage["steps"]?.sequence)
    #expect(steps.map(\.location.column) == [13, 16])
    #expect(steps.map { $0.scalar?.value } == ["a", "b"])
  }

  @Test func columnsCountUnicodeScalarsNotBytes() throws {
    let root = try #require(try load("ä: [é, x]"))
    let items = try #require(root["ä"]?.sequence)
    #expect(items[1].location.column == 8)
  }

  @Test func scalarsKeepTheirStyleAndQuotedScalarsAreNotNull() throws {
    let root = try #require(try load("a: 'x'\nb: \"18\"\nc: ~\nd:\ne: |\n  text\n"))
    #expect(root["a"]?.scalar?.style == .singleQuoted)
    #expect(root["b"]?.scalar == Scalar("18", style: .doubleQuoted))
    #expect(root["c"]?.isNull == true)
    #expect(root["d"]?.isNull == true)
    #expect(root["e"]?.scalar?.value == "text\n")
    #expect(root["e"]?.scalar?.style == .literal)
    #expect(try load("x: '~'")?["x"]?.isNull == false)
  }

  @Test func emptyInputHasNoRoot() throws {
    #expect(try load("") == nil)
    #expect(try load("# only a comment\n") == nil)
  }

  @Test func aliasesResolveToTheAnchoredNode() throws {
    let root = try #require(try load("a: &x [1, 2]\nb: *x\n"))
    #expect(root["b"]?.sequence?.compactMap { $0.scalar?.value } == ["1", "2"])
    #expect(root["b"]?.location.line == 2)
  }

  @Test func anAliasOfACollectionOrTaggedScalarSharesItsContentAndHasItsOwnPlace() throws {
    let root = try #require(try load("a: &m {x: 1, y: [2, 3]}\nt: &t !!str 18\nb: *m\nc: *t\n"))
    let alias = try #require(root["b"])
    #expect(alias.location == SourceLocation(file: "t.yaml", line: 3, column: 4))
    #expect(alias.mapping?.map(\.name) == ["x", "y"])
    #expect(alias["y"]?.sequence?.map(\.location.line) == [1, 1])
    #expect(root["c"]?.scalar == Scalar("18", tag: "tag:yaml.org,2002:str"))
    #expect(root["c"]?.location.line == 4)
    #expect(root["c"]?.isNull == false)
  }

  @Test func anAliasMayBeAKeyAndIsADuplicateLikeAnyKey() throws {
    let root = try #require(try load("a: &k name\n*k : 1\n"))
    #expect(root.mapping?.map(\.name) == ["a", "name"])
    #expect(root["name"]?.text == "1")
    let duplicate = try #require(error("&k name: 1\n*k : 2\n"))
    #expect(duplicate.diagnostic.description == "t.yaml:2:1: error: duplicate key 'name' (first defined at 1:1)")
    let aliasFirst = try #require(error("x: &k name\nm: {*k : 1, name: 2}\n"))
    #expect(aliasFirst.diagnostic.description == "t.yaml:2:13: error: duplicate key 'name' (first defined at 2:5)")
    #expect(error("s: &s [1]\nm: {*s : 1}\n")?.code == .complexKey)
  }

  @Test func nullIsPlainUntaggedAndFollowsAnAlias() throws {
    let root = try #require(try load("a: !!null ~\nb: &n ~\nc: *n\nd: '~'\ne: null\n"))
    #expect(root["a"]?.isNull == false)
    #expect(root["a"]?.scalar?.tag == "tag:yaml.org,2002:null")
    #expect(root["b"]?.isNull == true)
    #expect(root["c"]?.isNull == true)
    #expect(root["d"]?.isNull == false)
    #expect(root["e"]?.isNull == true)
  }

  @Test func emptyCollectionsAmongOthersKeepTheirPlace() throws {
    let root = try #require(try load("a: []\nb: {}\nc: [[], {x: []}, [1]]\nd: {}\n"))
    #expect(root["a"]?.sequence?.isEmpty == true)
    #expect(root["b"]?.mapping?.isEmpty == true)
    let c = try #require(root["c"]?.sequence)
    #expect(c.count == 3)
    #expect(c[0].sequence?.isEmpty == true)
    #expect(c[1]["x"]?.sequence?.isEmpty == true)
    #expect(c[2].sequence?.map(\.text) == ["1"])
    #expect(root["d"]?.mapping?.count == 0)
  }

  @Test func keysWrittenInAnotherNormalizationFormAreTheSameKey() throws {
    // "café" with a precomposed é, looked up with e and a combining accent;
    // and the Kelvin sign, which is the letter K.
    let root = try #require(try load("caf\u{E9}: 1\nK: 2\n"))
    #expect(root["cafe\u{301}"]?.text == "1")
    #expect(root["\u{212A}"]?.text == "2")
    #expect(error("K: 1\n\u{212A}: 2\n")?.code == .duplicateKey)
  }

  @Test func contentViewsFollowTheKindOfNode() throws {
    let root = try #require(try load("s: text\nl: [a, b]\nm: {k: v}\nn:\n"))
    guard case .scalar(let scalar) = try #require(root["s"]).content else {
      Issue.record("a scalar's content is not a scalar")
      return
    }
    #expect(scalar.value == "text")
    guard case .sequence(let items) = try #require(root["l"]).content else {
      Issue.record("a sequence's content is not a sequence")
      return
    }
    #expect(items.map(\.text) == ["a", "b"])
    guard case .mapping(let pairs) = try #require(root["m"]).content else {
      Issue.record("a mapping's content is not a mapping")
      return
    }
    #expect(pairs.map(\.name) == ["k"])
    #expect(root["s"]?.items.isEmpty == true)
    #expect(root["s"]?.itemsOrSelf.map(\.text) == ["text"])
    #expect(root["l"]?.itemsOrSelf.map(\.text) == ["a", "b"])
    #expect(root["n"]?.isNull == true)
    #expect(root["n"]?.kindDescription == "null")
    #expect(root.kindDescription == "a mapping")
    #expect(root["l"]?.text == nil)
    #expect(root["missing"] == nil)
  }

  /// A document as a test builds it, to compare with the tree read back.
  indirect enum Model: Equatable {
    case scalar(String)
    case sequence([Model])
    case mapping([String], [Model])

    static func random(depth: Int, using generator: inout SeededGenerator) -> Model {
      let words = ["a", "bb", "c-d", "e_1", "long-enough-to-leave-small-strings", "x", "18", "yes"]
      let kind = depth == 0 ? 0 : Int.random(in: 0..<3, using: &generator)
      switch kind {
      case 0: return .scalar(words.randomElement(using: &generator) ?? "a")
      case 1:
        return .sequence(
          (0..<Int.random(in: 0..<6, using: &generator)).map { _ in random(depth: depth - 1, using: &generator) })
      default:
        // From one key to more than enough for the large-mapping key index.
        let count = Int.random(in: 0..<3, using: &generator) == 0 ? 20 : Int.random(in: 1..<5, using: &generator)
        return .mapping(
          (0..<count).map { "k\($0)" }, (0..<count).map { _ in random(depth: depth - 1, using: &generator) })
      }
    }

    /// Flow style, which nests at any depth on one line.
    var flow: String {
      switch self {
      case .scalar(let text): return "'\(text)'"
      case .sequence(let items): return "[" + items.map(\.flow).joined(separator: ", ") + "]"
      case .mapping(let keys, let values):
        return "{" + zip(keys, values).map { "\($0): \($1.flow)" }.joined(separator: ", ") + "}"
      }
    }

    init(_ node: Node) {
      switch node.content {
      case .scalar(let scalar): self = .scalar(scalar.value)
      case .sequence(let items): self = .sequence(items.map(Model.init))
      case .mapping(let pairs): self = .mapping(pairs.map(\.name), pairs.map { Model($0.value) })
      }
    }
  }

  @Test func treesReadBackAsTheDocumentsTheyWereWrittenFrom() throws {
    var generator = SeededGenerator(seed: 20_261_122)
    for _ in 0..<300 {
      let model = Model.random(depth: Int.random(in: 0..<5, using: &generator), using: &generator)
      let root = try #require(try load("top: " + model.flow + "\nafter: [end]\n"))
      #expect(root["top"].map(Model.init) == model)
      #expect(root["after"]?.sequence?.first?.text == "end")
    }
  }

  // MARK: - Errors

  @Test func malformedYAMLIsReportedWithLocationLineAndCaret() throws {
    let failure = try #require(error("a: 1\nb: [1, 2\nc: 3\n"))
    #expect(failure.code == .syntax)
    #expect(failure.diagnostic.location.file == "t.yaml")
    #expect(failure.diagnostic.location.line == 2)
    #expect(failure.diagnostic.message == "invalid YAML: this list is never closed: add the closing ']'")
    #expect(
      failure.diagnostic.rendered() == """
        t.yaml:2:4: error: \(failure.diagnostic.message)
        b: [1, 2
           ^
        """)
  }

  @Test func aTabIndentationIsASyntaxError() throws {
    let failure = try #require(error("a:\n\tb: 1\n"))
    #expect(failure.code == .syntax)
    #expect(
      failure.diagnostic.description == "t.yaml:2:1: error: invalid YAML: a tab cannot indent YAML; indent with spaces")
  }

  @Test func anUnclosedQuoteIsReportedWhereItOpens() throws {
    let failure = try #require(error("a: 1\nb: \"open\nc: 3\n"))
    #expect(
      failure.diagnostic.description
        == "t.yaml:2:4: error: invalid YAML: this quoted text is never closed: add the closing quote")
  }

  @Test func duplicateKeysAreAnErrorAtTheSecondKey() throws {
    let failure = try #require(error("title: a\nid: b\ntitle: c\n"))
    #expect(failure.code == .duplicateKey)
    #expect(failure.diagnostic.description == "t.yaml:3:1: error: duplicate key 'title' (first defined at 1:1)")
  }

  @Test func duplicateKeysAreFoundInLargeMappingsToo() throws {
    let keys = (0..<40).map { "k\($0): \($0)" }.joined(separator: "\n")
    let failure = try #require(error(keys + "\nk7: again\n"))
    #expect(failure.diagnostic.description == "t.yaml:41:1: error: duplicate key 'k7' (first defined at 8:1)")
  }

  @Test func aBillionLaughsIsRefusedQuickly() throws {
    var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    for level in 1...9 {
      let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
      text += "a\(level): &a\(level) [\(refs)]\n"
    }
    let failure = try #require(error(text))
    #expect(failure.code == .aliasLimit)
    #expect(failure.diagnostic.message.hasPrefix("aliases expand to more than 10000 nodes"))
    #expect(failure.diagnostic.location.line == 4)
  }

  @Test func deepNestingIsRefused() throws {
    let text = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
    let failure = try #require(error(text))
    #expect(failure.code == .depthLimit)
    #expect(failure.diagnostic.description == "t.yaml:1:65: error: collections nest more than 64 levels deep")
  }

  @Test func oversizeInputIsRefusedBeforeParsing() throws {
    let failure = try #require(error("a: 1\n", limits: YAMLLimits(maxBytes: 4)))
    #expect(failure.code == .sizeLimit)
    #expect(failure.diagnostic.description == "t.yaml:1:1: error: file is 5 bytes, more than the limit of 4 bytes")
  }

  @Test func nulBytesAreRefusedAtTheirLocation() throws {
    let source = SourceText(name: "n.yaml", bytes: Array("a: 1\nb: x".utf8) + [0] + Array("y\n".utf8))
    #expect(throws: YAMLError.self) { try YAML.load(source) }
    do {
      _ = try YAML.load(source)
    } catch {
      #expect(error.code == .nulByte)
      #expect(error.diagnostic.description == "n.yaml:2:5: error: NUL byte in the file; definitions must be text")
    }
  }

  @Test func invalidUTF8IsRefusedAtItsLocation() throws {
    for bad: [UInt8] in [[0xFF], [0xC3], [0xE2, 0x28, 0xA1], [0xED, 0xA0, 0x80], [0xC0, 0xAF]] {
      let source = SourceText(name: "u.yaml", bytes: Array("a: é\nb: ".utf8) + bad + Array(" z\n".utf8))
      do {
        _ = try YAML.load(source)
        Issue.record("accepted \(bad)")
      } catch {
        #expect(error.code == .invalidUTF8)
        #expect(error.diagnostic.location.line == 2)
        #expect(error.diagnostic.location.column == 4)
      }
    }
  }

  @Test func undefinedAndSelfReferencingAliasesAreErrors() throws {
    #expect(error("a: *nope\n")?.code == .undefinedAlias)
    #expect(error("a: &x [1, *x]\n")?.code == .undefinedAlias)
  }

  @Test func complexKeysAndSecondDocumentsAreErrors() throws {
    #expect(error("? [a, b]\n: 1\n")?.code == .complexKey)
    let second = try #require(error("a: 1\n---\nb: 2\n"))
    #expect(second.code == .multipleDocuments)
    #expect(second.diagnostic.location.line == 2)
  }

  @Test func arbitraryBytesNeverCrash() {
    var generator = SeededGenerator(seed: 20_261_121)
    let alphabet = Array("ab:- \n\t[]{},&*!|>'\"#?%@`\\".utf8) + [0xC3, 0xA9, 0xFF]
    for _ in 0..<2_000 {
      let length = Int.random(in: 0..<64, using: &generator)
      let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator) ?? 0 }
      _ = try? YAML.load(SourceText(name: "r.yaml", bytes: bytes))
    }
  }

  @Test func countEventsScansWithoutBuilding() {
    // stream, document, mapping, "a", sequence, "1", "2", and the three ends
    #expect(YAML.countEvents(Array("a: [1, 2]\n".utf8)) == 11)
    #expect(YAML.countEvents(Array("a: [1\n".utf8)) == nil)
  }
}

struct DiagnosticRenderingTests {
  @Test func rendersLineAndCaretAndKeepsTabs() {
    let source = SourceText(name: "w.yaml", text: "a:\n\tbad: x\n")
    let diagnostic = source.diagnostic(at: SourceLocation(file: "w.yaml", line: 2, column: 3), "something")
    #expect(diagnostic.rendered() == "w.yaml:2:3: error: something\n\tbad: x\n\t ^")
  }

  @Test func rendersNotesAndColor() {
    let diagnostic = Diagnostic(
      .warning, at: SourceLocation(file: "f", line: 1, column: 1), "careful", sourceLine: "x", notes: ["why"])
    #expect(diagnostic.rendered() == "f:1:1: warning: careful\nx\n^\nnote: why")
    #expect(diagnostic.rendered(color: true).contains("\u{1B}[1;35mwarning:"))
  }

  @Test func quotesLinesEndedByCROrCRLF() throws {
    for breakBytes in ["\r", "\r\n"] {
      let text = ["a: 1", "b: [1, 2", "c: 3"].joined(separator: breakBytes) + breakBytes
      do {
        _ = try YAML.load(text, name: "t.yaml")
        Issue.record("accepted an unclosed list")
      } catch {
        #expect(
          error.diagnostic.rendered()
            == "t.yaml:2:4: error: invalid YAML: this list is never closed: add the closing ']'\nb: [1, 2\n   ^")
      }
    }
  }

  @Test func locatesByteOffsets() {
    let source = SourceText(name: "s", text: "ab\né x\n")
    #expect(source.location(ofByte: 0) == SourceLocation(file: "s", line: 1, column: 1))
    #expect(source.location(ofByte: 6) == SourceLocation(file: "s", line: 2, column: 3))
    #expect(source.line(2) == "é x")
    #expect(source.line(9) == nil)
  }
}

/// Inputs the fuzz target of the loader found (Tests/Fuzz, docs/TESTING.md):
/// every location must be one the file has, and quote the line it names.
struct FuzzFoundLocationTests {
  @Test func anErrorAtTheEndOfAFileWithoutALineBreakIsOnItsLastLine() throws {
    // libyaml ends the last line itself and marks the end of the stream on
    // a line the file does not have: the error was reported at 2:1.
    for (text, line) in [("[", "["), ("a: 1\nb: [1, 2", "b: [1, 2")] {
      do {
        _ = try YAML.load(text, name: "t.yaml")
        Issue.record("accepted \(text)")
      } catch {
        let lines = text.split(separator: "\n").count
        #expect(error.diagnostic.location.line == lines, "\(text)")
        #expect(error.diagnostic.sourceLine == line, "\(text)")
      }
    }
  }

  @Test func anEmptyNodeAtTheEndOfAFileWithoutALineBreakIsOnItsLastLine() throws {
    // "?" with no key after it: the key, an empty node, was put on line 3 of a two-line file.
    let root = try #require(try YAML.load("\n?", name: "t.yaml").root)
    let key = try #require(root.mapping?.first?.key)
    #expect(key.isNull)
    #expect(key.location == SourceLocation(file: "t.yaml", line: 2, column: 2))
  }

  @Test func nextLineAndTheUnicodeSeparatorsEndLinesAsLibyamlCountsThem() throws {
    // libyaml counts U+0085, U+2028 and U+2029 as line breaks (YAML 1.1): an
    // error after one was put on a line past the end of the file.
    for separator in ["\u{85}", "\u{2028}", "\u{2029}"] {
      let text = "a: 1" + separator + "b: [1, 2\n"
      do {
        _ = try YAML.load(text, name: "t.yaml")
        Issue.record("accepted an unclosed list after \(separator.unicodeScalars.first?.value ?? 0)")
      } catch {
        #expect(
          error.diagnostic.rendered()
            == "t.yaml:2:4: error: invalid YAML: this list is never closed: add the closing ']'\nb: [1, 2\n   ^")
      }
      let source = SourceText(name: "s", text: "ab" + separator + "c")
      #expect(source.line(1) == "ab")
      #expect(source.line(2) == "c")
      #expect(source.location(ofByte: source.bytes.count - 1) == SourceLocation(file: "s", line: 2, column: 1))
    }
  }
}

struct ByteOrderMarkTests {
  @Test func aUTF8ByteOrderMarkIsSkippedAndColumnsStayAsEditorsShowThem() throws {
    let source = SourceText(name: "b.yaml", bytes: [0xEF, 0xBB, 0xBF] + Array("a: [1, x]\n".utf8))
    let root = try #require(try YAML.load(source).root)
    #expect(root["a"]?.sequence?.map(\.location.column) == [5, 8])
  }
}
