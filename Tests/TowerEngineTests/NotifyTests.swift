import Foundation
import Testing
import TowerCore
import TowerStore
import TowerTestSupport

@testable import TowerEngine

/// PostgreSQL's NOTIFY wakes a worker at once for what another host stored: a new task, an
/// approval, CI news. The worker here polls once an hour, so nothing in these tests can happen
/// by polling; and its listening connection, cut by the server, is made again.
@Suite struct NotifyTests {
    @Test func anApprovalFromAnotherHostReachesTheWorkerAtOnceAndSurvivesALostConnection() async throws {
        let url = try await TestPostgres.freshDatabase("notify")
        let workerStore = try await PostgresStore.open(url: url, maximumConnections: 4)
        let consoleStore = try await PostgresStore.open(url: url, maximumConnections: 2)
        let effects = EffectLog(path: TemporaryDirectory.make("notify").appendingPathComponent("effects.log").path)
        var configuration = EngineConfiguration(backoff: RetryBackoff(base: 0.01, maximum: 0.02), pollInterval: 3600, leaseTTL: 60)
        configuration.sharing = .claims
        let engine = Engine(store: workerStore, workflow: Workflow(uniform: RecordingStep(effects: effects)), configuration: configuration)
        let news = engine.bus.subscribe()
        // A second listener on the same store, for the record a miss prints: what the store
        // pushed, and when.
        let heardLog = HeardLog()
        let pushed = workerStore.wakeUps()
        let watching = Task {
            for await wakeUp in pushed { heardLog.append("\(Date()) \(wakeUp)") }
        }
        defer { watching.cancel() }
        let run = Task { await engine.run() }
        defer { run.cancel() }
        while await !engine.isActive { try await Task.sleep(nanoseconds: 10_000_000) }
        // Let the first (and, at this poll interval, only) scan pass.
        try await Task.sleep(nanoseconds: 300_000_000)

        let console = OperatorCommands(store: consoleStore)
        let actor = Actor(user: "oncall", channel: .console)
        // The deadline only ends a hung test: the worker polls once an hour, so reaching the
        // status at all shows the notification woke it, however loaded the machine running the
        // whole suite is. A miss names the wait and shows where the task stood.
        func wait(_ id: String, _ status: TaskStatus) async throws {
            let deadline = Date().addingTimeInterval(240)
            while try await consoleStore.task(id: id)?.status != status, Date() < deadline { try await Task.sleep(nanoseconds: 10_000_000) }
            let stored = try await consoleStore.task(id: id)
            let log = try await consoleStore.events(taskId: id, after: nil, limit: nil).suffix(8).map { "\($0.at) \($0.agent): \($0.message)" }
            let engineError = await engine.lastError
            let heard = heardLog.last(12)
            #expect(
                stored?.status == status,
                "waiting for \(status): the task is \(String(describing: stored?.status)) at \(String(describing: stored?.step)); engine: \(String(describing: engineError)); log: \(log); the store pushed: \(heard)")
        }
        let task = try await console.start(ticketId: "PROJ-1", title: "notified", description: "", source: .cli, by: actor)
        try await wait(task.id, .awaitingApproval)
        _ = try await console.approve(task.id, by: actor)
        try await wait(task.id, .completed)

        // CI news announced by another worker reaches this one's CI steps.
        try await consoleStore.announce(ciNews: "acme/api", branch: "ai/PROJ-1", origin: "another-worker")
        var heard = false
        for await event in news {
            if case .ciNews(let repository, let branch) = event, repository == "acme/api", branch == "ai/PROJ-1" {
                heard = true
                break
            }
        }
        #expect(heard)

        // The server drops the listening connection: it is made again, and the next task is
        // still noticed without a poll.
        try await TestPostgres.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'tower-listen' AND datname = current_database()", on: url)
        try await Task.sleep(nanoseconds: 500_000_000)
        let second = try await console.start(ticketId: "PROJ-2", title: "after the cut", description: "", source: .cli, by: actor)
        try await wait(second.id, .awaitingApproval)
        run.cancel()
        await run.value
        await workerStore.shutdown()
        await consoleStore.shutdown()
    }
}

/// What the store pushed, kept for a failure's message.
private final class HeardLog: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    func last(_ count: Int) -> [String] { lock.withLock { Array(lines.suffix(count)) } }
}
