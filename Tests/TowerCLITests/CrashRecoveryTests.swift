import Foundation
import Testing
import TowerCore
import TowerEngine
import TowerStore
import TowerTestSupport

extension ProcessTests {
    /// The engine in a child process, killed with SIGKILL at chosen moments, must still take every
    /// task to its end with every outside effect made exactly once.
    @Suite(.serialized) struct CrashRecoveryTests {
        /// When to kill a run: after the `count`-th line starting with `marker`.
        /// `begin` = inside a step before its effect; `effect` = inside a step after its effect but
        /// before its result is stored; `committed` = between steps.
        static let kills: [(marker: String, count: Int)] = [
            ("effect", 3), ("committed", 4), ("begin", 2), ("effect", 7), ("committed", 11), ("begin", 9), ("effect", 1),
        ]

        @Test func killedEngineResumesEveryTaskAndRepeatsNoEffect() async throws {
            let directory = TemporaryDirectory.make("crash")
            let state = directory.appendingPathComponent("state")
            let effects = EffectLog(path: directory.appendingPathComponent("effects.log").path)
            let store = try SQLiteStore(directory: state)
            let commands = OperatorCommands(store: store)

            var tasks: [(task: TowerTask, approve: Bool, ciFailsOnce: Bool)] = []
            for i in 0..<20 {
                let ciFailsOnce = i % 3 == 1
                let task = try await commands.start(
                    ticketId: "PROJ-\(100 + i)", title: "task \(i)" + (ciFailsOnce ? " ci-fail-once" : ""), description: "", source: .jira, by: testActor)
                tasks.append((task, i % 5 != 0, ciFailsOnce))
            }
            let plan = Dictionary(uniqueKeysWithValues: tasks.map { ($0.task.id, $0.approve) })

            /// Decides every task waiting for approval, as the operators would.
            @Sendable func decideWaiting() async throws {
                for task in try await store.tasks(status: .awaitingApproval, limit: nil) {
                    let reviewer = Actor(user: "reviewer", channel: .slackButton)
                    if plan[task.id] == true {
                        _ = try await commands.approve(task.id, by: reviewer)
                    } else {
                        _ = try await commands.reject(task.id, by: reviewer, reason: "out of scope")
                    }
                }
            }

            // Seven kills can cut one step short seven times when a loaded machine keeps it in
            // flight across them; past `maxInterruptions` (3) the engine fails such a step, as it
            // should in production. The limit here is above the number of kills, so what is
            // tested is the resumption, not how fast the machine is.
            let arguments = [
                "engine", "--state-dir", state.path, "--effects", effects.path, "--delay-ms", "15", "--lease-ttl", "1",
                "--max-interruptions", "\(Self.kills.count + 1)",
            ]
            var killsLanded = 0
            for kill in Self.kills {
                try await decideWaiting()
                let child = try ChildProcess(workerBinary, arguments)
                let reached = await child.waitForLines(count: kill.count, timeout: 30) { $0.hasPrefix(kill.marker + " ") }
                child.kill()
                if reached { killsLanded += 1 }
                // The lease of a killed engine lapses after its TTL; the next run waits for that.
            }
            #expect(killsLanded == Self.kills.count)

            let final = try ChildProcess(workerBinary, arguments + ["--exit-when-idle"])
            let decider = Task {
                while !Task.isCancelled {
                    try await decideWaiting()
                    try await Task.sleep(nanoseconds: 20_000_000)
                }
            }
            let status = await final.wait(timeout: 180)
            decider.cancel()
            #expect(status == 0, "final run: \(final.errorOutput)")

            var expected: [String] = []
            for (task, approve, ciFailsOnce) in tasks {
                let stored = try #require(try await store.task(id: task.id))
                #expect(stored.status == (approve ? .completed : .rejected), "\(task.id): \(stored.status) \(stored.lastError ?? "")")
                var steps: [(StepKind, Int)] = [(.discovery, 0), (.planning, 0)]
                if approve {
                    steps += [(.execution, 0), (.ciMonitoring, 0)]
                    steps += ciFailsOnce ? [(.execution, 1), (.ciMonitoring, 1), (.completion, 1)] : [(.completion, 0)]
                }
                expected += steps.map { StepContext.idempotencyKey(taskId: task.id, step: $0.0, cycle: $0.1) }
            }
            // Each kill cut a step short; the next engine said so in the task's log, and who took over.
            var takeovers: [String] = []
            for (task, _, _) in tasks {
                for event in try await store.events(taskId: task.id, after: nil, limit: nil) where event.message.contains("was cut short (its engine stopped)") {
                    takeovers.append(event.message)
                }
            }
            #expect(!takeovers.isEmpty)
            #expect(takeovers.allSatisfy { $0.contains(" takes over at attempt ") }, "\(takeovers)")
            let recorded = effects.entries()
            #expect(recorded.count == Set(recorded).count, "an effect was made twice: \(Dictionary(grouping: recorded, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted())")
            #expect(Set(recorded) == Set(expected))
        }

