import Mesoflow
import Testing

struct ExpressionTests {
  let environment = ExpressionEnvironment(symbols: [
    "age": .init(type: .number),
    "pregnant": .init(type: .bool),
    "skin_type": .init(type: .string, options: ["i", "ii", "v", "vi"]),
    "allergies": .init(type: .list(.string), options: ["fish", "vitamins"]),
    "fish-allergy": .init(type: .bool),
    "birth": .init(type: .date),
    "product": .init(type: .product),
    "consent": .init(type: .consent),
    "wait_time": .init(type: .duration),
    "notes": .init(type: .string),
  ])

  func type(_ text: String) throws -> ValueType {
    try Expression.parse(text).typeCheck(in: environment)
  }

  /// The error for `text`, as `OFFSET: MESSAGE`.
  func failure(_ text: String) -> String? {
    do {
      _ = try type(text)
      return nil
    } catch let error as ExpressionError {
      return error.description
    } catch {
      return "unexpected \(error)"
    }
  }

  // MARK: - Parsing and types

  @Test func typesOfWellFormedExpressions() throws {
    #expect(try type("age < 18") == .bool)
    #expect(try type("not pregnant and age >= 18 or false") == .bool)
    #expect(try type("skin_type in [\"v\", \"vi\"]") == .bool)
    #expect(try type("contains(allergies, \"fish\")") == .bool)
    #expect(try type("\"fish\" not in allergies") == .bool)
    #expect(try type("fish-allergy") == .bool)
    #expect(try type("age - 1") == .number)
    #expect(try type("(age + 2) * 3 / 4") == .number)
    #expect(try type("-age") == .number)
    #expect(try type("years_since(birth)") == .number)
    #expect(try type("days_since(product.expiry) > 0") == .bool)
    #expect(try type("product.expiry < 2026-01-31") == .bool)
    #expect(try type("today() - birth") == .duration)
    #expect(try type("birth + 2w") == .date)
    #expect(try type("wait_time >= 1h30m") == .bool)
    #expect(try type("2 * wait_time") == .duration)
    #expect(try type("consent.signed_by != \"\"") == .bool)
    #expect(try type("count(allergies) == 0") == .bool)
    #expect(try type("answered(notes)") == .bool)
    #expect(try type("'single' == notes") == .bool)
  }

  @Test func referencesListEachStepOnceInOrder() throws {
    #expect(try Expression.parse("age < 18 or pregnant and age > 60").references == ["age", "pregnant"])
  }

