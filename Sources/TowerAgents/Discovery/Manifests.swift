import Foundation
import TOMLKit
import TowerCore

/// What a dependency manifest declares, read the way its package manager reads it: the
/// package's own name and the packages it depends on (runtime, optional, development). "A → B
/// (library)" then means A's manifest declares B, never the other way round.
enum Manifests {
    /// A manifest's own name (when it states one) and the names it declares.
    struct Declared: Equatable {
        var own: String?
        var dependencies: [String]
    }

    /// The manifests this reads, by file name (`requirements*.txt` too).
    static func isManifest(_ name: String) -> Bool {
        let lower = name.lowercased()
        return FileKind.manifestNames.contains(lower) || lower.hasSuffix(".gradle") || (lower.hasPrefix("requirements") && lower.hasSuffix(".txt"))
    }

    /// What `text`, a manifest named `name`, declares; `nil` when it is not a manifest.
    static func read(name: String, text: String) -> Declared? {
        let lower = name.lowercased()
        switch lower {
        case "pyproject.toml": return pyproject(text)
        case "cargo.toml": return cargo(text)
        case "setup.cfg": return setupCfg(text)
        case "setup.py":
            let own = firstMatch(#"\bname\s*=\s*['"]([^'"]+)['"]"#, in: text)
            let lists = KeywordExtractor.matches(#"(?s)(?:install_requires|tests_require|extras_require)\s*=\s*[\[{](.*?)[\]}]"#, in: text)
            let strings = lists.flatMap { KeywordExtractor.matches(#"['"]([^'"]+)['"]"#, in: $0) }
            return Declared(own: own, dependencies: strings.compactMap(CrossRepoDependencies.requirementName))
        case "package.json", "composer.json":
            guard let json = try? JSONValue.parse(text) else { return Declared(own: nil, dependencies: []) }
            var names: [String] = []
            for key in ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies", "require", "require-dev"] {
                if case .object(let members)? = json[key] { names += members.keys.sorted() }
            }
            return Declared(own: json["name"]?.string, dependencies: names)
        case "go.mod":
            let own = firstMatch(#"(?m)^module\s+(\S+)"#, in: text).map(goName)
            var required: [String] = []
            var inBlock = false
            for raw in text.split(whereSeparator: \.isNewline) {
                let line = raw.trimmingCharacters(in: .whitespaces)
                if line.hasPrefix("require (") { inBlock = true; continue }
                if inBlock, line == ")" { inBlock = false; continue }
                let entry = inBlock ? line : (line.hasPrefix("require ") ? String(line.dropFirst(8)) : "")
                guard let path = entry.split(separator: " ").first, !path.hasPrefix("//") else { continue }
                required.append(goName(String(path)))
            }
            return Declared(own: own, dependencies: required)
        case "package.swift":
            let urls = KeywordExtractor.matches(#"\.package\(\s*(?:name:\s*"[^"]*",\s*)?url:\s*"([^"]+)""#, in: text)
            return Declared(own: firstMatch(#"Package\(\s*name:\s*"([^"]+)""#, in: text), dependencies: urls.map { repositoryName($0) })
        case "gemfile":
            return Declared(own: nil, dependencies: KeywordExtractor.matches(#"(?m)^\s*gem\s+['"]([^'"]+)['"]"#, in: text))
        case "pom.xml":
            let blocks = KeywordExtractor.matches(#"(?s)<dependency>(.*?)</dependency>"#, in: text)
            return Declared(own: nil, dependencies: blocks.compactMap { firstMatch(#"<artifactId>([^<]+)</artifactId>"#, in: $0) })
        default:
            if lower.hasSuffix(".gradle") {
                let coordinates = KeywordExtractor.matches(#"(?:implementation|api|compile|testImplementation)\s*\(?\s*['"]([^'"]+)['"]"#, in: text)
                return Declared(own: nil, dependencies: coordinates.compactMap { $0.split(separator: ":").dropFirst().first.map(String.init) })
            }
            if lower.hasPrefix("requirements"), lower.hasSuffix(".txt") {
                return Declared(own: nil, dependencies: requirementLines(text))
            }
            return nil
        }
    }

    /// PEP 621 `[project]` (dependencies, optional-dependencies), PEP 735 `[dependency-groups]`,
    /// and Poetry's tables. The build system's requirements are not the package's dependencies.
    static func pyproject(_ text: String) -> Declared {
        guard let table = try? TOMLTable(string: text) else { return Declared(own: nil, dependencies: []) }
        var names: [String] = []
        let project = table["project"]?.table
        names += strings(project?["dependencies"]).compactMap(CrossRepoDependencies.requirementName)
        if let optional = project?["optional-dependencies"]?.table {
            for (_, value) in optional { names += strings(value).compactMap(CrossRepoDependencies.requirementName) }
        }
        if let groups = table["dependency-groups"]?.table {
            for (_, value) in groups { names += strings(value).compactMap(CrossRepoDependencies.requirementName) }
        }
        let poetry = table["tool"]?["poetry"]?.table
        for key in ["dependencies", "dev-dependencies"] {
            if let deps = poetry?[key]?.table { names += deps.map(\.0).filter { $0.lowercased() != "python" } }
        }
        if let groups = poetry?["group"]?.table {
            for (_, group) in groups { if let deps = group["dependencies"]?.table { names += deps.map(\.0) } }
        }
        return Declared(own: project?["name"]?.string ?? poetry?["name"]?.string, dependencies: names)
    }

    /// `[package]` and the `[dependencies]` tables, a renamed one by its real package name.
    static func cargo(_ text: String) -> Declared {
        guard let table = try? TOMLTable(string: text) else { return Declared(own: nil, dependencies: []) }
        var names: [String] = []
        for key in ["dependencies", "dev-dependencies", "build-dependencies"] {
            guard let deps = table[key]?.table else { continue }
            for (name, value) in deps { names.append(value.table?["package"]?.string ?? name) }
        }
        return Declared(own: table["package"]?["name"]?.string, dependencies: names)
    }

    /// `[metadata] name` and `[options] install_requires` / `[options.extras_require]`, values
    /// on continuation lines as setuptools reads them.
    static func setupCfg(_ text: String) -> Declared {
        var section = ""
        var key = ""
        var own: String?
        var names: [String] = []
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = String(raw)
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            if trimmed.hasPrefix("[") {
                section = trimmed.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).lowercased()
                key = ""
                continue
            }
            let continuation = line.first == " " || line.first == "\t"
            var value = trimmed
            if !continuation, let equals = trimmed.firstIndex(where: { $0 == "=" || $0 == ":" }) {
                key = trimmed[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
                value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            }
            if section == "metadata", key == "name", !continuation, !value.isEmpty { own = value }
            if (section == "options" && ["install_requires", "tests_require"].contains(key)) || section == "options.extras_require" {
                names += value.split(separator: ";").first.map { requirementLines(String($0)) } ?? []
            }
        }
        return Declared(own: own, dependencies: names)
    }

    static func requirementLines(_ text: String) -> [String] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            let t = line.trimmingCharacters(in: .whitespaces)
            guard !t.isEmpty, !t.hasPrefix("#"), !t.hasPrefix("-") else { return nil }
            return CrossRepoDependencies.requirementName(t)
        }
    }

    static func strings(_ value: (any TOMLValueConvertible)?) -> [String] {
        guard let array = value?.array else { return [] }
        return array.compactMap(\.string)
    }

    /// `github.com/acme/billing-client/v2` → `billing-client`.
    static func goName(_ path: String) -> String {
        let parts = path.split(separator: "/")
        guard let last = parts.last else { return path }
        if last.hasPrefix("v"), last.dropFirst().allSatisfy(\.isNumber), parts.count > 1 { return String(parts[parts.count - 2]) }
        return String(last)
    }

    /// `https://github.com/acme/billing-client.git` → `billing-client`.
    static func repositoryName(_ url: String) -> String {
        let last = url.split(separator: "/").last.map(String.init) ?? url
        return last.hasSuffix(".git") ? String(last.dropLast(4)) : last
    }

    static func firstMatch(_ pattern: String, in text: String) -> String? {
        KeywordExtractor.matches(pattern, in: text).first
    }
}
