import Foundation
import Logging
import TowerConfig
import TowerCore
import TowerEngine
import TowerStore
import TowerTelemetry

/// How much the orchestration itself costs, with instant steps: tasks per second through the
/// whole workflow (each approval decided through the command API), store commits per second, and
/// how quickly a command left in the store by "another process" is picked up by the engine's poll.
func workflowBench() async throws {
    let url = option("--store-url", "")
    if !url.isEmpty { return try await sharedWorkflowBench(url: url) }
    let taskCount = Int(option("--tasks", "1000"))!
    let concurrency = Int(option("--concurrency", "16"))!
    // By default tickets arrive and approvals are given as they are in production, from many
    // channels at once; `--serial-commands` sends them one at a time and waits for each (the
    // harness before group commit took every write), which measures the commit round trip more
    // than the engine.
    let serial = CommandLine.arguments.contains("--serial-commands")
    let directory = URL(fileURLWithPath: option("--state-dir", NSTemporaryDirectory() + "tower-bench-\(getpid())"))
    try? FileManager.default.removeItem(at: directory)
    let store = try SQLiteStore(directory: directory)
    let commands = OperatorCommands(store: store)
    let bench = Actor(user: "bench", channel: .api)
    let instant = ClosureStep { context in .completed(StepOutput(summary: context.idempotencyKey)) }
    // With OTEL_EXPORTER_OTLP_ENDPOINT set, every task's trace is exported as in production:
    // the figure with and without it is the cost of tracing.
    let traces = try TraceExport.start(
        try Configuration.load(environment: ProcessInfo.processInfo.environment, dotEnvPath: "/nonexistent/.env", configPath: "/nonexistent/config.toml"),
        diagnostics: Logger(label: "bench.traces"))
    print("traces: " + (traces == nil ? "off (no OTEL_EXPORTER_OTLP_ENDPOINT)" : "exported to \(ProcessInfo.processInfo.environment["OTEL_EXPORTER_OTLP_ENDPOINT"] ?? "")"))


    // 1. Throughput: every task through the whole workflow; approvals as the console gives them
    //    (command API, then an in-process wake), each as its task asks for it.
    do {
        let engine = Engine(
            store: store, workflow: Workflow(uniform: instant),
            configuration: EngineConfiguration(maxConcurrentTasks: concurrency, pollInterval: 0.2),
            bus: EventBus(bufferSize: 1_000_000))
        let events = engine.bus.subscribe()
        let run = Task { await engine.run() }
        while await !engine.isActive { try await Task.sleep(nanoseconds: 1_000_000) }

        let commitsBefore = store.commitCount
        let started = Date()
        if serial {
            for i in 0..<taskCount {
                _ = try await commands.start(ticketId: "BENCH-\(i)", title: "task \(i)", description: "", source: .cli, by: bench)
            }
        } else {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<taskCount {
                    group.addTask { _ = try await commands.start(ticketId: "BENCH-\(i)", title: "task \(i)", description: "", source: .cli, by: bench) }
                }
                try await group.waitForAll()
            }
        }
        await engine.wake()
        var completed = 0
        for await event in events {
            guard case .taskChanged(let task) = event else { continue }
            if task.status == .awaitingApproval {
                if serial {
                    _ = try await commands.approve(task.id, by: bench)
                    await engine.wake()
                } else {
                    Task {
                        do {
                            _ = try await commands.approve(task.id, by: bench)
                        } catch {
                            print("approval of \(task.id) failed: \(error)")
                            exit(1)
                        }
                        await engine.wake()
                    }
                }
            } else if task.status == .completed {
                completed += 1
                if completed == taskCount { break }
            }
        }
        let elapsed = Date().timeIntervalSince(started)
        let commits = store.commitCount - commitsBefore
        run.cancel()
        await run.value
        print(String(format: "workflow: %d tasks in %.2f s = %.0f tasks/s; %d store commits = %.0f commits/s (%.1f per task); concurrency %d; %@",
                     taskCount, elapsed, Double(taskCount) / elapsed, commits, Double(commits) / elapsed, Double(commits) / Double(taskCount), concurrency,
                     serial ? "starts and approvals one at a time" : "starts and approvals as they come"))
    }

    // 2. Pickup latency of a command written by another process (no wake): default 200 ms poll.
    do {
        let engine = Engine(store: store, workflow: Workflow(uniform: instant), configuration: EngineConfiguration(pollInterval: 0.2))
        let events = engine.bus.subscribe()
        let run = Task { await engine.run() }
        while await !engine.isActive { try await Task.sleep(nanoseconds: 1_000_000) }
        var latencies: [Double] = []
        let decidedAt = DecisionClock()
        let samples = 30
        for i in 0..<samples {
            _ = try await commands.start(ticketId: "PICKUP-\(i)", title: "pickup \(i)", description: "", source: .cli, by: bench)
        }
        for await event in events {
            guard case .taskChanged(let task) = event else { continue }
            if task.status == .awaitingApproval {
                // Decisions arrive at random moments of the poll period, as commands from elsewhere do.
                Task {
                    try await Task.sleep(nanoseconds: UInt64.random(in: 0..<200_000_000))
                    decidedAt.mark(task.id)
                    _ = try await commands.approve(task.id, by: bench)
                }
            } else if task.status == .executing, let at = decidedAt.time(of: task.id) {
                latencies.append(Date().timeIntervalSince(at) * 1000)
                if latencies.count == samples { break }
            }
        }
        run.cancel()
        await run.value
        print(String(format: "command pickup (poll 200 ms, no wake): p50 %.0f ms, p99 %.0f ms, max %.0f ms over %d commands",
                     percentile(latencies, 0.5), percentile(latencies, 0.99), latencies.max()!, samples))
    }
    await traces?.shutdown()
    try? FileManager.default.removeItem(at: directory)
}

/// When each decision was sent, shared between the deciding tasks and the event loop.
final class DecisionClock: @unchecked Sendable {
    private let lock = NSLock()
    private var times: [String: Date] = [:]

    func mark(_ id: String) { lock.withLock { times[id] = Date() } }
    func time(of id: String) -> Date? { lock.withLock { times[id] } }
}
