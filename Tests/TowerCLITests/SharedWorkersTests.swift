import Foundation
import Testing
import TowerCore
import TowerEngine
import TowerStore
import TowerTestSupport

#if canImport(Glibc)
    import Glibc
#endif

extension ProcessTests {
    /// Several workers, as separate processes, each in a network namespace of its own (a
    /// stand-in for hosts: its own hostname and loopback, the server reached through its Unix
    /// socket), sharing one PostgreSQL store by claims per task.
    @Suite(.serialized) struct SharedWorkersTests {
        /// `unshare --net --uts` around the worker when this machine allows it, else the worker as is.
        static func launch(_ host: String, _ arguments: [String]) throws -> ChildProcess {
            if Self.namespaces {
                let quoted = ([workerBinary.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
                return try ChildProcess(URL(fileURLWithPath: "/usr/bin/unshare"), ["--net", "--uts", "/bin/sh", "-c", "hostname \(host) && exec \(quoted)"])
            }
            return try ChildProcess(workerBinary, arguments)
        }

        static let namespaces: Bool = {
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
            probe.arguments = ["--net", "--uts", "/bin/true"]
            guard (try? probe.run()) != nil else { return false }
            probe.waitUntilExit()
            return probe.terminationStatus == 0
        }()

        @Test func threeWorkersTakeThirtyTasksThroughAndAKilledOnesTasksResumeWhereTheyStopped() async throws {
            let url = try await TestPostgres.freshDatabase("workers")
            let store = try await PostgresStore.open(url: url, maximumConnections: 4)
            let commands = OperatorCommands(store: store)
            let directory = TemporaryDirectory.make("workers")
            let effects = EffectLog(path: directory.appendingPathComponent("effects.log").path)
            var ids: [String] = []
            for i in 0..<30 {
                ids.append(try await commands.start(ticketId: "PROJ-\(200 + i)", title: "task \(i)", description: "", source: .jira, by: testActor).id)
            }
            let decider = Task {
                while !Task.isCancelled {
                    for task in try await store.tasks(status: .awaitingApproval, limit: nil) {
                        _ = try await commands.approve(task.id, by: Actor(user: "reviewer", channel: .console))
                    }
                    try await Task.sleep(nanoseconds: 20_000_000)
                }
            }
            defer { decider.cancel() }

            let ttl = 1.0
            let socket = try TestPostgres.socketURL(for: url)
            let arguments = [
                "engine", "--store-url", socket, "--claims", "--effects", effects.path, "--delay-ms", "20", "--lease-ttl", "\(ttl)", "--max-concurrent", "4",
                "--exit-when-idle",
            ]
            let workers = try (1...3).map { try Self.launch("host-\($0)", arguments) }
            defer { for worker in workers { worker.kill() } }
            // Worker 1 is killed in the middle of a step: after its fifth step began and before it ended.
            #expect(await workers[0].waitForLines(count: 5, timeout: 60) { $0.hasPrefix("begin ") })
            let name = try #require(workers[0].output.first { $0.hasPrefix("worker ") }).dropFirst("worker ".count)
            workers[0].kill()
            let killedAt = Date()
            let held = try await store.tasks(status: nil, limit: nil).filter { $0.worker == String(name) && $0.status.isActive }
            #expect(!held.isEmpty, "the killed worker held no task")

            for worker in workers.dropFirst() {
                let status = await worker.wait(timeout: 180)
                #expect(status == 0, "worker: \(worker.errorOutput)")
            }
            decider.cancel()

            var expected: [String] = []
            for id in ids {
                let task = try #require(try await store.task(id: id))
                #expect(task.status == .completed, "\(id): \(task.status) \(task.lastError ?? "")")
                expected += [(StepKind.discovery, 0), (.planning, 0), (.execution, 0), (.ciMonitoring, 0), (.completion, 0)].map {
                    StepContext.idempotencyKey(taskId: id, step: $0.0, cycle: $0.1)
                }
            }
            // No outside effect twice, none missing.
            #expect(effects.entries().sorted() == expected.sorted())

            // The killed worker's tasks were taken over at the attempt where they stopped, and
            // the task's milestones say by whom.
            var delays: [TimeInterval] = []
            for task in held {
                let takeover = try await store.milestones(taskId: task.id).first { $0.message.contains("cut short") && $0.message.contains(String(name)) }
                let event = try #require(takeover, "no takeover of \(task.id) in its events")
                #expect(event.message.contains("takes over at attempt \(max(1, task.attempts))"), "\(event.message)")
                #expect(!event.message.contains("takes over at attempt 0"))
                delays.append(event.at.timeIntervalSince(killedAt))
            }
            print("shared workers: \(held.count) tasks of the killed worker taken over \(delays.map { String(format: "%.2f s", $0) }.joined(separator: ", ")) after the kill (claim expiry \(ttl) s); network namespaces: \(Self.namespaces)")
            let hosts = Set(try await store.workers().map(\.host))
            if Self.namespaces { #expect(hosts == ["host-1", "host-2", "host-3"]) }
            await store.shutdown()
        }

        @Test func aWorkerPausedPastItsClaimCannotWriteOverItsSuccessor() async throws {
            let url = try await TestPostgres.freshDatabase("fence")
            let store = try await PostgresStore.open(url: url, maximumConnections: 2)
            let commands = OperatorCommands(store: store)
            let directory = TemporaryDirectory.make("fence")
            let effects = EffectLog(path: directory.appendingPathComponent("effects.log").path)
            let task = try await commands.start(ticketId: "PROJ-300", title: "fenced", description: "", source: .jira, by: testActor)
            let socket = try TestPostgres.socketURL(for: url)
            func arguments(_ delay: Int) -> [String] {
                ["engine", "--store-url", socket, "--claims", "--effects", effects.path, "--delay-ms", "\(delay)", "--lease-ttl", "1"]
            }
            // A is stopped inside Discovery, before its effect.
            let a = try Self.launch("host-a", arguments(1_500))
            defer { a.kill() }
            #expect(await a.waitForLines(count: 1, timeout: 30) { $0.hasPrefix("begin ") })
            a.signal(SIGSTOP)
            // B claims the task once A's claim expired and takes it to its approval.
            let b = try Self.launch("host-b", arguments(10))
            defer { b.kill() }
            let deadline = Date().addingTimeInterval(60)
            while try await store.task(id: task.id)?.status != .awaitingApproval, Date() < deadline { try await Task.sleep(nanoseconds: 20_000_000) }
            let successor = try #require(try await store.task(id: task.id))
            #expect(successor.status == .awaitingApproval)
            let claimsBefore = try await store.phaseResults(taskId: task.id)
            b.kill()

            // A resumes: its step ends, and its write is refused (or its heartbeat drops the task first).
            a.signal(SIGCONT)
            let name = try #require(a.output.first { $0.hasPrefix("worker ") }).dropFirst("worker ".count)
            var lost: TaskEvent?
            let until = Date().addingTimeInterval(120)
            while lost == nil, Date() < until {
                lost = try await store.milestones(taskId: task.id).first { $0.message.contains("worker \(name) lost its claim") }
                try await Task.sleep(nanoseconds: 20_000_000)
            }
            let error = try #require(lost, "A said nothing of its lost claim").message
            #expect(error.contains("fencing token") || error.contains("held by another"), "\(error)")
            try await Task.sleep(nanoseconds: 300_000_000)
            // A committed the start of its attempt before the pause, and nothing after.
            #expect(a.output.filter { $0.hasPrefix("committed \(task.id) ") && !$0.hasSuffix(" discovery") }.isEmpty, "\(a.output)")
            let after = try #require(try await store.task(id: task.id))
            #expect(after.status == .awaitingApproval && after.updatedAt == successor.updatedAt && after.worker == successor.worker)
            #expect(try await store.phaseResults(taskId: task.id) == claimsBefore)
            print("fencing: \(error)")
            await store.shutdown()
        }
    }
}
