import Foundation
import Mustache
import TowerConfig
import TowerResources

/// The agents' prompts, read at run time from `prompts/<agent>/<name>.md` and rendered with
/// Mustache. A file of the same path under the operator's directory
/// (`~/.config/tower/prompts/`, or `$TOWER_PROMPTS_DIR`) overrides the shipped one, so a team
/// tunes its prompts without rebuilding Tower. The shipped prompts are also built into the
/// binary: they answer when no directory has the file (an installed binary without its `share/`).
public struct PromptLibrary: Sendable {
    /// Searched in order; the first that has a file wins.
    public let directories: [URL]
    /// Whether the prompts built into the binary answer last.
    public let useBundled: Bool

    public init(directories: [URL], useBundled: Bool = true) {
        self.directories = directories
        self.useBundled = useBundled
    }

    /// Only the prompts this binary was built with: what the demo's recordings were made from,
    /// whatever the operator overrides.
    public static let bundled = PromptLibrary(directories: [])

    /// The operator's prompts (`$TOWER_PROMPTS_DIR`, `~/.config/tower/prompts`), then the shipped
    /// ones wherever this binary runs: beside the installation or in the source tree it was built in.
    public static func standard(environment: [String: String], executable: URL) -> PromptLibrary {
        PromptLibrary(directories: ResourceDirectories.search("prompts", overrideVariable: "TOWER_PROMPTS_DIR", environment: environment, executable: executable))
    }

    /// Where `agent/name.md` is read from: a file's path, or `built-in` for the bundled copy.
    public func location(_ agent: String, _ name: String) throws -> String {
        try source(agent, name).origin
    }

    /// The template `agent/name.md` and where it came from.
    func source(_ agent: String, _ name: String) throws -> (origin: String, text: String) {
        for directory in directories {
            let url = directory.appendingPathComponent(agent).appendingPathComponent("\(name).md")
            guard FileManager.default.isReadableFile(atPath: url.path) else { continue }
            do {
                return (url.path, try String(contentsOf: url, encoding: .utf8))
            } catch {
                throw PromptError.unreadable(url.path, String(describing: error))
            }
        }
        if useBundled, let text = Bundled.text("prompts/\(agent)/\(name).md") { return ("built-in", text) }
        throw PromptError.missing("\(agent)/\(name).md", searched: directories.map(\.path))
    }

    /// Where the first shipped prompt comes from, for `tower config`: a directory, or `built-in`.
    public func origin() -> String {
        guard let location = try? location("planning", "system") else { return "none" }
        guard location != "built-in" else { return location }
        return URL(fileURLWithPath: location).deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// `agent/name.md` rendered with `values`. Templates use `{{{name}}}` (no HTML escaping: the
    /// output is for a model, not a browser); untrusted text arrives already fenced.
    public func render(_ agent: String, _ name: String, _ values: [String: Any]) throws -> String {
        let (origin, text) = try source(agent, name)
        do {
            return try MustacheTemplate(string: text).render(values)
        } catch {
            throw PromptError.template(origin, String(describing: error))
        }
    }
}

/// Why a prompt could not be had.
public enum PromptError: Error, Equatable, CustomStringConvertible {
    case missing(String, searched: [String])
    case unreadable(String, String)
    case template(String, String)

    public var description: String {
        switch self {
        case .missing(let name, let searched): "no prompt \(name) in \(searched.joined(separator: ", "))"
        case .unreadable(let path, let why): "cannot read the prompt \(path): \(why)"
        case .template(let path, let why): "the prompt \(path) is not a valid Mustache template: \(why)"
        }
    }
}
