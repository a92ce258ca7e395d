import Foundation
import HTTPTypes
import Testing
import TowerCore
import TowerNet
import TowerStore
import TowerTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// `tower serve`, the real binary, attacked as someone on the internet would: forms that once
/// trapped, lengths past `Int.max`, ids that are not text, captured bodies replayed under new
/// ids, clients that send a byte at a time, and more idle connections than the process has
/// descriptors. Each must be answered or cut off, and the process must live.
@Suite(.serialized) struct HostileClientTests {
    let state = TemporaryDirectory.make("hostile").appendingPathComponent("state")
    let http = HTTPClient(policy: RetryPolicy(maxAttempts: 1), requestTimeout: 30)
    static let secrets = ["GITHUB_WEBHOOK_SECRET": "gh", "JIRA_WEBHOOK_SECRET": "jira", "SENTRY_WEBHOOK_SECRET": "sentry", "SLACK_SIGNING_SECRET": "slack"]

    /// `tower serve` on a free port with `settings`, optionally under a descriptor limit.
    func serve(_ settings: [String: String] = [:], descriptors: Int? = nil) async throws -> (server: ChildProcess, port: Int) {
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("TOWER_") || key.hasSuffix("_SECRET") || key.hasSuffix("_TOKEN") { environment[key] = nil }
        environment.merge(Self.secrets.merging(settings) { _, new in new }) { _, new in new }
        environment["HOME"] = state.deletingLastPathComponent().path
        let tower = BuiltProducts.url("tower").path
        let arguments = ["serve", "--state-dir", state.path, "--port", "0"]
        let server =
            if let descriptors {
                try ChildProcess(URL(fileURLWithPath: "/bin/sh"), ["-c", "ulimit -n \(descriptors) && exec \"$0\" \"$@\"", tower] + arguments, environment: environment)
            } else {
                try ChildProcess(URL(fileURLWithPath: tower), arguments, environment: environment)
            }
        let up = await server.waitForLines(timeout: 30) { $0.contains("listening on 127.0.0.1:") }
        #expect(up, "\(server.output.joined(separator: "\n"))\n\(server.errorOutput)")
        let line = server.output.first { $0.contains("listening on 127.0.0.1:") } ?? ""
        return (server, line.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) } ?? 0)
    }

    func post(_ port: Int, _ path: String, _ body: Data, _ headers: [String: String]) async throws -> (status: Int, body: String) {
        var fields = HTTPFields()
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        let response = try await http.send(HTTPClientRequest(method: .post, url: URL(string: "http://127.0.0.1:\(port)\(path)")!, headers: fields, body: body))
        return (response.status.code, String(decoding: response.body, as: UTF8.self))
    }

    func healthy(_ port: Int) async -> Bool {
        (try? await http.send(HTTPClientRequest(url: URL(string: "http://127.0.0.1:\(port)/healthz")!)).status.code) == 200
    }

    static func slackHeaders(_ body: Data) -> [String: String] {
        let stamp = "\(Int(Date().timeIntervalSince1970))"
        return ["X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=" + WebhookFixtures.hmac(Data("v0:\(stamp):".utf8) + body, "slack")]
    }

    static func githubHeaders(_ body: Data, id: String, event: String = "issue_comment") -> [String: String] {
        ["X-GitHub-Event": event, "X-GitHub-Delivery": id, "X-Hub-Signature-256": "sha256=" + WebhookFixtures.hmac(body, "gh"), "Content-Type": "application/json"]
    }

    /// A whole request as raw bytes, for what an HTTP library would refuse to send.
    static func rawRequest(_ path: String, _ headers: [(String, [UInt8])], body: [UInt8] = [], length: String? = nil) -> [UInt8] {
        var bytes = Array("POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(length ?? "\(body.count)")\r\n".utf8)
        for (name, value) in headers { bytes += Array("\(name): ".utf8) + value + Array("\r\n".utf8) }
        return bytes + Array("\r\n".utf8) + body
    }

    static func status(_ response: [UInt8]) -> Int? {
        let line = String(decoding: response.prefix(40), as: UTF8.self)
        return line.split(separator: " ").dropFirst().first.flatMap { Int($0) }
    }

    @Test func signedFormsWithEmptyFieldsAndTenThousandFieldsAreAnsweredAndTheProcessLives() async throws {
        let (server, port) = try await serve()
        defer { server.kill() }
        let forms = [
            "command=%2Fagent&=&text=help&trigger_id=1.1", "=", "&&", "&=&", "command=%2Fagent&&text=help&trigger_id=1.2&",
            "=&command=%2Fagent&text=list&trigger_id=1.3", "command=%2Fagent&text=%ZZ&trigger_id=1.4",
            (0..<10_000).map { "f\($0)=v\($0)" }.joined(separator: "&") + "&command=%2Fagent&text=help&trigger_id=1.5",
        ]
        for form in forms {
            let body = Data(form.utf8)
            let answer = try await post(port, "/webhooks/slack", body, Self.slackHeaders(body))
            #expect([200, 400].contains(answer.status), "\(form.prefix(60)): \(answer.status)")
            let interaction = Data(("payload=%7B%7D&" + form).utf8)
            #expect([200, 400].contains(try await post(port, "/webhooks/slack/interactions", interaction, Self.slackHeaders(interaction)).status))
        }
        #expect(server.process.isRunning)
        #expect(await healthy(port))
    }

    @Test func aLengthPastIntMaxIs413AtOnceAndIdsThatAreNotPrintableASCIIAre400() async throws {
        let (server, port) = try await serve()
        defer { server.kill() }
        for length in ["9223372036854775808", "18446744073709551616", "99999999999999999999999999"] {
            let socket = try #require(RawSocket(port: port))
            let started = Date()
            socket.send(Self.rawRequest("/webhooks/github", [("X-GitHub-Event", Array("ping".utf8))], length: length))
            let (response, closed) = await socket.receive(timeout: 10)
            // Answered without waiting for the body, and the connection closed, not drained. A
            // length past 2^64 - 1 is no number at all to the HTTP parser: 400 and closed, as
            // RFC 9112 (6.3) has it for a Content-Length that cannot be read.
            let status = Self.status(response)
            #expect(status == 413 || (status == 400 && length.count > 19), "\(length): \(String(decoding: response, as: UTF8.self))")
            #expect(closed && Date().timeIntervalSince(started) < 5)
        }
        let body = Array(#"{"zen":"Keep it logically awesome.","hook_id":1}"#.utf8)
        let signature = Array(("sha256=" + WebhookFixtures.hmac(Data(body), "gh")).utf8)
        let badIds: [[UInt8]] = [[0x61, 0xC3, 0xA9], [0x61, 0xFF, 0x62], Array(String(repeating: "x", count: 201).utf8), [0x61, 0x09, 0x62]]
        for id in badIds {
            let socket = try #require(RawSocket(port: port))
            socket.send(Self.rawRequest("/webhooks/github", [("X-GitHub-Event", Array("ping".utf8)), ("X-GitHub-Delivery", id), ("X-Hub-Signature-256", signature)], body: body))
            let (response, _) = await socket.receive(timeout: 10, until: RawSocket.isWholeResponse)
            #expect(Self.status(response) == 400, "\(id): \(String(decoding: response, as: UTF8.self))")
        }
        // The same body under a printable id is taken.
        #expect(try await post(port, "/webhooks/github", Data(body), Self.githubHeaders(Data(body), id: "ok-1", event: "ping")).status == 200)
        let store = try SQLiteStore(directory: state)
        #expect(try await store.deliveries(limit: 10).map(\.id) == ["github-ok-1"])
        #expect(server.process.isRunning)
    }

    @Test func aCapturedSignedBodyReplayedUnderAFreshIdIsAlreadyReceivedAndActedOnOnce() async throws {
        let (server, port) = try await serve()
        defer { server.kill() }
        let github = WebhookFixtures.data("github/issue_comment.created.on_pull_request.json")
        #expect(try await post(port, "/webhooks/github", github, Self.githubHeaders(github, id: "first")).body == "received\n")
        #expect(try await post(port, "/webhooks/github", github, Self.githubHeaders(github, id: "second")).body == "already received\n")
        let jira = WebhookFixtures.data("jira/issue_created.json")
        for id in ["j-1", "j-2", ""] {
            var headers = ["X-Hub-Signature": "sha256=" + WebhookFixtures.hmac(jira, "jira")]
            if !id.isEmpty { headers["X-Atlassian-Webhook-Identifier"] = id }
            #expect(try await post(port, "/webhooks/jira", jira, headers).body == (id == "j-1" ? "received\n" : "already received\n"))
        }
        let sentry = WebhookFixtures.data("sentry/webhook.issue.created.json")
        for id in ["s-1", "s-2"] {
            let headers = [
                "Sentry-Hook-Signature": WebhookFixtures.hmac(sentry, "sentry"), "Sentry-Hook-Timestamp": "\(Int(Date().timeIntervalSince1970))",
                "Sentry-Hook-Resource": "issue", "Request-ID": id,
            ]
            #expect(try await post(port, "/webhooks/sentry", sentry, headers).body == (id == "s-1" ? "received\n" : "already received\n"))
        }
        // Sentry's timestamp is held to the same window as Slack's.
        let stale = [
            "Sentry-Hook-Signature": WebhookFixtures.hmac(sentry, "sentry"), "Sentry-Hook-Timestamp": "\(Int(Date().timeIntervalSince1970) - 301)",
            "Sentry-Hook-Resource": "issue", "Request-ID": "s-3",
        ]
        #expect(try await post(port, "/webhooks/sentry", sentry, stale).status == 401)
        let store = try SQLiteStore(directory: state)
        let stored = try await store.deliveries(limit: 20)
        #expect(Set(stored.map(\.id)) == ["github-first", "jira-j-1", "sentry-s-1"])
        #expect(stored.allSatisfy { $0.bodyDigest != nil })
    }

    @Test func aSlowHeadIsDisconnectedASlowBodyIsCutOffAndSIGTERMWithASlowClientIsBounded() async throws {
        let (server, port) = try await serve(["TOWER_LISTEN_HEAD_TIMEOUT": "3", "TOWER_LISTEN_BODY_TIMEOUT": "3", "TOWER_SHUTDOWN_TIMEOUT": "2"])
        defer { server.kill() }
        // The limits are printed right after the address the helper waited for.
        #expect(await server.waitForLines { $0.contains("head 3 s, body 3 s") && $0.contains("shutdown 2 s") }, "\(server.output)")

        // Headers at one byte every 5 s: closed within the head deadline, before the second byte.
        let slowHead = try #require(RawSocket(port: port))
        var started = Date()
        slowHead.send("P")
        let head = await slowHead.receive(timeout: 5)
        #expect(head.closed, "the connection is still open after 5 s")
        #expect(Date().timeIntervalSince(started) < 4.5)

        // A body at one byte a second: cut off with 408 once the body deadline passes.
        let slowBody = try #require(RawSocket(port: port))
        slowBody.send(Self.rawRequest("/webhooks/github", [("X-GitHub-Event", Array("ping".utf8))], length: "1000"))
        started = Date()
        var answer: [UInt8] = []
        while Date().timeIntervalSince(started) < 10 && answer.isEmpty {
            slowBody.send("x")
            answer = await slowBody.receive(timeout: 1).bytes
        }
        #expect(Self.status(answer) == 408, "\(String(decoding: answer, as: UTF8.self))")
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(await healthy(port))

        // SIGTERM while a body trickles in: that request is answered 503, and the process exits
        // within the shutdown timeout and a little more.
        let trickle = try #require(RawSocket(port: port))
        trickle.send(Self.rawRequest("/webhooks/github", [("X-GitHub-Event", Array("ping".utf8))], length: "1000") + Array("{".utf8))
        try await Task.sleep(nanoseconds: 300_000_000)
        started = Date()
        kill(server.process.processIdentifier, SIGTERM)
        let cutOff = await trickle.receive(timeout: 10)
        #expect(Self.status(cutOff.bytes) == 503, "\(String(decoding: cutOff.bytes, as: UTF8.self))")
        #expect(await server.wait(timeout: 15) == 0)
        let took = Date().timeIntervalSince(started)
        print("SIGTERM with a slow client: exited after \(String(format: "%.1f", took)) s")
        #expect(took < 2 + 4)
    }

    /// With 1,024 descriptors, 1,200 idle connections held for 60 s (each one closed is opened
    /// again) while signed deliveries keep arriving: the process lives, `/healthz` answers, and
    /// every delivery that got a 2xx is in the inbox.
    @Test func twelveHundredIdleConnectionsUnderAThousandDescriptorsDoNotStopDeliveries() async throws {
        #expect(RawSocket.raiseDescriptorLimit() >= 2_000, "the test process needs descriptors for 1,200 connections")
        let (server, port) = try await serve(["TOWER_LISTEN_HEAD_TIMEOUT": "5"], descriptors: 1024)
        defer { server.kill() }
        #expect(await server.waitForLines { $0.contains("at most 768 connections") }, "\(server.output)")
        let flood = ConnectionFlood(port: port, count: 1_200)
        let body = WebhookFixtures.data("github/issue_comment.created.json")
        let until = Date().addingTimeInterval(60)
        var acknowledged: [String] = []
        var refused = 0
        var healthyDuringFlood = 0
        var sequence = 0
        while Date() < until {
            sequence += 1
            // Each delivery its own body (GitHub's differ by their ids), so none is a replay.
            var json = try JSONValue.parse(body)
            if case .object(var members) = json {
                members["sequence"] = .number(Double(sequence))
                json = .object(members)
            }
            let unique = try JSONEncoder().encode(json)
            let id = "flood-\(sequence)"
            if let answer = try? await post(port, "/webhooks/github", unique, Self.githubHeaders(unique, id: id)), (200..<300).contains(answer.status) {
                acknowledged.append("github-\(id)")
            } else {
                refused += 1
            }
            if sequence % 5 == 0, await healthy(port) { healthyDuringFlood += 1 }
            #expect(server.process.isRunning)
            if !server.process.isRunning { break }
        }
        let reconnections = flood.reconnections
        let open = flood.open
        flood.stop()
        print("flood: \(acknowledged.count) deliveries acknowledged, \(refused) not, /healthz answered \(healthyDuringFlood) times; \(open) connections open at the end, \(reconnections) reopened")
        #expect(server.process.isRunning, "\(server.errorOutput.suffix(2000))")
        #expect(acknowledged.count >= 5)
        #expect(healthyDuringFlood >= 1)
        #expect(await healthy(port))
        let store = try SQLiteStore(directory: state)
        let stored = Set(try await store.deliveries(limit: 100_000).map(\.id))
        #expect(Set(acknowledged).subtracting(stored).isEmpty)
    }
}
