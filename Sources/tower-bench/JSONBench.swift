import Foundation
import TowerCore

/// Every place Tower reads a JSON document into a `JSONValue`, on the inputs it really gets
/// there: the webhook bodies (intake, then the router), the model's stream events and tool
/// input, the services' API answers. Each is timed four ways: `JSONDecoder` with the decoding
/// order `JSONValue` had before (Bool, Double, String, array, object, each tried with `try?`),
/// `JSONDecoder` with today's order (still the path inside other `Codable` types),
/// `JSONValue.parse` (``JSONReader``), and the listener's `JSONReader.members`.
func jsonBench() throws {
    let root = URL(fileURLWithPath: option("--fixtures", "Tests"))
    func file(_ path: String) throws -> Data { try Data(contentsOf: root.appendingPathComponent(path)) }
    let stream = String(decoding: try file("TowerLLMTests/Fixtures/stream.tool_use.sse.txt"), as: UTF8.self)
        .split(separator: "\n").filter { $0.hasPrefix("data: ") }.map { Data($0.dropFirst(6).utf8) }
    let toolInput = stream.compactMap { line -> String? in
        guard let event = try? JSONValue.parse(line), let delta = event["delta"], delta["type"]?.string == "input_json_delta" else { return nil }
        return delta["partial_json"]?.string
    }.joined()
    let form = String(decoding: try file("TowerWebhooksTests/Fixtures/slack/block_actions.form.txt"), as: UTF8.self)
    let interaction = form.split(separator: "&").first { $0.hasPrefix("payload=") }.map { Data(String($0.dropFirst(8)).replacingOccurrences(of: "+", with: " ").removingPercentEncoding!.utf8) } ?? Data()
    let inputs: [(site: String, data: Data)] = [
        ("webhook github issue_comment", try file("TowerWebhooksTests/Fixtures/github/issue_comment.created.json")),
        ("webhook github workflow_run", try file("TowerWebhooksTests/Fixtures/github/workflow_run.completed.failure.json")),
        ("webhook jira issue_created", try file("TowerWebhooksTests/Fixtures/jira/issue_created.json")),
        ("webhook sentry event_alert", try file("TowerWebhooksTests/Fixtures/sentry/webhook.event_alert.triggered.json")),
        ("webhook slack interaction", interaction),
        ("anthropic stream events (\(stream.count))", Data()),
        ("anthropic tool input", Data(toolInput.utf8)),
        ("sentry latest event (API)", try file("TowerServicesTests/Fixtures/api.issue_event.latest.json")),
        ("slack chat.postMessage", Data(#"{"ok":true,"channel":"C123ABC456","ts":"1503435956.000247","message":{"text":"Here's a message for you","username":"ecto1","bot_id":"B123ABC456","type":"message","subtype":"bot_message","ts":"1503435956.000247"}}"#.utf8)),
    ]
    print("JSON reads, microseconds per document (median of runs), before → after")
    print("site".padding(toLength: 36, withPad: " ", startingAt: 0) + "   bytes   decoder-before   decoder-now   parse   members")
    for (site, data) in inputs {
        let documents = data.isEmpty ? stream : [data]
        let bytes = documents.map(\.count).reduce(0, +)
        func time(_ body: (Data) throws -> Void) rethrows -> Double {
            let rounds = max(20, 2_000_000 / max(bytes, 1) / 10)
            var samples: [Double] = []
            for _ in 0..<7 {
                let start = DispatchTime.now().uptimeNanoseconds
                for _ in 0..<rounds { for document in documents { try body(document) } }
                samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1000 / Double(rounds))
            }
            return percentile(samples, 0.5)
        }
        let before = try time { _ = try JSONDecoder().decode(LegacyJSONValue.self, from: $0) }
        let now = try time { _ = try JSONDecoder().decode(JSONValue.self, from: $0) }
        let parse = try time { _ = try JSONValue.parse($0) }
        let members = time { _ = JSONReader.members($0, ["action", "webhookEvent"]) }
        print(
            site.padding(toLength: 36, withPad: " ", startingAt: 0)
                + String(format: " %7d %16.1f %13.1f %7.1f %9.1f   (%.0fx)", bytes, before, now, parse, members, before / parse))
    }
}

/// `JSONValue`'s decoding as it was before ``JSONReader``: the baseline of the figures above.
private enum LegacyJSONValue: Decodable {
    case null, bool(Bool), number(Double), string(String), array([LegacyJSONValue]), object([String: LegacyJSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([LegacyJSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: LegacyJSONValue].self))
        }
    }
}