  @Test func typeErrorsPointInsideTheExpression() {
    #expect(failure("age < \"18\"") == "6: cannot compare number with string")
    #expect(failure("pregnant == 1") == "12: cannot compare bool with number")
    #expect(failure("agee < 18") == "0: unknown step 'agee' (did you mean 'age'?)")
    #expect(failure("pregnant and age") == "13: 'and' needs a bool on each side, found number")
    #expect(failure("not age") == "4: 'not' needs a bool, found number")
    #expect(failure("skin_type == \"vii\"") == "13: 'vii' is not an option of 'skin_type'; options: i, ii, v, vi")
    #expect(failure("skin_type in [\"v\", \"x\"]") == "19: 'x' is not an option of 'skin_type'; options: i, ii, v, vi")
    #expect(
      failure("\"salmon\" in allergies") == "0: 'salmon' is not an option of 'allergies'; options: fish, vitamins")
    #expect(failure("age in allergies") == "0: cannot look for a number in a list(string)")
    #expect(failure("age in 3") == "7: expected a list here, found number")
    #expect(failure("notes < \"b\"") == "6: '<' orders numbers, durations and dates, not string")
    #expect(failure("notes + 1") == "6: cannot add string and number with '+'")
    #expect(failure("[1, \"a\"] == [1]") == "4: all items of a list must have one type: string among number items")
    #expect(failure("[] == [1]") == "0: an empty list has no item type; list at least one item")
    #expect(
      failure("product.lott")
        == "8: a product has no field 'lott' (did you mean 'lot'?); its fields are expiry, lot, name")
    #expect(failure("age.x") == "4: a number has no fields")
    #expect(failure("days_since(age)") == "11: days_since needs a date, found number")
    #expect(failure("days_since()") == "0: days_since takes 1 argument, given 0")
    #expect(failure("answered(1)") == "9: answered needs the id of a step")
    #expect(
      failure("day_since(birth)")?.hasPrefix("0: unknown function 'day_since' (did you mean 'days_since'?)") == true)
    #expect(failure("-notes") == "1: '-' needs a number or a duration, found string")
  }

  @Test func syntaxErrorsPointAtTheCharacter() {
    #expect(failure("age <") == "5: the expression ends too early; a value is missing")
    #expect(failure("") == "0: empty expression")
    #expect(failure("age = 18") == "4: '=' is not an operator; write '==' to compare")
    #expect(failure("age && pregnant") == "4: '&' is not an operator; write 'and'")
    #expect(failure("notes == \"abc") == "9: unterminated string: add the closing \"")
    #expect(failure("(age < 18") == "0: this '(' is never closed: add the closing ')'")
    #expect(failure("(age < 18 18") == "10: expected ')', found number 18")
    #expect(failure("age < 1e400") == "6: '1e400' is too large a number")
    #expect(failure("age < 18 18") == "9: unexpected number 18 after the end of the expression")
    #expect(failure("1 < age < 3") == "8: comparisons cannot be chained; join them with 'and'")
    #expect(
      failure("age < 3x")
        == "6: '3x' is not a duration; write a number and a unit (s, m, h, d, w), such as 24h or 1h30m")
    #expect(failure("birth < 2026-02-30") == "8: '2026-02-30' is not a date of the calendar")
    #expect(failure("age < 1.") == "6: '1.' is not a number")
    #expect(failure("age $ 1") == "4: unexpected character '$'")
    #expect(failure("and") == "0: expected a value, found 'and'")
  }

  @Test func longChainsAreRefusedNotACrash() {
    let chain = Array(repeating: "pregnant", count: 2_000).joined(separator: " and ")
    #expect(
      failure(chain) == "3328: the expression is too long: 3999 tokens, at most 512; split it into several checks")
    let sum = Array(repeating: "1", count: 300).joined(separator: " + ") + " > age"
    #expect(failure(sum)?.contains("the expression is too long") == true)
    let fields = "product" + String(repeating: ".lot", count: 600)
    #expect(failure(fields)?.contains("the expression is too long") == true)
  }

  @Test func deepNestingIsRefusedNotACrash() {
    let deep = String(repeating: "(", count: 100) + "age" + String(repeating: ")", count: 100)
    #expect(failure(deep)?.contains("nests more than 64 levels deep") == true)
    let nots = String(repeating: "not ", count: 100) + "pregnant"
    #expect(failure(nots)?.contains("nests more than 64 levels deep") == true)
  }

  // MARK: - Evaluation

  // swift-format-ignore: NeverForceUnwrap
  let today = CalendarDate(year: 2026, month: 11, day: 21)!

  func evaluate(_ text: String, _ answers: [String: Value]) throws -> Value? {
    let expression = try Expression.parse(text)
    _ = try expression.typeCheck(in: environment)
    return expression.evaluate(in: EvaluationContext(today: today, answers: answers))
  }

  @Test func evaluatesAgainstAnswersAndTheInjectedDate() throws {
    #expect(try evaluate("age < 18", ["age": .number(17)]) == .bool(true))
    #expect(try evaluate("age < 18", ["age": .number(18)]) == .bool(false))
    #expect(try evaluate("skin_type in [\"v\", \"vi\"]", ["skin_type": .string("vi")]) == .bool(true))
    #expect(try evaluate("\"fish\" in allergies", ["allergies": .list([.string("fish")])]) == .bool(true))
    #expect(try evaluate("\"fish\" not in allergies", ["allergies": .list([])]) == .bool(true))
    #expect(try evaluate("count(allergies)", ["allergies": .list([.string("a"), .string("b")])]) == .number(2))
    let birth = CalendarDate(year: 2008, month: 11, day: 22)!
    #expect(try evaluate("years_since(birth)", ["birth": .date(birth)]) == .number(17))
    #expect(try evaluate("days_since(birth) > 6000", ["birth": .date(birth)]) == .bool(true))
    #expect(try evaluate("birth + 2w", ["birth": .date(birth)]) == .date(CalendarDate(year: 2008, month: 12, day: 6)!))
    #expect(try evaluate("today() - birth", ["birth": .date(birth)]) == .duration(.days(6573)))
    let expired = Value.product(name: "Cocktail", lot: "L1", expiry: CalendarDate(year: 2026, month: 11, day: 20)!)
    #expect(try evaluate("product.expiry < today()", ["product": expired]) == .bool(true))
    #expect(try evaluate("age / 0", ["age": .number(3)]) == nil)
    #expect(try evaluate("2 * wait_time", ["wait_time": .duration(.minutes(30))]) == .duration(.hours(1)))
  }

  @Test func unansweredStepsAreUnknownUnlessLogicDecides() throws {
    #expect(try evaluate("age < 18", [:]) == nil)
    #expect(try evaluate("pregnant or age < 18", ["pregnant": .bool(true)]) == .bool(true))
    #expect(try evaluate("age < 18 and pregnant", ["pregnant": .bool(false)]) == .bool(false))
    #expect(try evaluate("pregnant and age < 18", ["pregnant": .bool(true)]) == nil)
    #expect(try evaluate("answered(notes)", [:]) == .bool(false))
    #expect(try evaluate("not pregnant", [:]) == nil)
  }
}

