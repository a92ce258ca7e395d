import Foundation
import TowerCore
import TowerServices
import TowerStore

/// The Diff tab's artifacts: one per changed file of each pull request's branch against its
/// base (PLAN.md left out), named `repo/path` when the plan spans repositories. Execution makes
/// them when it ends; CI/CD makes them again after an auto-fix, so the tab shows what the branch
/// holds, not what the model first wrote.
enum DiffArtifacts {
    static func of(_ pullRequests: [PullRequestRecord], branch: String, forge: any Forge) async throws -> [ArtifactDraft] {
        var artifacts: [ArtifactDraft] = []
        for pr in pullRequests {
            guard let repo = RepositoryRef(pr.repository) else { continue }
            for patch in try await forge.diff(base: pr.base, head: branch, in: repo) where patch.path != "PLAN.md" {
                let name = pullRequests.count > 1 ? "\(repo.name)/\(patch.path)" : patch.path
                artifacts.append(ArtifactDraft(kind: .diff, name: name, content: Data(patch.patch.utf8)))
            }
        }
        return artifacts
    }

    /// Those of `fresh` that differ from the newest stored diff of the same name.
    static func changed(_ fresh: [ArtifactDraft], stored: [Artifact]) -> [ArtifactDraft] {
        var newest: [String: Data] = [:]
        for artifact in stored where artifact.kind == .diff { newest[artifact.name] = artifact.content }
        return fresh.filter { newest[$0.name] != $0.content }
    }
}
