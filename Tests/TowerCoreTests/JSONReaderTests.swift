import Foundation
import Testing
import TowerTestSupport

@testable import TowerCore

/// ``JSONReader`` against what nobody here wrote: Foundation's `JSONDecoder` and
/// `JSONSerialization` on the services' real payloads, the grammar's edges, and tens of
/// thousands of mutated payloads (it must never trap, and must agree with Foundation on what
/// is JSON).
@Suite struct JSONReaderTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TowerWebhooksTests/Fixtures")

    static func payloads() throws -> [(name: String, bytes: [UInt8])] {
        let files = try #require(FileManager.default.enumerator(atPath: fixtures.path)).compactMap { $0 as? String }.filter { $0.hasSuffix(".json") }.sorted()
        return try files.map { ($0, [UInt8](try Data(contentsOf: fixtures.appendingPathComponent($0)))) }
    }

    @Test func everyRealPayloadReadsAsJSONDecoderReadsIt() throws {
        let payloads = try Self.payloads()
        #expect(payloads.count >= 10)
        for (name, bytes) in payloads {
            let expected = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
            #expect(JSONReader.parse(bytes) == expected, "\(name)")
        }
    }

    @Test func theGrammarsEdges() throws {
        let valid: [(String, JSONValue)] = [
            ("0", 0), ("-0", 0), ("1.5e3", 1500), ("-1E-2", -0.01), ("1e+2", 100), (" true ", true), ("false", false), ("null", nil),
            (#""""#, ""), (#""a\"b\\c\/d\b\f\n\r\t""#, "a\"b\\c/d\u{8}\u{C}\n\r\t"), (#""\u00e9\u20AC""#, "é€"),
            (#""\ud83d\ude00""#, "😀"), (#""\ud800x""#, "\u{FFFD}x"), (#""\udc00""#, "\u{FFFD}"), ("\"é\"", "é"),
            ("[]", []), ("{}", [:]), (#"[1, [2, {"a": [3]}]]"#, [1, [2, ["a": [3]]]]), (#"{"a":1,"a":2}"#, ["a": 2]),
            ("\t\r\n[ 1 ,\n2 ]\n", [1, 2]),
        ]
        for (text, value) in valid { #expect(try JSONValue.parse(text) == value, "\(text)") }
        let invalid = [
            "", " ", "01", "1.", ".5", "-", "+1", "1e", "1e+", "--1", "0x10", "1e999", "-1e999", "NaN", "Infinity", "tru", "nul", "True",
            #""abc"#, #""a\x""#, #""\u12G4""#, #""\u12""#, "\"a\u{1}b\"", "\"tab\there\"", "[1,]", "[,1]", "[1 2]", #"{"a"}"#, #"{"a":}"#,
            #"{"a":1,}"#, #"{a:1}"#, "{1:2}", "[", "]", "{", "}", "[1]]", "1 2", #"{"a":1}x"#, "'a'",
        ]
        for text in invalid { #expect(JSONReader.parse(Array(text.utf8)) == nil, "\(text)") }
        // Bytes that are not UTF-8 inside a string: refused, as JSONDecoder refuses them.
        for bytes: [UInt8] in [[0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x5B, 0x22, 0xC0, 0xAF, 0x22, 0x5D]] {
            #expect(JSONReader.parse(bytes) == nil)
            #expect((try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))) == nil)
        }
        let error = try #require(JSONReader.parseOrFail(Array(#"{"a": [1, 2,, 3]}"#.utf8)).failure)
        #expect(error.offset == 12 && "\(error)".contains("byte 12"))
    }

    /// The reader's own UTF-8 check against the standard library's, on 200,000 random byte runs
    /// biased toward the edges (lead bytes, continuations, surrogates, past U+10FFFF).
    @Test func utf8ValidationAgreesWithTheStandardLibrary() {
        var rng = SplitMix64(state: UInt64(Date().timeIntervalSince1970))
        let interesting: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xA0, 0x9F, 0xED, 0xEF, 0xF0, 0x90, 0x8F, 0xF4, 0xF5, 0xFF]
        for _ in 0..<200_000 {
            let bytes = (0..<Int.random(in: 0...6, using: &rng)).map { _ in
                Bool.random(using: &rng) ? interesting.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng)
            }
            bytes.withUnsafeBufferPointer { buffer in
                #expect(UTF8Text.isValid(buffer) == (String(validating: buffer, as: UTF8.self) != nil), "\(bytes)")
            }
        }
    }

    @Test func nestingIsBoundedAndDeepInputDoesNotExhaustTheStack() {
        let limit = JSONReader.maximumDepth
        #expect(JSONReader.parse(Array((String(repeating: "[", count: limit) + String(repeating: "]", count: limit)).utf8)) != nil)
        #expect(JSONReader.parse(Array((String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)).utf8)) == nil)
        #expect(JSONReader.parse(Array(String(repeating: "[", count: 1_000_000).utf8)) == nil)
        #expect(JSONReader.parse(Array(String(repeating: #"{"a":"#, count: 200_000).utf8)) == nil)
        #expect(JSONReader.members(Array((#"{"x":"# + String(repeating: "[", count: 100_000)).utf8), ["a"]) == nil)
    }

    @Test func membersReadsOnlyTheNamedMembersButChecksTheWholeDocument() throws {
        let body = try #require(Self.payloads().first { $0.name == "github/issue_comment.created.json" }).bytes
        let members = try #require(JSONReader.members(body, ["action", "absent"]))
        #expect(members == ["action": "created"])
        #expect(JSONReader.members(Array(#"{"action":"x","b":[1,}"#.utf8), ["action"]) == nil)
        #expect(JSONReader.members(Array(#"{"action":"x"} "#.utf8), ["action"]) == ["action": "x"])
        #expect(JSONReader.members(Array(#"["action"]"#.utf8), ["action"]) == nil)
        #expect(JSONReader.members(Array(#"{"action":"x"}{"#.utf8), ["action"]) == nil)
        #expect(JSONReader.members(Array("{\"a\":\"\u{FF}\"}".utf8), []) != nil)
        #expect(JSONReader.members([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D], []) == nil)
    }

    /// Random values written by JSONEncoder read back equal.
    @Test func whatJSONEncoderWritesReadsBackEqual() throws {
        let seed = UInt64(Date().timeIntervalSince1970)
        print("JSONReader round-trip seed \(seed)")
        var rng = SplitMix64(state: seed)
        func value(_ depth: Int) -> JSONValue {
            switch Int.random(in: 0..<(depth > 4 ? 4 : 6), using: &rng) {
            case 0: return nil
            case 1: return .bool(Bool.random(using: &rng))
            case 2: return .number([0, -1, 1e300, Double.leastNonzeroMagnitude, 123456789.125, Double(Int32.random(in: .min ... .max, using: &rng))].randomElement(using: &rng)!)
            case 3: return .string(String((0..<Int.random(in: 0..<12, using: &rng)).map { _ in ["a", "\"", "\\", "\n", "\u{0}", "é", "😀", "\u{7F}", "/"].randomElement(using: &rng)! }))
            case 4: return .array((0..<Int.random(in: 0..<5, using: &rng)).map { _ in value(depth + 1) })
            default: return .object(Dictionary((0..<Int.random(in: 0..<5, using: &rng)).map { _ in ("k\(Int.random(in: 0..<8, using: &rng))", value(depth + 1)) }, uniquingKeysWith: { first, _ in first }))
            }
        }
        for _ in 0..<3_000 {
            let original = value(0)
            let data = try JSONEncoder().encode(original)
            #expect(JSONReader.parse(data) == original, "\(String(decoding: data, as: UTF8.self))")
        }
    }

    /// The property test beside the libFuzzer target (scripts/fuzz): mutations of the real
    /// payloads. None traps, and each is JSON to the reader exactly when it is to Python's
    /// `json` module, which nobody here wrote (RFC 8259 as it reads it: no trailing commas, no
    /// NaN, no control characters in strings, strict UTF-8; numbers past a Double refused, as
    /// here). Foundation's `JSONDecoder` is no judge of this: it takes trailing commas.
    @Test func mutatedPayloadsNeverTrapAndAreJSONExactlyWhenPythonSaysSo() throws {
        let seed = UInt64(Date().timeIntervalSince1970)
        print("JSONReader mutation seed \(seed)")
        var rng = SplitMix64(state: seed)
        let payloads = try Self.payloads().map(\.bytes)
        let inputs = (0..<6_000).map { _ in ByteMutations.mutate(payloads.randomElement(using: &rng)!, &rng) }
        let ours = inputs.map { JSONReader.parse($0) != nil }
        let python = try Self.pythonVerdicts(inputs)
        let disagreements = inputs.indices.filter { ours[$0] != python[$0] }
        for index in disagreements.prefix(5) {
            Issue.record("reader \(ours[index]), Python \(python[index]): \(String(decoding: inputs[index].prefix(400), as: UTF8.self))")
        }
        print("JSONReader: \(ours.filter { $0 }.count) of \(inputs.count) mutated payloads were still JSON; \(disagreements.count) disagreements with Python")
        #expect(ours.filter { $0 }.count > 500)
    }

    /// Python's verdict on each input: is it one JSON document?
    static func pythonVerdicts(_ inputs: [[UInt8]]) throws -> [Bool] {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("json-oracle-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        var framed = Data()
        for input in inputs {
            withUnsafeBytes(of: UInt32(input.count).bigEndian) { framed.append(contentsOf: $0) }
            framed.append(contentsOf: input)
        }
        try framed.write(to: file)
        let script = """
            import json, math, struct, sys
            def number(text):
                value = float(text)
                if not math.isfinite(value): raise ValueError("out of range")
                return value
            def constant(name): raise ValueError(name)
            data = open(sys.argv[1], "rb").read(); at = 0; out = []
            while at < len(data):
                (n,) = struct.unpack(">I", data[at:at + 4]); chunk = data[at + 4:at + 4 + n]; at += 4 + n
                try:
                    json.loads(chunk.decode("utf-8"), parse_float=number, parse_int=number, parse_constant=constant)
                    out.append("Y")
                except (ValueError, RecursionError, OverflowError):
                    out.append("N")
            print("".join(out))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, file.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let verdicts = String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).map { $0 == "Y" }
        try #require(verdicts.count == inputs.count, "python3 answered \(verdicts.count) of \(inputs.count)")
        return verdicts
    }
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
