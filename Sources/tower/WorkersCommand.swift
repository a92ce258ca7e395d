import ArgumentParser
import Foundation
import TowerStore

extension AgentCommand {
    /// `tower agent workers`: every worker on the store, from any host: where it runs, whether
    /// it is alive (a heartbeat within its claim expiry), and how many tasks it holds.
    struct Workers: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The workers sharing this store: host, pid, state, tasks held, last heartbeat.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await reportingErrors {
                let workers = try await global.openStore().workers()
                guard !workers.isEmpty else {
                    print("No workers on record (an engine on SQLite holds the store's lease instead; see tower agent status).")
                    return
                }
                print(Self.table(workers, now: Date()))
            }
        }

        /// One line per worker, newest heartbeat first.
        static func table(_ workers: [WorkerRecord], now: Date) -> String {
            var lines = ["HOST                 PID      STATE    TASKS  HEARTBEAT  WORKER"]
            for worker in workers {
                let age = max(0, Int(now.timeIntervalSince(worker.heartbeatAt).rounded()))
                lines.append(
                    worker.host.padding(toLength: 20, withPad: " ", startingAt: 0) + " " + String(worker.pid).padding(toLength: 8, withPad: " ", startingAt: 0) + " "
                        + worker.state(at: now).padding(toLength: 8, withPad: " ", startingAt: 0) + " " + String(worker.tasksHeld).padding(toLength: 6, withPad: " ", startingAt: 0)
                        + " " + "\(age)s ago".padding(toLength: 10, withPad: " ", startingAt: 0) + " " + worker.id)
            }
            return lines.joined(separator: "\n")
        }
    }
}
