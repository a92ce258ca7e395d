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
        // Each run the CI/CD agent classified, as one line: what ran, what failed, what was done.
        let runs = artifacts.filter { $0.kind == .ciLog }.map { describe($0) }
        if cycles.isEmpty, !runs.isEmpty {
            let last = detail.timeline.last { $0.agent == StepKind.ciMonitoring.agent }
            cycles.append(CICycle(cycle: 0, outcome: last?.message ?? "in progress", logs: []))
        }
        if let index = cycles.indices.last { cycles[index].logs += runs }
        detail.ciCycles = cycles
        return detail
    }

    /// A CI run report (`{"repository", "runId", "conclusion", "classes", "action", …}`) as a line;
    /// a log stored in another shape by its name.
    static func describe(_ artifact: Artifact) -> String {
        struct Report: Decodable {
            var repository: String
            var runId: Int64
            var name: String
            var headSha: String
            var conclusion: String
            var classes: [String]
            var action: String
        }
        guard let report = try? JSONDecoder().decode(Report.self, from: artifact.content) else { return artifact.name }
        let classes = report.classes.isEmpty ? "" : " [\(report.classes.joined(separator: ", "))]"
        let run = report.runId == 0 ? "no run" : "\(report.name) #\(report.runId)"
        return "\(report.repository) \(run) on \(report.headSha.prefix(8)): \(report.conclusion)\(classes) → \(report.action)"
    }
}
