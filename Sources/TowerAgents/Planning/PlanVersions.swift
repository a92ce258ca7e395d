import Crypto
import Foundation
import TowerCore
import TowerEngine
import TowerServices

/// PLAN.md as it stands on the plan's branches, as a ``PlanVersion``: what an approval binds to,
/// and what Execution compares with the approved version before it writes anything.
enum PlanVersions {
    /// PLAN.md as it stands: the version, the plan read from it, and its text. A reviewer's edit
    /// in any repository wins over the text Planning wrote (the first edited one, in the plan's
    /// order), and the commit that made it is named.
    struct Current {
        var version: PlanVersion
        var plan: PlanDocument
        var text: String
    }

    /// The version Planning commits: the same PLAN.md in each repository, unedited.
    static func planned(_ markdown: String, repositories: [String]) -> PlanVersion {
        let blob = blobId(markdown)
        return PlanVersion(hash: sha256(markdown), blobs: Dictionary(uniqueKeysWithValues: repositories.map { ($0, blob) }))
    }

    /// Reads PLAN.md from each repository's branch.
    static func current(_ planning: PlanningOutput, forge: any Forge) async throws -> Current {
        let written = planning.plan.render()
        var blobs: [String: String] = [:]
        var chosen: (repository: RepositoryRef, plan: PlanDocument, text: String)?
        var edited: (repository: RepositoryRef, plan: PlanDocument, text: String)?
        for pr in planning.pullRequests {
            guard let repo = RepositoryRef(pr.repository), let text = try await forge.file("PLAN.md", in: repo, ref: planning.branch) else { continue }
            let parsed: PlanDocument
            do {
                parsed = try PlanDocument.parse(text)
            } catch {
                throw PermanentStepFailure("PLAN.md on \(pr.repository)@\(planning.branch) cannot be read: \(error.description)")
            }
            blobs[pr.repository] = blobId(text)
            if text != written, edited == nil { edited = (repo, parsed, text) }
            if chosen == nil { chosen = (repo, parsed, text) }
        }
        guard let plan = edited ?? chosen else { throw PermanentStepFailure("PLAN.md is not on \(planning.branch) any more; nothing approved to execute") }
        var edit: PlanVersion.Edit?
        if let edited, let commit = try await forge.lastCommit(touching: "PLAN.md", on: planning.branch, in: edited.repository) {
            edit = PlanVersion.Edit(repository: edited.repository.description, commit: commit.sha, subject: String(commit.message.split(separator: "\n").first ?? ""))
        }
        return Current(version: PlanVersion(hash: sha256(plan.text), blobs: blobs, edit: edit), plan: plan.plan, text: plan.text)
    }

    /// Git's blob id of a text (`git hash-object`): what GitHub's contents API calls the file's sha.
    static func blobId(_ text: String) -> String {
        let data = Data(text.utf8)
        var hasher = Insecure.SHA1()
        hasher.update(data: Data("blob \(data.count)\0".utf8))
        hasher.update(data: data)
        return Hex.encode(hasher.finalize())
    }

    static func sha256(_ text: String) -> String {
        Hex.encode(SHA256.hash(data: Data(text.utf8)))
    }

    /// `PLAN.md changed after approval by acme/api@1a2b3c4d ("…")`, for logs and messages.
    static func changeNote(_ version: PlanVersion) -> String {
        version.edit.map { "by commit \($0.description)" } ?? "(\(version.shortHash))"
    }
}
