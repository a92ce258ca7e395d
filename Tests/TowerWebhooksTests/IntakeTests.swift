import Foundation
import Testing
import TowerConfig
import TowerCore
import TowerTestSupport

@testable import TowerWebhooks

/// The intake's pure parts: forms, ids, lengths and limits, on what once trapped and on
/// mutations of Slack's own bodies.
@Suite struct IntakeTests {
    @Test func formsWithEmptyPairsAndEmptyNamesParse() throws {
        #expect(FormBody(Data("&=&".utf8))?.fields == ["": ""])
        #expect(FormBody(Data("=".utf8))?.fields == ["": ""])
        #expect(FormBody(Data("&&".utf8))?.fields == [:])
        #expect(FormBody(Data("".utf8))?.fields == [:])
        #expect(FormBody(Data("a=1&&b&=x&c=%20+y&d==e".utf8))?.fields == ["a": "1", "b": "", "": "x", "c": "  y", "d": "=e"])
        #expect(FormBody(Data("a=%ZZ".utf8))?.fields == ["a": ""])
        #expect(FormBody(Data("%ZZ=1".utf8)) == nil)
        #expect(FormBody(Data([0xFF, 0x3D])) == nil)
        let many = (0..<10_000).map { "f\($0)=\($0)" }.joined(separator: "&")
        #expect(FormBody(Data(many.utf8))?.fields.count == 10_000)
    }

    /// Foundation's reading of a form, the reference the byte-level reader must agree with.
    static func foundationFields(_ body: Data) -> [String: String]? {
        guard let text = String(data: body, encoding: .utf8) else { return nil }
        func decode(_ part: Substring) -> String? { part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let name = pair.firstIndex(of: "=").map { pair[..<$0] } ?? pair[...]
            guard let decoded = decode(name) else { return nil }
            fields[decoded] = pair.firstIndex(of: "=").map { decode(pair[pair.index(after: $0)...]) ?? "" } ?? ""
        }
        return fields
    }

    /// 20,000 mutations of Slack's signed example and a button press: none traps, and each
    /// reads as Foundation's percent-decoding reads it.
    @Test func mutatedSlackFormsNeverTrapAndReadAsFoundationReadsThem() throws {
        let seed = UInt64(Date().timeIntervalSince1970)
        print("form mutation seed \(seed)")
        var rng = SplitMix64(state: seed)
        let seeds = [WebhookFixtures.data("slack/slash_command.signed-example.form.txt"), WebhookFixtures.data("slack/block_actions.form.txt")].map { [UInt8]($0) }
        #expect(seeds.allSatisfy { !$0.isEmpty })
        var parsed = 0
        for _ in 0..<20_000 {
            let body = Data(ByteMutations.mutate(seeds.randomElement(using: &rng)!, &rng))
            let form = FormBody(body)
            if form != nil { parsed += 1 }
            #expect(form?.fields == Self.foundationFields(body), "\(String(decoding: body.prefix(200), as: UTF8.self))")
            _ = Intake.decide(.slack, body: body, header: { _ in nil }, secrets: [], now: Date())
        }
        #expect(parsed > 1_000)
    }

    @Test func deliveryIdsArePrintableASCIIOfBoundedLength() {
        #expect(Intake.isDeliveryId("72d3162e-cc78-11e3-81ab-4c9367dc0958"))
        #expect(Intake.isDeliveryId("1531420618.12345.abc"))
        #expect(Intake.isDeliveryId(String(repeating: "x", count: Intake.maximumIdLength)))
        for bad in ["", "a b", "é", "a\u{0}b", "tab\there", "\u{7F}", String(repeating: "x", count: Intake.maximumIdLength + 1)] {
            #expect(!Intake.isDeliveryId(bad), "\(bad)")
        }
    }

    @Test func anyLengthOverTheCapIsOverItHoweverManyDigits() {
        #expect(Listener.exceeds("9223372036854775808", 1_000))
        #expect(Listener.exceeds("99999999999999999999999999999", 1_000))
        #expect(Listener.exceeds(" 1001 ", 1_000))
        #expect(!Listener.exceeds("1000", 1_000))
        #expect(!Listener.exceeds("0", 1_000))
        // Not a number: the HTTP parser refuses those with 400 before the route sees them.
        #expect(!Listener.exceeds("-1", 1_000) && !Listener.exceeds("", 1_000))
    }

    @Test func limitsComeFromTheConfigurationAndTheCapKeepsDescriptorsInReserve() throws {
        let config = Configuration.fixed([
            "TOWER_LISTEN_MAX_CONNECTIONS": "5000", "TOWER_LISTEN_HEAD_TIMEOUT": "2.5", "TOWER_LISTEN_BODY_TIMEOUT": "nonsense", "TOWER_SHUTDOWN_TIMEOUT": "-3",
        ])
        let limits = ListenerLimits(config, descriptorLimit: 1024)
        #expect(limits.maxConnections == 1024 - ListenerLimits.reservedDescriptors)
        #expect(limits.headTimeout == 2.5 && limits.bodyTimeout == 30 && limits.idleTimeout == 60 && limits.shutdownTimeout == 10)
        #expect(ListenerLimits(config, descriptorLimit: 1_048_576).maxConnections == 5000)
        #expect(ListenerLimits.cap(1000, descriptorLimit: 100) == 16)
        #expect(limits.summary == "at most 768 connections; head 2.5 s, body 30 s, idle 60 s, shutdown 10 s")
        #expect(ListenerLimits.raiseDescriptorLimit() >= 1024)
    }
}
