import Foundation
import TowerServices
import TowerStore

extension Gateway {
    /// Which forge the agents use, and why: the local forge when `TOWER_FORGE_DIR` is set (bare
    /// repositories at `DIR/OWNER/NAME.git`, `GITHUB_ORG` the owner), else GitHub when its token
    /// and organization are set, else none, with what to set.
    public func forge(store: any Store) -> (forge: (any Forge)?, problem: String?) {
        if let directory = forgeDirectory, !directory.isEmpty {
            guard githubOrg?.isEmpty == false else { return (nil, "the local forge needs GITHUB_ORG to name the owner of the repositories in \(directory)") }
            return (LocalForge(root: URL(fileURLWithPath: directory), store: store), nil)
        }
        if let github {
            guard githubOrg?.isEmpty == false else { return (nil, "GitHub needs GITHUB_ORG: the organization whose code the agents work on") }
            return (GitHubForge(client: github), nil)
        }
        let why = unavailable[.github].map { "GitHub is \($0)" } ?? "GitHub is not configured"
        return (nil, "no forge: \(why); or set TOWER_FORGE_DIR for the local forge")
    }

    /// One line for `tower config` and `tower doctor`: which forge is in use.
    public var forgeDescription: String {
        if let directory = forgeDirectory, !directory.isEmpty {
            return "local forge at \(directory) (owner \(githubOrg ?? "unset: set GITHUB_ORG"))"
        }
        if github != nil { return "GitHub (\(githubOrg.map { "organization \($0)" } ?? "GITHUB_ORG unset"))" }
        return "none (set GITHUB_TOKEN and GITHUB_ORG, or TOWER_FORGE_DIR)"
    }
}
