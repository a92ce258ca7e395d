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

extension AgentCommand {
    /// `tower agent limit 12` / `tower agent limit off`: how many tasks all workers on the store
    /// hold at once, beside each worker's own `TOWER_MAX_CONCURRENT_TASKS`.
    struct Limit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set how many tasks all workers together run at once (off: each worker's own limit only).",
            discussion: "tower agent limit 12 · tower agent limit off · tower agent limit (shows it)")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var who: ActorOptions
        @Argument(help: "A number of tasks, or `off`; nothing shows the limit.") var value: String?

        func run() async throws {
            try await reportingErrors {
                let store = try await global.openStore()
                guard let value else {
                    print(try await store.globalTaskLimit().map { "all workers together: at most \($0) tasks at once" } ?? "no limit beyond each worker's own")
                    return
                }
                let limit: Int?
                if value.lowercased() == "off" {
                    limit = nil
                } else if let number = Int(value), number > 0 {
                    limit = number
                } else {
                    throw ValidationError("“\(value)” is not a number of tasks or off")
                }
                try await store.setGlobalTaskLimit(limit, actor: who.actor, at: Date())
                print(limit.map { "all workers together: at most \($0) tasks at once (set by \(who.actor.user))" } ?? "limit lifted by \(who.actor.user)")
            }
        }
    }
}
