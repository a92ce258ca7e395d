import Foundation
import TowerResources
import TowerServices

/// The demo's organization, `demo`: three small repositories (a Python service, its client,
/// static pages) shipped in `demo/org/` and built into the binary, so `tower demo` needs
/// nothing but the binary, git and python3.
public enum DemoOrganization {
    /// The owner the local forge keeps the repositories under (`GITHUB_ORG` in the demo).
    public static let owner = "demo"
    /// The demo's ticket, in `demo/tickets.json`.
    public static let ticket = "DEMO-1"

    /// Each repository's files, by repository name.
    public static func repositories() -> [String: [FileChange]] {
        var repositories: [String: [FileChange]] = [:]
        for (path, text) in Bundled.files(under: "demo/org") {
            let parts = path.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            repositories[parts[0], default: []].append(FileChange(path: parts[1], content: text))
        }
        return repositories.mapValues { $0.sorted { $0.path < $1.path } }
    }

    /// The recorded answers of the story, by file name.
    public static func recordings() -> [String: String] {
        Bundled.files(under: "demo/recordings").filter { $0.key.hasSuffix(".json") }
    }

    /// The ticket file's text (Jira's own JSON shape).
    public static func tickets() -> String? {
        Bundled.text("demo/tickets.json")
    }
}
