import Foundation
import Testing
import TowerCore
import TowerEngine
import TowerStore
import TowerTestSupport

extension ProcessTests {
    /// The real console attached to a PostgreSQL store, as from a jump host that runs no engine:
    /// it shows the workers on the health line, and says so when one dies.
    @Suite(.serialized) struct ConsolePostgresTmuxTests {
        @Test func theConsoleOnPostgreSQLShowsTheWorkersAndADeadOne() async throws {
            let url = try await TestPostgres.freshDatabase("console")
            let socket = try TestPostgres.socketURL(for: url)
            let effects = TemporaryDirectory.make("console-pg").appendingPathComponent("effects.log").path
            let arguments = ["engine", "--store-url", socket, "--claims", "--effects", effects, "--lease-ttl", "3"]
            let workers = try ["host-1", "host-2"].map { try SharedWorkersTests.launch($0, arguments) }
            defer { for worker in workers { worker.kill() } }
            for worker in workers { #expect(await worker.waitForLines(count: 1, timeout: 30) { $0.hasPrefix("lease held") }) }

            let tmux = try TmuxSession(width: 140, height: 30, environment: isolatedEnvironment(["TOWER_STORE_URL": url]))
            try tmux.type("\(towerBinary.path) --no-engine --as dana")
            try tmux.keys("Enter")
            let host = SharedWorkersTests.namespaces ? "host-1, host-2" : ProcessInfo.processInfo.hostName
            let both = try await tmux.waitFor(SharedWorkersTests.namespaces ? "2 workers on host-1, host-2" : "2 workers on")
            #expect(both.ok, "workers not shown (\(host)):\n\(both.screen)")

            workers[0].kill()
            let killed = Date()
            let silent = try await tmux.waitFor("1 worker on")
            #expect(silent.ok, "the dead worker still counts:\n\(silent.screen)")
            #expect(silent.screen.contains("silent:") || silent.screen.contains("lost:"), "\(silent.screen)")
            print("console on PostgreSQL: a killed worker shown \(String(format: "%.1f", Date().timeIntervalSince(killed))) s after the kill (heartbeat every 1 s, claims expire after 3 s)")

            // The workers screen: the dead one's row says it is lost once its claims expired.
            try tmux.keys("W")
            let dead = SharedWorkersTests.namespaces ? "host-1" : String(workers[0].pid)
            let screen = try await tmux.waitFor { screen in
                screen.split(separator: "\n").contains { $0.contains("│") && $0.contains(dead) && $0.contains(" lost ") }
            }
            #expect(screen.ok && screen.screen.contains("Workers — 1 running of 2 on record"), "\(screen.screen)")
            try tmux.keys("q")
        }
    }
}
