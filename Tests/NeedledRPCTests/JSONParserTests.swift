import NeedledRPC
import Testing

/// The hand-written JSON parser behind every request line.
@Suite("JSON parsing")
struct JSONParserTests {
    @Test("Values of every kind, with their types kept apart")
    func values() throws {
        let value = try #require(
            JSONValue.parse(
                Array(#" { "a" : [1, -2, 3.5, 1e3, -0, true, false, null, "x"], "b": {}, "c": [] } "#.utf8)))
        #expect(
            value["a"]
                == .array([
                    .int(1), .int(-2), .double(3.5), .double(1000), .int(0), .bool(true), .bool(false), .null, "x",
                ])
        )
        #expect(value["b"] == .object([]))
        #expect(value["c"] == .array([]))
        if case .int = try #require(JSONValue.parse(Array("9223372036854775807".utf8))) {
        } else {
            Issue.record("Int64.max is an integer")
        }
        #expect(JSONValue.parse(Array("9223372036854775808".utf8)) == .double(9_223_372_036_854_775_808))
    }

    @Test("Escapes, surrogate pairs and UTF-8 in strings")
    func strings() {
        #expect(JSONValue.parse(Array(#""a\"b\\c\/d\n\t\r\b\f""#.utf8)) == .string("a\"b\\c/d\n\t\r\u{08}\u{0C}"))
        #expect(JSONValue.parse(Array(#""\u00e9\u20AC\ud83d\ude00""#.utf8)) == .string("é€😀"))
        #expect(JSONValue.parse(Array("\"µm\"".utf8)) == .string("µm"))
    }

    @Test("A repeated key keeps its last value")
    func repeatedKey() {
        #expect(JSONValue.parse(Array(#"{"a":1,"a":2}"#.utf8)) == .object([("a", 2)]))
    }

    @Test(
        "Not JSON: each is refused",
        arguments: [
            "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "1.", ".5", "-", "1e", "+1", "tru",
            "nul", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud83d\"", "\"\\ud83d\\u0041\"", "[1] 2", "1e400", "NaN",
            "\"tab\there\"", "{\"a\":1}}",
        ])
    func refused(text: String) {
        #expect(JSONValue.parse(Array(text.utf8)) == nil, "accepted \(text)")
    }

    @Test("Nesting deeper than the limit is refused, not a stack overflow")
    func deepNesting() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(JSONValue.parse(Array(deep.utf8)) == nil)
        let fine = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        #expect(JSONValue.parse(Array(fine.utf8)) != nil)
    }

    @Test("Invalid UTF-8 inside a string is refused")
    func invalidUTF8() {
        #expect(JSONValue.parse([0x22, 0xC3, 0x28, 0x22]) == nil)
    }
}
