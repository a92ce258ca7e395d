// tower-test-worker: a child process for Tower's multi-process tests.
//
//   engine --state-dir D --effects F [--delay-ms N] [--lease-ttl S] [--exit-when-idle] [--max-concurrent N]
//          [--max-interruptions N]
//       runs the engine with RecordingStep; prints `begin KEY`, `effect KEY`, `committed ID STATUS`,
//       `lease held|lost` as they happen; with --exit-when-idle it exits once every task is finished.
//   write-events --state-dir D --task ID --count N
//       appends N log lines, one transaction each (concurrent writers test).
//   open --state-dir D
//       opens (creating and migrating) the store and exits.
//   agents --state-dir D
//       runs the engine with the real agents, configured from the environment, until no task is
//       active; prints `committed ID STATUS` as tasks move (the restart after a kill -9).
//   scan-log FILE
//       the run log of a whole test run: exits 1, naming the lines, if any holds a test secret.
import Foundation
import TowerAgents
import TowerConfig
import TowerCore
import TowerEngine
import TowerGateway
import TowerNet
import TowerStore
import TowerTestLog
import TowerTestSupport

func option(_ name: String) -> String? {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}

/// One line straight to the pipe (no stdio buffering: the test reacts to each line as it comes).
@Sendable func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

if CommandLine.arguments.count == 3, CommandLine.arguments[1] == "scan-log" {
    let path = CommandLine.arguments[2]
    guard let data = FileManager.default.contents(atPath: path) else {
        FileHandle.standardError.write(Data("scan-log: no run log at \(path)\n".utf8))
        exit(2)
    }
    let text = String(decoding: data, as: UTF8.self)
    let findings = RunLogScan.findings(in: text)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count - 1
    guard findings.isEmpty else {
        say("scan-log: \(findings.count) of \(lines) logged lines hold a test secret:")
        for finding in findings.prefix(20) { say("  line \(finding.line): \(finding.text)") }
        exit(1)
    }
    say("scan-log: \(lines) lines logged during the test run; no token or secret among them")
    exit(0)
}

guard CommandLine.arguments.count > 1, option("--state-dir") != nil || option("--store-url") != nil else {
    FileHandle.standardError.write(Data("usage: tower-test-worker engine|write-events|open --state-dir DIR | --store-url postgres://… …\n".utf8))
    exit(64)
}
let stateDir = option("--state-dir") ?? NSTemporaryDirectory()
let store: any Store
if let url = option("--store-url") {
    store = try await PostgresStore.open(url: url, maximumConnections: 4)
} else {
    store = try SQLiteStore(directory: URL(fileURLWithPath: option("--state-dir")!))
}

