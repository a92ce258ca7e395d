import Foundation
import Testing
import TowerStore
import TowerTestSupport

extension ProcessTests {
    /// The console embeds the webhook listener: a delivery it takes in is on its Deliveries
    /// screen with its outcome, and a forged one is shown refused with the reason.
    @Suite(.serialized) struct ListenerTmuxTests {
        @Test func theConsolesListenerTakesADeliveryAndShowsItAndARefusal() async throws {
            let state = TemporaryDirectory.make("listen-tmux").appendingPathComponent("state")
            let port = 20_000 + Int(getpid() % 10_000)
            let env = isolatedEnvironment(["GITHUB_WEBHOOK_SECRET": "tmux-secret", "TOWER_LISTEN": "127.0.0.1:\(port)"])
            let tmux = try TmuxSession(width: 160, height: 40, environment: env)
            try tmux.type("\(towerBinary.path) --state-dir \(state.path) --no-checks --as dana")
            try tmux.keys("Enter")
            let board = try await tmux.waitFor("listen 127.0.0.1:\(port)")
            #expect(board.ok, "\(board.screen)")

            let body = #"{"zen":"Half measures are as bad as nothing at all.","hook_id":7}"#
            let script = """
                sig=$(printf '%s' '\(body)' | openssl dgst -sha256 -hmac tmux-secret | awk '{print $2}')
                curl -s -X POST http://127.0.0.1:\(port)/webhooks/github -H 'X-GitHub-Event: ping' -H 'X-GitHub-Delivery: tmux-1' -H "X-Hub-Signature-256: sha256=$sig" --data-binary '\(body)'
                curl -s -o /dev/null -w '%{http_code}' -X POST http://127.0.0.1:\(port)/webhooks/github -H 'X-GitHub-Event: ping' -H 'X-GitHub-Delivery: tmux-2' -H 'X-Hub-Signature-256: sha256=00' --data-binary '\(body)'
                echo
                """
            let sent = try await ChildProcess.run(URL(fileURLWithPath: "/bin/sh"), ["-c", script])
            #expect(sent.out == "pong\n401", "\(sent.out) \(sent.err)")

            try tmux.keys("D")
            // The taken delivery and the refusal reach the screen in their own time: wait for both.
            let screen = try await tmux.waitFor { $0.contains("github-tmux-1") && $0.contains("pong") && $0.contains("1 taken in") && $0.contains("1 refused") }
            #expect(screen.ok, "\(screen.screen)")
            #expect(screen.screen.contains("github refused 401: the signature does not match any configured secret"), "\(screen.screen)")
            #expect(screen.screen.contains("1 refused") && screen.screen.contains("✓1 ✗1"), "\(screen.screen)")
            try tmux.keys("q")
        }
    }
}
