import Foundation
import TowerAgents
import TowerCore
import TowerDemo
import TowerEngine
import TowerLLM
import TowerStore

/// `tower-bench record-demo --recordings DIR` (scripts/record-demo): runs the demo's story with
/// each call answered by the recording made for the same call name, and writes the recordings
/// again under the keys of today's prompts. The answers stay as they were; only what they answer
/// is brought up to date. Fails, leaving DIR alone, unless the story completes.
func recordDemo() async throws {
    let source = URL(fileURLWithPath: option("--recordings", "demo/recordings")).standardizedFileURL
    let work = FileManager.default.temporaryDirectory.appendingPathComponent("tower-record-demo-\(UUID().uuidString.prefix(6))")
    defer { try? FileManager.default.removeItem(at: work) }
    let fresh = work.appendingPathComponent("recorded")
    let site = DemoSite(root: work.appendingPathComponent("demo"))
    let store = try SQLiteStore(directory: site.stateDirectory)
    try await site.prepare(store: store)
    let llm = RecordingProvider(recording: ReplayProvider(directory: source, matchingByCall: true), into: fresh)
    let engine = Engine(store: store, workflow: Workflow.agents(site.services(store: store, configuration: site.configuration(ciPollInterval: 0.1), llm: llm)))
    let running = Task { await engine.run() }
    let (task, _) = try await site.task(store: store, by: Actor(user: "record-demo", channel: .cli))
    var shown: Int64?
    var status = TaskStatus.started
    while true {
        for event in try await store.events(taskId: task.id, after: shown, limit: 500) {
            shown = event.sequence
            print("\(event.agent): \(event.message)")
        }
        status = try await store.task(id: task.id)?.status ?? status
        if status == .awaitingApproval {
            _ = try await OperatorCommands(store: store).approve(task.id, by: Actor(user: "record-demo", channel: .cli))
            await engine.wake()
        }
        if status.isTerminal { break }
        try await Task.sleep(nanoseconds: 100_000_000)
    }
    running.cancel()
    await running.value
    guard status == .completed else {
        FileHandle.standardError.write(Data("record-demo: the story ended \(status.rawValue); \(source.path) is unchanged\n".utf8))
        exit(1)
    }
    let old = try FileManager.default.contentsOfDirectory(atPath: source.path).filter { $0.hasSuffix(".json") }
    for name in old { try FileManager.default.removeItem(at: source.appendingPathComponent(name)) }
    let made = try FileManager.default.contentsOfDirectory(atPath: fresh.path).filter { $0.hasSuffix(".json") }.sorted()
    for name in made { try FileManager.default.copyItem(at: fresh.appendingPathComponent(name), to: source.appendingPathComponent(name)) }
    print("record-demo: \(made.count) recordings written to \(source.path) (\(old.count) before)")
}
