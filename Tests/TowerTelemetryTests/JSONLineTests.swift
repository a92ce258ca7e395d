import Foundation
import Logging
import Testing
import TowerTelemetry

/// `--log-format json`: each line one JSON object that a standard parser reads back, its fields
/// in a fixed order, numbers as numbers, and every configured secret hidden wherever it appears.
@Suite struct JSONLineTests {
    @Test func aLineParsesBackWithItsFieldsInOrder() throws {
        let line = JSONLine.render(
            time: Date(timeIntervalSince1970: 1_796_300_000.25), level: .info, event: "task_completed",
            metadata: [
                "duration_seconds": .stringConvertible(12.5), "tasks_completed": .stringConvertible(3), "task_id": "t-1", "trace_id": "4bf9", "span_id": "00f0",
                "ticket_id": "OPS-1", "resumed": .stringConvertible(true), "paths": .array(["a.py", "b.py"]),
            ])
        #expect(line.hasPrefix(#"{"time":"2026-12-03T"#) && line.contains(#".250Z","level":"info","event":"task_completed","task_id":"t-1","ticket_id":"OPS-1","trace_id":"4bf9","span_id":"00f0","#))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["duration_seconds"] as? Double == 12.5 && object["tasks_completed"] as? Int == 3 && object["resumed"] as? Bool == true)
        #expect(object["paths"] as? [String] == ["a.py", "b.py"])
        #expect(!line.contains("\n"))
    }

    @Test func controlCharactersQuotesAndNonASCIISurviveTheRoundTrip() throws {
        let message = "line one\nline \"two\"\t\\ é 日本 \u{1}\u{7f} \u{2028}end"
        let line = JSONLine.render(time: Date(), level: .warning, event: "agent_log", metadata: ["message": .string(message)])
        #expect(!line.contains("\n") && !line.contains("\u{2028}"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["message"] as? String == message)
        #expect(object["level"] as? String == "warning")
    }

    @Test func secretsAreHiddenInTheEventAndEveryField() throws {
        let sink = JSONLineSink(descriptor: -1, secrets: ["ghp_tst0secret_github_9f2c", "abc"])
        let line = JSONLine.render(
            time: Date(), level: .error, event: "failed with ghp_tst0secret_github_9f2c",
            metadata: [
                "message": "push to https://x:ghp_tst0secret_github_9f2c@github.com/acme/ledger failed",
                "nested": .dictionary(["token": "ghp_tst0secret_github_9f2c"]), "short": "abc stays: too short to be a secret",
            ], redact: sink.redact)
        #expect(!line.contains("tst0secret"))
        #expect(line.contains("[redacted]") && line.contains("abc stays"))
    }
}
