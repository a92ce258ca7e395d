import Foundation
import Testing
import TowerStore

@testable import TowerConsole

/// The health line's account of the workers sharing a PostgreSQL store: the running ones by
/// host, and a lost one (no heartbeat within its claim expiry) named with how long it is silent.
@Suite struct WorkersSummaryTests {
    @Test func runningWorkersByHostAndALostOneWithItsSilence() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func worker(_ host: String, heartbeat: TimeInterval, stopped: Bool = false) -> WorkerRecord {
            WorkerRecord(
                id: "\(host):1:abc", host: host, pid: 1, startedAt: now.addingTimeInterval(-600), heartbeatAt: now.addingTimeInterval(-heartbeat),
                expiresAt: now.addingTimeInterval(-heartbeat + 10), stoppedAt: stopped ? now : nil)
        }
        #expect(ConsoleRuntime.workersSummary([worker("db-2", heartbeat: 1), worker("db-1", heartbeat: 3)], now: now) == "2 workers on db-1, db-2")
        #expect(
            ConsoleRuntime.workersSummary([worker("db-1", heartbeat: 1), worker("db-3", heartbeat: 14), worker("old", heartbeat: 1, stopped: true)], now: now)
                == "1 worker on db-1; lost: db-3 (14s)")
        #expect(ConsoleRuntime.workersSummary([worker("old", heartbeat: 1, stopped: true)], now: now) == nil)
        // Heartbeats every 10/3 s: one missed by half a period makes it silent before its claims lapse.
        #expect(ConsoleRuntime.workersSummary([worker("db-1", heartbeat: 1), worker("db-2", heartbeat: 6)], now: now) == "1 worker on db-1; silent: db-2 (6s)")
        #expect(worker("db-2", heartbeat: 4).state(at: now) == "running")
    }
}
