import Foundation

/// Finds themes: the operator's (`$TOWER_THEMES`, `~/.config/tower/themes`) before the shipped
/// ones (`themes/` beside the installation or the source tree the binary was built in).
public struct ThemeLibrary: Sendable {
    public let directories: [URL]

    public init(directories: [URL]) { self.directories = directories }

    /// The usual search path for this process.
    public static func standard(environment: [String: String], executable: URL) -> ThemeLibrary {
        var dirs: [URL] = []
        if let custom = environment["TOWER_THEMES"], !custom.isEmpty { dirs.append(URL(fileURLWithPath: custom)) }
        let config = environment["XDG_CONFIG_HOME"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory()).appendingPathComponent(".config")
        dirs.append(config.appendingPathComponent("tower/themes"))
        var dir = executable.resolvingSymlinksInPath().deletingLastPathComponent()
        dirs.append(dir.appendingPathComponent("../share/tower/themes").standardized)
        for _ in 0..<5 {
            dirs.append(dir.appendingPathComponent("themes"))
            dir = dir.deletingLastPathComponent()
        }
        return ThemeLibrary(directories: dirs)
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
