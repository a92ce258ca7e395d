import Foundation
import Testing
import TowerCore
import TowerEngine
import TowerStore
import TowerTestSupport

extension ProcessTests {
    @Suite(.serialized) struct MultiProcessStoreTests {
        @Test func tenProcessesOpeningTheSameFreshStateDirectoryAllSucceed() async throws {
            let state = TemporaryDirectory.make("fresh").appendingPathComponent("not-yet-created").path
            let children = try (0..<10).map { _ in
                try ChildProcess(towerBinary, ["agent", "list", "--state-dir", state], environment: isolatedEnvironment())
            }
            for child in children {
                let status = await child.wait()
                #expect(status == 0, "stderr: \(child.errorOutput)")
                #expect(child.output == ["No tasks."])
            }
        }

        @Test func concurrentWritersFromSeveralProcessesAllLand() async throws {
            let state = TemporaryDirectory.make("writers").appendingPathComponent("state")
            let store = try SQLiteStore(directory: state)
            let task = TowerTask.new(ticketId: nil, title: "log target", description: "", source: .cli, now: Date())
            try await store.insertTask(task, event: nil, actor: testActor)
            let writers = try (0..<5).map { _ in
                try ChildProcess(workerBinary, ["write-events", "--state-dir", state.path, "--task", task.id, "--count", "200"])
            }
            for writer in writers {
                #expect(await writer.wait(timeout: 120) == 0, "stderr: \(writer.errorOutput)")
                #expect(!writer.errorOutput.contains("locked"))
            }
            let events = try await store.events(taskId: task.id, after: nil, limit: nil)
            #expect(events.count == 1000)
            #expect(Set(events.map(\.agent)).count == 5)
        }

        @Test func fiftyConcurrentDecisionsFromManyProcessesYieldExactlyOne() async throws {
            let state = TemporaryDirectory.make("race").appendingPathComponent("state")
            let store = try SQLiteStore(directory: state)
            let task = try await seedAwaitingApproval(store)
            let env = isolatedEnvironment()
            let children = try (0..<50).map { i in
                try ChildProcess(
                    towerBinary, ["agent", i % 2 == 0 ? "approve" : "reject", task.id, "--as", "user-\(i)", "--state-dir", state.path],
                    environment: env)
            }
            var winners: [String] = []
            var losers: [String] = []
            for child in children {
                switch await child.wait(timeout: 120) {
                case 0: winners.append(child.output.joined())
                case 3: losers.append(child.errorOutput)
                case let other: Issue.record("unexpected exit \(String(describing: other)): \(child.errorOutput)")
                }
            }
            #expect(winners.count == 1)
            #expect(losers.count == 49)
            let approval = try #require(try await store.approval(taskId: task.id))
            let winner = try #require(approval.decidedBy)
            let decision = try #require(approval.decision)
            #expect(winners.first?.contains("by \(winner) via cli") == true)
            for message in losers {
                #expect(message.contains("already decided: \(decision.rawValue) by \(winner) via cli"), "\(message)")
            }
            #expect(try await store.task(id: task.id)?.status == (decision == .approved ? .approved : .rejected))
        }
    }
}
