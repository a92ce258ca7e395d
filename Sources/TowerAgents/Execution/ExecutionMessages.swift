import TowerCore

/// What Execution writes for people: the PR's checklist of plan tasks.
enum ExecutionMessages {
    /// `- [x] 1. Title (abc12345)` for each plan task of the repository; a repository without a
    /// test command says its changes were not tested.
    static func checklist(plan: PlanDocument, commits: [ExecutionOutput.Commit], repository: String, untested: Bool) -> String {
        var lines = ["## Implementation"]
        for task in plan.tasks where task.repository == nil || task.repository == repository {
            let commit = commits.first { $0.work == "plan-task \(task.number)" && $0.repository == repository }
            lines.append("- [\(commit == nil ? " " : "x")] \(task.number). \(task.title)" + (commit.map { " (\($0.sha.prefix(8)))" } ?? ""))
        }
        for fix in commits where fix.work.hasPrefix("ci-fix") && fix.repository == repository {
            lines.append("- [x] \(fix.title) (\(fix.sha.prefix(8)))")
        }
        lines.append("")
        lines.append(untested ? "⚠️ No test command was found for this repository: these changes were **not tested** by the agent." : "Each commit passed the repository's tests in the sandbox.")
        return lines.joined(separator: "\n")
    }
}