switch CommandLine.arguments[1] {
case "open":
    say("opened")

case "seed-sample":
    try await SampleData.seed(store, now: CommandLine.arguments.contains("--fixed-time") ? SampleData.now : Date())
    say("seeded \(SampleData.tasks.count) tasks")

case "append-log":
    // Appends lines to a task's log, one every --interval-ms, as a running agent would.
    let task = option("--task")!
    let count = Int(option("--count") ?? "10")!
    let interval = UInt64(option("--interval-ms") ?? "0")! * 1_000_000
    for i in 0..<count {
        try await store.appendEvents([TaskEvent(taskId: task, at: Date(), level: .info, agent: "execution", message: option("--message").map { "\($0) \(i)" } ?? "line \(i)")])
        if interval > 0 { try await Task.sleep(nanoseconds: interval) }
    }
    say("appended \(count)")

case "write-events":
    let task = option("--task")!
    let count = Int(option("--count") ?? "100")!
    for i in 0..<count {
        try await store.appendEvents([TaskEvent(taskId: task, at: Date(), level: .info, agent: "writer-\(getpid())", message: "line \(i)")])
    }
    say("wrote \(count)")

case "engine":
    let effects = EffectLog(path: option("--effects")!)
    let delay = Double(option("--delay-ms") ?? "0")! / 1000
    let step = RecordingStep(effects: effects, delay: delay, marker: say)
    var configuration = EngineConfiguration(
        maxConcurrentTasks: Int(option("--max-concurrent") ?? "4")!,
        maxCIRetries: 3,
        backoff: RetryBackoff(base: 0.01, maximum: 0.05),
        pollInterval: 0.05,
        leaseTTL: Double(option("--lease-ttl") ?? "2")!)
    if CommandLine.arguments.contains("--claims") { configuration.sharing = .claims }
    if let limit = option("--max-interruptions").flatMap(Int.init) { configuration.maxInterruptions = limit }
    let engine = Engine(store: store, workflow: Workflow(uniform: step), configuration: configuration)
    say("worker \(engine.claim.holder)")
    let events = engine.bus.subscribe()
    Task {
        for await event in events {
            switch event {
            case .taskChanged(let task): say("committed \(task.id) \(task.status.rawValue)")
            case .leaseChanged(let held): say(held ? "lease held" : "lease lost")
            case .log, .frozen, .ciNews: break
            }
        }
    }
    let running = Task { await engine.run() }
    // What the engine refused or dropped (a fencing token refused), for the tests to read.
    Task {
        var last: String?
        while true {
            let error = await engine.lastError
            if let error, error != last { say("error \(error)") }
            last = error
            try await Task.sleep(nanoseconds: 20_000_000)
        }
    }
    if CommandLine.arguments.contains("--exit-when-idle") {
        while true {
            try await Task.sleep(nanoseconds: 50_000_000)
            let all = try await store.tasks(status: nil, limit: nil)
            if !all.isEmpty && all.allSatisfy({ $0.status.isTerminal }) { break }
        }
        running.cancel()
        await running.value
        say("idle")
    } else {
        await running.value
    }

case "agents":
    let environment = ProcessInfo.processInfo.environment
    let configuration = try Configuration.load(environment: environment, dotEnvPath: "\(stateDir)/none.env", configPath: "\(stateDir)/none.toml")
    let gateway = Gateway(configuration: configuration, http: HTTPClient(redactor: Redactor(secrets: configuration.secretValues)))
    let prompts = PromptLibrary.standard(environment: environment, executable: URL(fileURLWithPath: CommandLine.arguments[0]))
    let services = AgentServices.configured(configuration, gateway: gateway, store: store, prompts: prompts)
    let engine = Engine(
        store: store, workflow: .agents(services),
        configuration: EngineConfiguration(backoff: RetryBackoff(base: 0.01, maximum: 0.05), pollInterval: 0.05, leaseTTL: 2))
    let events = engine.bus.subscribe()
    Task {
        for await event in events {
            if case .taskChanged(let task) = event { say("committed \(task.id) \(task.status.rawValue)") }
        }
    }
    let running = Task { await engine.run() }
    while true {
        try await Task.sleep(nanoseconds: 50_000_000)
        if try await store.activeTasks().isEmpty { break }
    }
    running.cancel()
    await running.value
    say("idle")

case "sentry-pass":
    // One Sentry pass against the stand-ins the environment names (the kill -9 test).
    let environment = ProcessInfo.processInfo.environment
    let configuration = try Configuration.load(environment: environment, dotEnvPath: "\(stateDir)/none.env", configPath: "\(stateDir)/none.toml")
    let gateway = Gateway(configuration: configuration, http: HTTPClient(redactor: Redactor(secrets: configuration.secretValues)))
    let services = AgentServices.configured(configuration, gateway: gateway, store: store, prompts: .bundled)
    let monitor = SentryMonitor(services: services, store: store) { say($0) }
    let outcome = try await monitor.pass(trigger: .manual)
    say("pass created \(outcome.pass.counts.created) deduplicated \(outcome.pass.counts.deduplicated) failed \(outcome.pass.counts.failed)")

default:
    FileHandle.standardError.write(Data("unknown command \(CommandLine.arguments[1])\n".utf8))
    exit(64)
}
