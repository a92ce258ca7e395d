import Foundation
import TowerConfig
import TowerResources

/// Finds themes: the operator's (`$TOWER_THEMES`, `~/.config/tower/themes`) before the shipped
/// ones (`themes/` beside the installation or the source tree the binary was built in), then
/// the shipped themes built into the binary, so a copied binary still has its colours.
public struct ThemeLibrary: Sendable {
    public let directories: [URL]
    /// Whether the themes built into the binary answer last.
    public let useBundled: Bool

    public init(directories: [URL], useBundled: Bool = true) {
        self.directories = directories
        self.useBundled = useBundled
    }

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
        if useBundled {
            for file in Bundled.files(under: "themes").keys where file.hasSuffix(".toml") { names.insert(String(file.dropLast(5))) }
        }
        return names.sorted()
    }

    /// Where the theme `name` comes from, for `tower config`: a file's path, `built-in`, or `nil`.
    public func origin(_ name: String) -> String? {
        for dir in directories {
            let url = dir.appendingPathComponent("\(name).toml")
            if FileManager.default.isReadableFile(atPath: url.path) { return url.path }
        }
        return useBundled && Bundled.text("themes/\(name).toml") != nil ? "built-in" : nil
    }

    /// Loads a theme by name from the first directory that has it.
    public func load(_ name: String) throws -> Theme {
        guard !name.contains("/") else { throw ThemeError.notFound(name: name, available: names()) }
        for dir in directories {
            let url = dir.appendingPathComponent("\(name).toml")
            guard let text = try? String(contentsOf: url, encoding: .utf8) else { continue }
            return try Theme.parse(name: name, toml: text)
        }
        if useBundled, let text = Bundled.text("themes/\(name).toml") { return try Theme.parse(name: name, toml: text) }
        throw ThemeError.notFound(name: name, available: names())
    }
}
