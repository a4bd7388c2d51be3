// The fuzz target of the expression language: the input is the text of a
// condition, parsed, type-checked against the shipped workflow's steps (with
// every area) and a few short names of every type, and, when it checks,
// evaluated on ordinary answers, on extreme ones and on none. An error must
// point inside the text, and a value must have the type the checker gave.
import Mesoflow
import MesoflowFuzzSupport

enum FuzzExpressions {
  /// Short names of every answer type, easy for the fuzzer to write.
  static let shortNames: [String: ExpressionEnvironment.Symbol] = [
    "b": .init(type: .bool), "n": .init(type: .number), "s": .init(type: .string), "d": .init(type: .date),
    "c": .init(type: .string, options: ["a", "b", "c-d"]),
    "m": .init(type: .list(.string), options: ["a", "b", "c-d"]),
    "cn": .init(type: .consent), "p": .init(type: .product),
  ]

  static let environment: ExpressionEnvironment = {
    var environment = Shipped.environment
    environment.symbols.merge(shortNames) { shipped, _ in shipped }
    return environment
  }()

  static func date(_ year: Int, _ month: Int, _ day: Int) -> CalendarDate {
    CalendarDate(year: year, month: month, day: day) ?? Shipped.today
  }

  /// An answer of `symbol`'s type; `extreme` picks the ends of each range.
  static func value(_ symbol: ExpressionEnvironment.Symbol, extreme: Bool) -> Value {
    let day = extreme ? date(1, 1, 1) : date(1990, 6, 15)
    switch symbol.type {
    case .bool: return .bool(!extreme)
    case .number: return .number(extreme ? -Double.greatestFiniteMagnitude : 34)
    case .string: return .string(symbol.options?.last ?? (extreme ? "" : "text"))
    case .duration: return .duration(TimeSpan(seconds: extreme ? Int.min : 3600))
    case .date: return .date(extreme ? date(9999, 12, 31) : day)
    case .list(let item):
      if let options = symbol.options {
        return .list(extreme ? options.map(Value.string) : options.prefix(1).map(Value.string))
      }
      return .list(extreme ? [] : [value(.init(type: item), extreme: false)])
    case .consent: return .consent(signedBy: extreme ? "" : "Jane Doe", signedAt: day)
    case .product: return .product(name: "Product", lot: "A1", expiry: extreme ? date(9999, 12, 31) : day)
    }
  }

  static let ordinary = environment.symbols.mapValues { value($0, extreme: false) }
  static let extreme = environment.symbols.mapValues { value($0, extreme: true) }

  static let contexts: [EvaluationContext] = [
    EvaluationContext(today: Shipped.today, answers: ordinary),
    EvaluationContext(today: date(9999, 12, 31), answers: extreme),
    EvaluationContext(today: date(1, 1, 1), answers: extreme),
    EvaluationContext(today: Shipped.today, answers: [:]),
  ]

  static func run(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    let length = text.unicodeScalars.count
    let expression: Expression
    do {
      expression = try Expression.parse(text)
    } catch {
      FuzzInput.require(error.offset >= 0 && error.offset <= length, "a syntax error at \(error.offset) of \(length)")
      return
    }
    _ = expression.references
    let type: ValueType
    do {
      type = try expression.typeCheck(in: environment)
    } catch {
      FuzzInput.require(error.offset >= 0 && error.offset <= length, "a type error at \(error.offset) of \(length)")
      return
    }
    for context in contexts {
      guard let value = expression.evaluate(in: context) else { continue }
      if case .list(let items) = value, items.isEmpty { continue }
      FuzzInput.require(value.type == type, "'\(text)' checks as \(type) but evaluates to \(value)")
    }
  }
}

#if MESOFLOW_FUZZING
  /// libFuzzer's entry point: one input.
  @_cdecl("LLVMFuzzerTestOneInput")
  func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzExpressions.run(FuzzInput.bytes(data, size))
    return 0
  }

  /// The program's main in the fuzz build: SwiftPM links an executable
  /// target's main under the name `TARGET_main`.
  @_cdecl("FuzzExpressions_main")
  func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv, fuzzerTestOneInput)
  }
#else
  @main
  enum Replay {
    static func main() { FuzzReplay.main("mesoflow-fuzz-expressions", FuzzExpressions.run) }
  }
#endif
