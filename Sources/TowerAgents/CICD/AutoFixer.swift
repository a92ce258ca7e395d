import Foundation
import TowerCore
import TowerEngine
import TowerServices

/// One auto-fix attempt: a sandboxed checkout of the branch without network, the original
/// table's fix command for each class (the LLM-guided change for mypy), the same tools in check
/// mode to confirm, and one `ci: auto-fix <class>` commit of what changed.
struct AutoFixer {
    let services: AgentServices
    let forge: any Forge

    /// The commit that fixes it, or `nil` when this attempt did not (the reason is logged).
    func fix(
        _ failure: LogClassification, repo: RepositoryRef, branch: String, attempt: Int, directory: URL, context: StepContext
    ) async throws -> String? {
        let workspace = try await Workspace.open(repo, branch: branch, forge: forge, directory: directory, testCommand: nil)
        defer { workspace.remove() }
        let timeout = services.execution.testTimeout
        let before = snapshot(workspace)
        let classes = failure.classes.filter(\.isAutoFixable)
        for logClass in classes {
            if let command = logClass.fixCommand {
                let run = try await workspace.run(command, timeout: timeout)
                try await context.log(
                    run.succeeded ? .info : .warning,
                    "auto-fix \(attempt) on \(repo): `\(command)` " + (run.succeeded ? "ran" : "exited \(run.exitCode): \(TestOutput.excerpt(run.output).prefix(300))"))
            } else if logClass == .mypy {
                try await guidedFix(failure, workspace: workspace, attempt: attempt, context: context)
            }
        }
        for logClass in classes {
            guard let check = logClass.checkCommand else { continue }
            let run = try await workspace.run(check, timeout: timeout)
            guard run.succeeded else {
                try await context.log(.warning, "auto-fix \(attempt) on \(repo): `\(check)` still fails: \(TestOutput.excerpt(run.output).prefix(400))")
                return nil
            }
        }
        let after = snapshot(workspace)
        let changed = after.filter { before[$0.key] != $0.value }.map { FileChange(path: $0.key, content: $0.value) }.sorted { $0.path < $1.path }
        guard !changed.isEmpty else {
            try await context.log(.warning, "auto-fix \(attempt) on \(repo): the fix changed nothing, so it cannot be what CI wants")
            return nil
        }
        let names = classes.map(\.rawValue).joined(separator: ", ")
        let sha = try await forge.commit(
            changed, message: "ci: auto-fix \(names)\n\n\(changed.count) file\(changed.count == 1 ? "" : "s") reformatted by the AI Agent after CI failed.\n\n"
                + ExecutionAgent.marker(context.task.id, "ci-autofix \(context.task.cycle).\(attempt)"),
            on: branch, in: repo)
        try await context.log(.info, "auto-fix \(attempt) on \(repo): \(names) confirmed locally; committed \(sha.prefix(8)) (\(changed.map(\.path).joined(separator: ", ")))")
        return sha
    }

    /// Every text file of the working copy, for what a fix changed.
    func snapshot(_ workspace: Workspace) -> [String: String] {
        var files: [String: String] = [:]
        for path in workspace.sandbox.listFiles() { files[path] = workspace.read(path) }
        return files
    }

    /// mypy's fix is a change the model writes from mypy's report and the files it names.
    func guidedFix(_ failure: LogClassification, workspace: Workspace, attempt: Int, context: StepContext) async throws {
        guard let caller = services.caller(for: .cicd, in: context, step: "ci_monitoring") else {
            try await context.log(.warning, "auto-fix \(attempt): mypy needs the model and \(services.llmProblem)")
            return
        }
        // The files mypy names, each cut around the lines it names when too large to show whole.
        var named: [String: [Int]] = [:]
        for line in failure.excerpt.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 2)
            let path = parts.first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
            guard path.hasSuffix(".py") || path.hasSuffix(".pyi") else { continue }
            named[path, default: []] += parts.count > 1 ? Int(parts[1]).map { [$0] } ?? [] : []
        }
        var shown: [(path: String, excerpt: FileExcerpt)] = []
        for (path, lines) in named.sorted(by: { $0.key < $1.key }).prefix(8) {
            guard let text = workspace.read(path) else { continue }
            shown.append((path, FileExcerpt.of(text, budget: ContextFiles.perFile, focus: lines)))
        }
        let seen = ContextFiles.Context(files: shown, new: [], outline: "")
        let files = seen.fenced()
        let prompt = try services.prompts.render(
            "cicd", "mypy", ["report": Fence.wrap(failure.excerpt, tag: "ci_output"), "files": files.joined(separator: "\n\n")])
        do {
            let answer = try await caller.ask(
                CodeChangeAnswer.self, system: try services.prompts.render("execution", "system", [:]), prompt: prompt, purpose: "mypy fix \(attempt)"
            ) { ChangeApplier.apply($0, current: workspace.read, notSeenWhole: seen.notSeenWhole).problems }
            _ = try workspace.write(ChangeApplier.apply(answer, current: workspace.read, notSeenWhole: seen.notSeenWhole).changes)
        } catch let error as StructuredCallError {
            try await context.log(.warning, "auto-fix \(attempt): the mypy fix was refused: \(error)")
        }
    }
}
