import Foundation

/// Where Tower's own files of a kind (`themes`, `prompts`) are looked for, in order: the
/// operator's (`$OVERRIDE`, then `~/.config/tower/KIND`), then the shipped ones beside the
/// installed binary (`bin/../share/tower/KIND`) or in the source tree it was built in (a
/// `KIND` directory in one of the binary's parent directories), wherever the process runs.
public enum ResourceDirectories {
    public static func search(_ kind: String, overrideVariable: String, environment: [String: String], executable: URL) -> [URL] {
        var directories: [URL] = []
        if let custom = environment[overrideVariable], !custom.isEmpty { directories.append(URL(fileURLWithPath: custom)) }
        let config = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory()).appendingPathComponent(".config")
        directories.append(config.appendingPathComponent("tower/\(kind)"))
        var directory = executable.resolvingSymlinksInPath().deletingLastPathComponent()
        directories.append(directory.appendingPathComponent("../share/tower/\(kind)").standardized)
        for _ in 0..<5 {
            directories.append(directory.appendingPathComponent(kind))
            directory = directory.deletingLastPathComponent()
        }
        return directories
    }
}