struct TimeTests {
  @Test func parsesAndPrintsDurations() {
    #expect(TimeSpan("1h30m")?.seconds == 5400)
    #expect(TimeSpan("2w")?.seconds == 1_209_600)
    #expect(TimeSpan("45s")?.seconds == 45)
    #expect(TimeSpan("20 minutes") == nil)
    #expect(TimeSpan("30m1h") == nil)
    #expect(TimeSpan("1h1h") == nil)
    #expect(TimeSpan("") == nil)
    #expect(TimeSpan("h") == nil)
    #expect(TimeSpan("99999999999999999999w") == nil)
    #expect(TimeSpan(seconds: 5400).description == "1h30m")
    #expect(TimeSpan.days(10).description == "10d")
    #expect(TimeSpan.days(14).description == "2w")
    #expect(TimeRange(min: .minutes(15), max: .minutes(20)).description == "15m..20m")
  }

  @Test func calendarDatesRoundTripThroughDayNumbers() {
    for days in stride(from: -719_162, through: 2_932_896, by: 997) {
      #expect(CalendarDate(daysSinceEpoch: days)?.daysSinceEpoch == days)
    }
    #expect(CalendarDate(daysSinceEpoch: -719_162)?.description == "0001-01-01")
    #expect(CalendarDate(daysSinceEpoch: 2_932_896)?.description == "9999-12-31")
    #expect(CalendarDate(daysSinceEpoch: -719_163) == nil)
    #expect(CalendarDate(daysSinceEpoch: Int.max) == nil)
    #expect(CalendarDate(iso: "2024-02-29")?.daysSinceEpoch == 19_782)
    #expect(CalendarDate(iso: "2023-02-29") == nil)
    #expect(CalendarDate(iso: "2024-2-29") == nil)
    #expect(
      CalendarDate(year: 2000, month: 2, day: 29)?.wholeYears(until: CalendarDate(year: 2001, month: 2, day: 28)!) == 0)
  }
}

struct ExpressionOverflowTests {
  let environment = ExpressionEnvironment(symbols: ["d": .init(type: .date), "w": .init(type: .duration)])

  func evaluate(_ text: String, _ answers: [String: Value]) throws -> Value? {
    let expression = try Expression.parse(text)
    _ = try expression.typeCheck(in: environment)
    // swift-format-ignore: NeverForceUnwrap
    return expression.evaluate(
      in: EvaluationContext(today: CalendarDate(year: 2026, month: 1, day: 1)!, answers: answers))
  }

  @Test func hugeDurationsAndDatesGiveUnknownNotATrap() throws {
    let date = Value.date(CalendarDate(year: 2026, month: 1, day: 31)!)
    #expect(try evaluate("d + 15000000000000w", ["d": date]) == nil)
    #expect(try evaluate("d - 15000000000000w", ["d": date]) == nil)
    #expect(
      try evaluate("-w - 15000000000000w", ["w": .duration(TimeSpan(seconds: Int.max))])
        == .duration(TimeSpan(seconds: Int.min)))
    #expect(
      try evaluate("w + w", ["w": .duration(TimeSpan(seconds: Int.max))]) == .duration(TimeSpan(seconds: Int.max)))
    #expect(try evaluate("1e308 * 10 > 1", [:]) == .bool(true))
    #expect(TimeSpan(seconds: Int.min).description.hasPrefix("-"))
    #expect((TimeRange(exactly: TimeSpan(seconds: Int.max)) + TimeRange(exactly: .hours(1))).max.seconds == Int.max)
  }
}
