import Foundation
import TowerCore
import TowerEngine
import TowerStore

/// `tower-bench workflow --store-url postgres://… --workers N`: the same instant-step workflow on
/// PostgreSQL, shared by N workers in claims mode, each with a pool of its own (as on N hosts;
/// here they share the machine's cores with the server). Approvals come from another pool, as
/// from a console, and reach the workers by NOTIFY. Prints tasks/s and commits per task.
func sharedWorkflowBench(url: String) async throws {
    let taskCount = Int(option("--tasks", "1000"))!
    let concurrency = Int(option("--concurrency", "16"))!
    let workerCount = Int(option("--workers", "1"))!
    let console = try await PostgresStore.open(url: url, maximumConnections: 4)
    let commands = OperatorCommands(store: console)
    let bench = Actor(user: "bench", channel: .api)
    let instant = ClosureStep { context in .completed(StepOutput(summary: context.idempotencyKey)) }

    var stores: [PostgresStore] = []
    var engines: [Engine] = []
    for _ in 0..<workerCount {
        let store = try await PostgresStore.open(url: url, maximumConnections: max(4, concurrency))
        var configuration = EngineConfiguration(maxConcurrentTasks: concurrency, pollInterval: 0.2)
        configuration.sharing = .claims
        stores.append(store)
        engines.append(Engine(store: store, workflow: Workflow(uniform: instant), configuration: configuration, bus: EventBus(bufferSize: 1_000_000)))
    }
    let streams = engines.map { $0.bus.subscribe() }
    let runs = engines.map { engine in Task { await engine.run() } }
    for engine in engines { while await !engine.isActive { try await Task.sleep(nanoseconds: 1_000_000) } }

    let commitsBefore = stores.reduce(console.commitCount) { $0 + $1.commitCount }
    let started = Date()
    for i in 0..<taskCount {
        _ = try await commands.start(ticketId: "BENCH-\(i)", title: "task \(i)", description: "", source: .cli, by: bench)
    }
    // Every worker's bus into one stream: approve what waits, count what completes.
    let (merged, sink) = AsyncStream<TowerTask>.makeStream()
    let forwarders = streams.map { stream in
        Task {
            for await event in stream { if case .taskChanged(let task) = event { sink.yield(task) } }
        }
    }
    var completed = 0
    for await task in merged {
        if task.status == .awaitingApproval {
            _ = try await commands.approve(task.id, by: bench)
        } else if task.status == .completed {
            completed += 1
            if completed == taskCount { break }
        }
    }
    let elapsed = Date().timeIntervalSince(started)
    let commits = stores.reduce(console.commitCount) { $0 + $1.commitCount } - commitsBefore
    for run in runs { run.cancel() }
    for run in runs { await run.value }
    for forwarder in forwarders { forwarder.cancel() }
    print(
        String(
            format: "workflow on PostgreSQL: %d workers, %d tasks in %.2f s = %.0f tasks/s; %d store commits (%.1f per task, approvals and claims included); concurrency %d per worker",
            workerCount, taskCount, elapsed, Double(taskCount) / elapsed, commits, Double(commits) / Double(taskCount), concurrency))
    for store in stores { await store.shutdown() }
    await console.shutdown()
}
