import Foundation
import TowerConsole
import TowerCore
import TowerEngine
import TowerStore

/// The id of the task that holds the million log lines.
let bigTaskID = "t-bigl0g00"

/// A store with 10,000 tasks across every status and 1,000,000 log lines in one of them.
@discardableResult
func seedConsoleStore(_ directory: URL) async throws -> SQLiteStore {
    let store = try SQLiteStore(directory: directory)
    if try await store.task(id: bigTaskID) != nil { return store }
    let started = Date()
    let actor = Actor(user: "bench", channel: .api)
    let statuses = TaskStatus.allCases
    for i in 0..<9_999 {
        var task = TowerTask.new(ticketId: "BENCH-\(i)", title: "Benchmark task \(i) touching service \(i % 37)", description: "", source: .jira, now: Date())
        task.status = statuses[i % statuses.count]
        task.progress = (i * 7) % 101
        try await store.insertTask(task, event: nil, actor: actor)
    }
    var big = TowerTask.new(ticketId: "BIG-1", title: "The task with a million log lines", description: "", source: .jira, now: Date())
    big.id = bigTaskID
    big.status = .executing
    big.step = .execution
    try await store.insertTask(big, event: nil, actor: actor)
    let levels: [LogLevel] = [.info, .info, .info, .debug, .warning, .info, .info, .error]
    for batch in 0..<100 {
        let events = (0..<10_000).map { i in
            let n = batch * 10_000 + i
            return TaskEvent(taskId: bigTaskID, at: Date(), level: levels[n % levels.count], agent: "execution", message: "step \(n): compiled module \(n % 211), \(n % 17) tests passed")
        }
        try await store.appendEvents(events)
    }
    print(String(format: "seeded 10,000 tasks and 1,000,000 log lines in %.1f s", Date().timeIntervalSince(started)))
    return store
}

/// A terminal that records frames instead of drawing them.
final class RecordingTerminal: Terminal, @unchecked Sendable {
    let inputs: AsyncStream<TerminalInput>
    let continuation: AsyncStream<TerminalInput>.Continuation
    let size: Size
    let supportsUnicode = true
    private let lock = NSLock()
    private var frames = 0
    private var last: Canvas?

    init(size: Size) {
        self.size = size
        (inputs, continuation) = AsyncStream<TerminalInput>.makeStream()
    }

    func present(_ canvas: Canvas, theme: Theme) {
        lock.withLock {
            frames += 1
            last = canvas
        }
    }

    var frameCount: Int { lock.withLock { frames } }
    var lastFrame: Canvas? { lock.withLock { last } }
    func bell() {}
    func copyToClipboard(_ text: String) {}
    func invalidate() {}
    func shutdown() {}

    /// Sends a key and waits for the frame that follows it; the latency in ms.
    func press(_ key: Key) async -> Double {
        let before = frameCount
        let start = Date()
        continuation.yield(.key(key))
        while frameCount == before { try? await Task.sleep(nanoseconds: 100_000) }
        return Date().timeIntervalSince(start) * 1000
    }

    func waitForFrame(containing text: String, timeout: TimeInterval = 30) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if lastFrame?.text().contains(text) == true { return true }
            try? await Task.sleep(nanoseconds: 1_000_000)
        }
        return false
    }
}

func consoleBench() async throws {
    let directory = URL(fileURLWithPath: option("--state-dir", NSTemporaryDirectory() + "tower-console-bench"))
    try await seedConsoleStore(directory)
    let rssBefore = residentMB()

    // 1. First frame: open the store, load every task, draw the board.
    let start = Date()
    let store = try SQLiteStore(directory: directory)
    let terminal = RecordingTerminal(size: Size(width: 200, height: 60))
    let runtime = ConsoleRuntime(
        store: store, engine: nil, terminal: terminal, themes: ThemeLibrary(directories: []),
        options: .init(user: "bench", themeName: "mono"), integrations: [], colorless: true)
    let running = Task { await runtime.run() }
    guard await terminal.waitForFrame(containing: "Needs approval") else { fatalError("no board") }
    let firstFrame = Date().timeIntervalSince(start) * 1000
    print(String(format: "first frame (open store, load 10,000 tasks, draw 200x60): %.0f ms", firstFrame))

    // 2. Keys on the board: move, page, filter.
    var board: [Double] = []
    for i in 0..<300 { board.append(await terminal.press(.character(i % 3 == 2 ? "k" : "j"))) }
    for _ in 0..<20 { board.append(await terminal.press(.pageDown)) }
    board.append(await terminal.press(.character("/")))
    for c in "service 3" { board.append(await terminal.press(.character(c))) }
    board.append(await terminal.press(.escape))
    print(String(format: "board key → frame (10,000 tasks): p50 %.2f ms, p99 %.2f ms, max %.2f ms over %d keys", percentile(board, 0.5), percentile(board, 0.99), board.max()!, board.count))

    // 3. Open the task with a million lines and scroll back through it.
    var open: [Double] = [await terminal.press(.character(":"))]
    for c in "status \(bigTaskID)" { open.append(await terminal.press(.character(c))) }
    let openLatency = await terminal.press(.enter)
    guard await terminal.waitForFrame(containing: "lines — follow") else { fatalError("log not shown") }
    var scroll: [Double] = []
    for _ in 0..<200 { scroll.append(await terminal.press(.pageUp)) }
    for _ in 0..<100 { scroll.append(await terminal.press(.character("j"))) }
    print(String(format: "open the 1,000,000-line log: %.1f ms; log keys: p50 %.2f ms, p99 %.2f ms, max %.2f ms over %d keys (paging back from the store)",
                 openLatency, percentile(scroll, 0.5), percentile(scroll, 0.99), scroll.max()!, scroll.count))
    print(String(format: "memory: %.1f MB resident before the console, %.1f MB with the board and the log open", rssBefore, residentMB()))

    // 4. A flood of log lines from another writer while an operator presses keys.
    _ = await terminal.press(.character("G"))
    let writerStore = try SQLiteStore(directory: directory)
    let flood = Task { () -> Int in
        var written = 0
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            let batch = (0..<200).map { TaskEvent(taskId: bigTaskID, at: Date(), level: .info, agent: "execution", message: "flood line \(written + $0)") }
            _ = try? await writerStore.appendEvents(batch)
            written += batch.count
        }
        return written
    }
    var during: [Double] = []
    let floodStart = Date()
    while Date().timeIntervalSince(floodStart) < 5 {
        during.append(await terminal.press(.character(during.count % 2 == 0 ? "t" : "t")))
        try? await Task.sleep(nanoseconds: 50_000_000)
    }
    let written = await flood.value
    try? await Task.sleep(nanoseconds: 600_000_000)
    let shown = terminal.lastFrame?.text().contains("flood line \(written - 1)") == true
    print(String(format: "log flood: %d lines written in 5 s (%.0f lines/s) by another store connection; newest line on screen: %@; key → frame during the flood: p50 %.2f ms, p99 %.2f ms over %d keys",
                 written, Double(written) / 5, shown ? "yes" : "no", percentile(during, 0.5), percentile(during, 0.99), during.count))
    print(String(format: "memory after the flood: %.1f MB resident", residentMB()))
    terminal.continuation.yield(.interrupt)
    await running.value
}
