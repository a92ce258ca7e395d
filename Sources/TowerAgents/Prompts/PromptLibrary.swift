import Foundation
import Mustache
import TowerConfig

/// The agents' prompts, read at run time from `prompts/<agent>/<name>.md` and rendered with
/// Mustache. A file of the same path under the operator's directory
/// (`~/.config/tower/prompts/`, or `$TOWER_PROMPTS_DIR`) overrides the shipped one, so a team
/// tunes its prompts without rebuilding Tower.
public struct PromptLibrary: Sendable {
    /// Searched in order; the first that has a file wins.
    public let directories: [URL]

    public init(directories: [URL]) {
        self.directories = directories
    }

    /// The operator's prompts (`$TOWER_PROMPTS_DIR`, `~/.config/tower/prompts`), then the shipped
    /// ones wherever this binary runs: beside the installation or in the source tree it was built in.
    public static func standard(environment: [String: String], executable: URL) -> PromptLibrary {
        PromptLibrary(directories: ResourceDirectories.search("prompts", overrideVariable: "TOWER_PROMPTS_DIR", environment: environment, executable: executable))
    }

    /// Where `agent/name.md` is read from.
    public func location(_ agent: String, _ name: String) throws -> URL {
        for directory in directories {
            let url = directory.appendingPathComponent(agent).appendingPathComponent("\(name).md")
            if FileManager.default.isReadableFile(atPath: url.path) { return url }
        }
        throw PromptError.missing("\(agent)/\(name).md", searched: directories.map(\.path))
    }

    /// `agent/name.md` rendered with `values`. Templates use `{{{name}}}` (no HTML escaping: the
    /// output is for a model, not a browser); untrusted text arrives already fenced.
    public func render(_ agent: String, _ name: String, _ values: [String: Any]) throws -> String {
        let url = try location(agent, name)
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw PromptError.unreadable(url.path, String(describing: error))
        }
        do {
            return try MustacheTemplate(string: text).render(values)
        } catch {
            throw PromptError.template(url.path, String(describing: error))
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