        @Test func aCommandFromAnotherProcessIsActedOnPromptly() async throws {
            let directory = TemporaryDirectory.make("wake")
            let state = directory.appendingPathComponent("state")
            let store = try SQLiteStore(directory: state)
            let engine = try ChildProcess(
                workerBinary, ["engine", "--state-dir", state.path, "--effects", directory.appendingPathComponent("e.log").path])
            defer { engine.kill() }
            let task = try await OperatorCommands(store: store).start(ticketId: "PROJ-1", title: "x", description: "", source: .cli, by: testActor)
            #expect(await engine.waitForLines { $0 == "committed \(task.id) awaiting_approval" })

            let sent = Date()
            let approve = try await ChildProcess.run(towerBinary, ["agent", "approve", task.id, "--state-dir", state.path], environment: isolatedEnvironment())
            #expect(approve.status == 0, "\(approve.err)")
            #expect(await engine.waitForLines(timeout: 10) { $0 == "committed \(task.id) executing" })
            // The engine polls every 50 ms here (200 ms by default); the benchmark reports the real figure.
            print("command pickup latency including the CLI process: \(String(format: "%.0f", Date().timeIntervalSince(sent) * 1000)) ms")
            #expect(try await eventually { try await store.task(id: task.id)?.status == .completed })
        }

        @Test func aSecondEngineRunsNothingWhileTheFirstHoldsTheLeaseAndTakesOverWhenItIsKilled() async throws {
            let directory = TemporaryDirectory.make("lease")
            let state = directory.appendingPathComponent("state")
            let store = try SQLiteStore(directory: state)
            let arguments = ["engine", "--state-dir", state.path, "--effects", directory.appendingPathComponent("e.log").path, "--lease-ttl", "1"]
            let first = try ChildProcess(workerBinary, arguments)
            #expect(await first.waitForLines { $0 == "lease held" })
            let second = try ChildProcess(workerBinary, arguments)
            defer { second.kill() }

            let commands = OperatorCommands(store: store)
            let a = try await commands.start(ticketId: nil, title: "while first holds", description: "", source: .cli, by: testActor)
            #expect(await first.waitForLines { $0 == "committed \(a.id) awaiting_approval" })
            try await Task.sleep(nanoseconds: 1_500_000_000)  // more than the TTL: the first keeps renewing
            #expect(!second.output.contains { $0.hasPrefix("begin ") || $0 == "lease held" })

            first.kill()
            #expect(await second.waitForLines(timeout: 15) { $0 == "lease held" })
            let b = try await commands.start(ticketId: nil, title: "after takeover", description: "", source: .cli, by: testActor)
            #expect(await second.waitForLines { $0 == "committed \(b.id) awaiting_approval" })
        }
    }
}
