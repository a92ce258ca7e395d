import Foundation
import Mustache

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

    /// The operator's override directory, then the shipped prompts wherever this binary runs:
    /// beside it (`bin/../share/tower/prompts`, `bin/prompts`), then the source tree it was
    /// built from.
    public static func standard(environment: [String: String], executable: URL) -> PromptLibrary {
        var directories: [URL] = []
        if let explicit = environment["TOWER_PROMPTS_DIR"], !explicit.isEmpty { directories.append(URL(fileURLWithPath: explicit)) }
        let config = environment["XDG_CONFIG_HOME"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory()).appendingPathComponent(".config")
        directories.append(config.appendingPathComponent("tower/prompts"))
        directories += shipped(executable: executable)
        return PromptLibrary(directories: directories)
    }

    /// Where the shipped prompts may be, for a binary at `executable`.
    static func shipped(executable: URL) -> [URL] {
        let bin = executable.resolvingSymlinksInPath().deletingLastPathComponent()
        // This file is Sources/TowerAgents/Prompts/PromptLibrary.swift in the source tree.
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("prompts")
        return [
            bin.deletingLastPathComponent().appendingPathComponent("share/tower/prompts"), bin.appendingPathComponent("prompts"),
            bin.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("prompts"), source,
        ]
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
