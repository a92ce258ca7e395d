import Foundation
import TowerConfig

/// Finds themes: the operator's (`$TOWER_THEMES`, `~/.config/tower/themes`) before the shipped
/// ones (`themes/` beside the installation or the source tree the binary was built in).
public struct ThemeLibrary: Sendable {
    public let directories: [URL]

    public init(directories: [URL]) { self.directories = directories }

    /// The usual search path for this process.
    public static func standard(environment: [String: String], executable: URL) -> ThemeLibrary {
        ThemeLibrary(directories: ResourceDirectories.search("themes", overrideVariable: "TOWER_THEMES", environment: environment, executable: executable))
    }

    /// Names of every theme found, sorted.
    public func names() -> [String] {
        var names = Set<String>()
        for dir in directories {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
            for file in files where file.hasSuffix(".toml") { names.insert(String(file.dropLast(5))) }
        }
        return names.sorted()
    }

    /// Loads a theme by name from the first directory that has it.
    public func load(_ name: String) throws -> Theme {
        guard !name.contains("/") else { throw ThemeError.notFound(name: name, available: names()) }
        for dir in directories {
            let url = dir.appendingPathComponent("\(name).toml")
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
            return try Theme.parse(name: name, toml: text)
        }
        throw ThemeError.notFound(name: name, available: names())
    }
}
