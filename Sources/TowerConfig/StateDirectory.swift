import Foundation

/// Where Tower keeps its database: `--state-dir`, else `TOWER_HOME`, else
/// `$XDG_STATE_HOME/tower`, else `~/.local/state/tower`.
public enum StateDirectory {
    /// The directory and the rule that chose it.
    public static func resolve(explicit: String?, configuration: Configuration, environment: [String: String]) -> (url: URL, origin: String) {
        if let explicit, !explicit.isEmpty { return (URL(fileURLWithPath: expand(explicit, environment)), "--state-dir") }
        if let entry = configuration.entries["TOWER_HOME"], !entry.value.isEmpty {
            return (URL(fileURLWithPath: expand(entry.value, environment)), "TOWER_HOME (\(entry.source))")
        }
        if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty { return (URL(fileURLWithPath: xdg + "/tower"), "XDG_STATE_HOME") }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return (URL(fileURLWithPath: home + "/.local/state/tower"), "default")
    }

    private static func expand(_ path: String, _ environment: [String: String]) -> String {
        guard path.hasPrefix("~") else { return path }
        return (environment["HOME"] ?? NSHomeDirectory()) + path.dropFirst()
    }
}
