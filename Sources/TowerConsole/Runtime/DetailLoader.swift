import Foundation
import TowerCore
import TowerStore

/// Reads what the task screen shows from the store: approval, newest PLAN.md, the newest diff of
/// each file, the discovery result, CI cycles, the milestones and the LLM calls.
enum DetailLoader {
    static func load(_ id: String, from store: any Store) async throws -> TaskDetail {
        var detail = TaskDetail(taskId: id)
        detail.approval = try await store.approval(taskId: id)
        let artifacts = try await store.artifacts(taskId: id, kind: nil)
        let plans = artifacts.filter { $0.kind == .plan }
        detail.planVersions = plans.count
        detail.plan = plans.last.map { String(decoding: $0.content, as: UTF8.self) }
        var newestDiff: [String: Artifact] = [:]
        var order: [String] = []
        for artifact in artifacts where artifact.kind == .diff {
            if newestDiff[artifact.name] == nil { order.append(artifact.name) }
            newestDiff[artifact.name] = artifact
        }
        detail.diffs = order.map { FileDiff(path: $0, text: String(decoding: newestDiff[$0]!.content, as: UTF8.self)) }
        if let discovery = artifacts.last(where: { $0.kind == .discovery }) {
            do {
                detail.discovery = try JSONDecoder().decode(DiscoveryResult.self, from: discovery.content)
            } catch {
                detail.discoveryError = "\(error)"
            }
        }
        detail.timeline = try await store.milestones(taskId: id)
        detail.llmCalls = try await store.llmCalls(taskId: id)
        var cycles: [CICycle] = []
        var cycle = 0
        for event in detail.timeline where event.agent == StepKind.ciMonitoring.agent {
            if event.message.hasPrefix("CI failed") {
                cycles.append(CICycle(cycle: cycle, outcome: event.message, logs: []))
                cycle += 1
            } else if event.message.hasPrefix("\(StepKind.ciMonitoring.rawValue) finished") {
                cycles.append(CICycle(cycle: cycle, outcome: "passed", logs: []))
            }
        }
        for log in artifacts where log.kind == .ciLog {
            if let index = cycles.indices.last { cycles[index].logs.append(log.name) }
        }
        detail.ciCycles = cycles
        return detail
    }
}
