import Foundation
import TOMLKit

/// Tower's effective configuration: the environment over a `.env` file over the config file
/// over built-in defaults, each value remembering where it came from.
public struct Configuration: Sendable {
    /// Where a value came from.
    public enum Source: Sendable, Equatable, CustomStringConvertible {
        case environment
        case dotEnv(String)
        case configFile(String)
        case builtIn

        public var description: String {
            switch self {
            case .environment: "environment"
            case .dotEnv(let path): path
            case .configFile(let path): path
            case .builtIn: "default"
            }
        }
    }

    /// One resolved value.
    public struct Entry: Sendable, Equatable {
        public var value: String
        public var source: Source
    }

    /// Resolved values by key name (known keys and any others the files set).
    public private(set) var entries: [String: Entry]
    /// The files that were looked at, and whether they existed.
    public private(set) var files: [(path: String, found: Bool)]
    /// Problems worth telling the operator (unreadable lines, unknown keys).
    public private(set) var warnings: [String]

    /// A value, if set anywhere (built-in defaults included).
    public subscript(_ name: String) -> String? { entries[name]?.value }

    /// Resolves the configuration.
    /// - Parameters:
    ///   - environment: the process environment.
    ///   - dotEnvPath: a `.env` file (default `./.env`).
    ///   - configPath: a TOML file (default `$TOWER_CONFIG`, else `$XDG_CONFIG_HOME/tower/config.toml`,
    ///     else `~/.config/tower/config.toml`). Keys are the setting names; a table prefixes its
    ///     keys (`[jira] base_url` is `JIRA_BASE_URL`).
    public static func load(environment: [String: String], dotEnvPath: String? = nil, configPath: String? = nil) throws -> Configuration {
        var config = Configuration(entries: [:], files: [], warnings: [])
        for key in ConfigKey.all {
            if let value = key.defaultValue { config.entries[key.name] = Entry(value: value, source: .builtIn) }
        }

        let filePath = configPath ?? environment["TOWER_CONFIG"] ?? Self.defaultConfigPath(environment: environment)
        if let text = try Self.readIfPresent(filePath) {
            config.files.append((filePath, true))
            let table: TOMLTable
            do {
                table = try TOMLTable(string: text)
            } catch let error as TOMLParseError {
                throw ConfigurationError.malformedFile(path: filePath, line: error.source.begin.line, reason: error.description)
            }
            for (key, value) in Self.flatten(table, prefix: "") {
                config.set(key, value, from: .configFile(filePath))
            }
        } else {
            config.files.append((filePath, false))
        }

        let envPath = dotEnvPath ?? FileManager.default.currentDirectoryPath + "/.env"
        if let text = try Self.readIfPresent(envPath) {
            config.files.append((envPath, true))
            let parsed = DotEnv.parse(text)
            for line in parsed.badLines { config.warnings.append("\(envPath):\(line): not a KEY=value line; ignored") }
            for (key, value) in parsed.values { config.set(key, value, from: .dotEnv(envPath)) }
        } else {
            config.files.append((envPath, false))
        }

        for key in ConfigKey.all {
            if let value = environment[key.name], !value.isEmpty { config.entries[key.name] = Entry(value: value, source: .environment) }
        }
        return config
    }

    /// The built-in defaults and `values`, and nothing from the environment or any file: a
    /// self-contained setup (the demo) that none of the operator's credentials can reach.
    public static func fixed(_ values: [String: String]) -> Configuration {
        var config = Configuration(entries: [:], files: [], warnings: [])
        for key in ConfigKey.all {
            if let value = key.defaultValue { config.entries[key.name] = Entry(value: value, source: .builtIn) }
        }
        for (name, value) in values { config.entries[name] = Entry(value: value, source: .builtIn) }
        return config
    }

    private mutating func set(_ key: String, _ value: String, from source: Source) {
        let name = key.uppercased()
        if ConfigKey.named(name) == nil {
            warnings.append("\(source): \(name) is not a Tower setting; ignored")
            return
        }
        entries[name] = Entry(value: value, source: source)
    }

    private static func flatten(_ table: TOMLTable, prefix: String) -> [(String, String)] {
        var out: [(String, String)] = []
        for (key, value) in table {
            let name = prefix.isEmpty ? key : "\(prefix)_\(key)"
            if let nested = value.table {
                out += flatten(nested, prefix: name)
            } else if let string = value.string {
                out.append((name, string))
            } else if let int = value.int {
                out.append((name, String(int)))
            } else if let bool = value.bool {
                out.append((name, String(bool)))
            } else if let double = value.double {
                out.append((name, String(double)))
            }
        }
        return out
    }

    private static func readIfPresent(_ path: String) throws -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError.unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
    }

    /// `~/.config/tower/config.toml`, or under `$XDG_CONFIG_HOME`.
    public static func defaultConfigPath(environment: [String: String]) -> String {
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty { return xdg + "/tower/config.toml" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.config/tower/config.toml"
    }

    /// Every set value of a typed setting that does not fit, with why, in `tower config`'s order.
    public var invalidSettings: [(name: String, value: String, reason: String)] {
        ConfigKey.all.compactMap { key in
            guard let check = key.check, let value = self[key.name], let reason = check.problem(value) else { return nil }
            return (key.name, value, reason)
        }
    }

    /// The invalid settings as one sentence naming each, or `nil` when all fit: what `serve`,
    /// `run`, the console and the demo refuse to start with.
    public var invalidSettingsMessage: String? {
        let invalid = invalidSettings
        guard !invalid.isEmpty else { return nil }
        return "invalid settings: " + invalid.map { "\($0.name)=\"\($0.value)\" (\($0.reason))" }.joined(separator: "; ")
    }

    /// An integer setting, or its default when unset or not a number.
    public func integer(_ name: String, default fallback: Int) -> Int {
        self[name].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } ?? fallback
    }

    /// Every secret value set (known secret keys, and unknown keys whose names look secret):
    /// what a redactor must hide wherever it shows up.
    public var secretValues: [String] {
        entries.filter { ConfigKey.named($0.key)?.isSecret ?? ConfigKey.looksSecret($0.key) }.map(\.value.value).filter { !$0.isEmpty }
    }

    /// The services whose required settings are all set, and the missing names of the others.
    public func serviceReadiness() -> [(service: String, missing: [String])] {
        let groups = ConfigKey.all.filter { $0.group != "Tower" }.map(\.group)
        var seen = Set<String>()
        return groups.filter { seen.insert($0).inserted }.map { group in
            (group, ConfigKey.all.filter { $0.group == group && $0.isRequired && self[$0.name] == nil }.map(\.name))
        }
    }
}

/// Why the configuration could not be read.
public enum ConfigurationError: Error, CustomStringConvertible, Equatable {
    case malformedFile(path: String, line: Int, reason: String)
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .malformedFile(let path, let line, let reason): "\(path):\(line): not valid TOML: \(reason)"
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        }
    }
}
