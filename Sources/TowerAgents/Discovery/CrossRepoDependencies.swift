import Foundation
import TowerCore

/// Which repositories of the organization use which others, found from what they declare:
/// dependency manifests (package.json, pyproject/requirements, go.mod, Package.swift,
/// Cargo.toml, pom.xml, …) name a library; code names a service by its URL, host or client
/// package. Each edge has a `type` (`library` from a manifest or an import, `API` from a URL
/// or host) and the evidence in the log.
public enum CrossRepoDependencies {
    /// One found edge, with where it was seen.
    public struct Edge: Sendable, Equatable {
        public var dependency: DiscoveryResult.Dependency
        public var evidence: String
    }

    /// Edges from `files` (path → text, per repository) to the other repositories in `organization`.
    /// A manifest's declaration is the edge's direction: "A → B" when A declares B. A reference
    /// in code counts only from source files, and never against a declaration the other way (a
    /// framework's docs that import its plugin do not make the framework depend on it).
    /// `published` is ``publishedNames(files:)``, when the caller has it already.
    public static func find(files: [String: [String: String]], organization: [String], published: [String: Set<String>]? = nil) -> [Edge] {
        var edges: [Edge] = []
        var seen = Set<String>()
        func add(_ from: String, _ to: String, _ type: String, _ evidence: String) {
            guard from != to, seen.insert("\(from)>\(to)>\(type)").inserted else { return }
            edges.append(Edge(dependency: DiscoveryResult.Dependency(from: from, to: to, type: type), evidence: evidence))
        }
        let published = published ?? publishedNames(files: files)
        let targets = organization.map { ($0, variants(of: $0).union(published[$0] ?? [])) }
        // Manifests first, across every repository: what each declares.
        var declared = Set<String>()  // "from>to"
        for (repository, contents) in files.sorted(by: { $0.key < $1.key }) {
            let from = shortName(repository)
            for (path, text) in contents.sorted(by: { $0.key < $1.key }) where isManifest(path) {
                let name = path.split(separator: "/").last.map(String.init) ?? path
                guard let manifest = Manifests.read(name: name, text: text) else { continue }
                let own = manifest.own.map(normalise)
                for (target, names) in targets where shortName(target) != from {
                    let to = shortName(target)
                    // A manifest that names itself like the target is the target's own (a vendored copy).
                    if let own, names.contains(own) { continue }
                    if manifest.dependencies.contains(where: { names.contains(normalise($0)) }) {
                        declared.insert("\(from)>\(to)")
                        add(from, to, "library", "\(repository):\(path) declares \(to)")
                    }
                }
            }
        }
        // Then code: imports and URLs in source files.
        for (repository, contents) in files.sorted(by: { $0.key < $1.key }) {
            let from = shortName(repository)
            for (path, text) in contents.sorted(by: { $0.key < $1.key }) where !isManifest(path) && FileKind.of(path) == .source {
                // Once per file: the lowercase text and its words, so that a repository the file
                // never names costs a set lookup, not a scan of the text.
                let lower = text.lowercased()
                let words = Self.words(lower)
                for (target, names) in targets where shortName(target) != from {
                    let to = shortName(target)
                    if declared.contains("\(to)>\(from)") { continue }
                    if words.contains(where: { word in names.contains { word.hasPrefix($0) } }), let how = reference(inLowercased: lower, to: names) {
                        add(from, to, how.type, "\(repository):\(path) \(how.evidence)")
                    }
                }
            }
        }
        return edges
    }

    /// What each repository publishes, from the manifests at its root ("Jinja2" for jinja),
    /// normalised: another repository declares that name, not the repository's. A scoped npm
    /// name (`@use-gesture/root`) is left out: its last part says nothing of the repository.
    static func publishedNames(files: [String: [String: String]]) -> [String: Set<String>] {
        var published: [String: Set<String>] = [:]
        for (repository, contents) in files {
            for (path, text) in contents where !path.contains("/") && isManifest(path) {
                guard let own = Manifests.read(name: path, text: text)?.own, !own.hasPrefix("@"), !own.contains("/") else { continue }
                published[repository, default: []].insert(normalise(own))
            }
        }
        return published
    }

    static func isManifest(_ path: String) -> Bool {
        Manifests.isManifest(path.split(separator: "/").last.map(String.init) ?? path)
    }

    /// `owner/name` → `name`.
    static func shortName(_ repository: String) -> String {
        repository.split(separator: "/").last.map(String.init) ?? repository
    }

    /// The spellings a repository's name takes in code: `billing-service`, `billing_service`, `billingservice`.
    static func variants(of repository: String) -> Set<String> {
        let name = shortName(repository).lowercased()
        return [name, name.replacingOccurrences(of: "-", with: "_"), name.replacingOccurrences(of: "_", with: "-"), normalise(name)]
    }

    /// Lowercase without `-`, `_` and `.`, so `billing-client` meets `billing_client`.
    static func normalise(_ name: String) -> String {
        let base = name.split(separator: "/").last.map(String.init) ?? name
        return base.lowercased().filter { $0 != "-" && $0 != "_" && $0 != "." }
    }

    /// `requests>=2.0` → `requests`; `acme-client[extra]==1` → `acme-client`.
    static func requirementName(_ text: String) -> String? {
        let name = text.prefix { $0.isLetter || $0.isNumber || "-_.".contains($0) }
        return name.isEmpty ? nil : String(name)
    }

    /// How code names another repository: an import of its package (`library`), or its URL,
    /// host or `…_URL` setting (`API`).
    static func reference(in text: String, to names: Set<String>) -> (type: String, evidence: String)? {
        reference(inLowercased: text.lowercased(), to: names)
    }

    /// The distinct words of a lowercase text: runs of letters, digits, `-` and `_`.
    static func words(_ lower: String) -> Set<Substring> {
        var words = Set<Substring>()
        var start: String.Index?
        var index = lower.utf8.startIndex
        while index != lower.utf8.endIndex {
            let byte = lower.utf8[index]
            let inWord = Terms.isWordByte(byte) || byte == 0x2D
            if inWord, start == nil { start = index }
            if !inWord, let begun = start {
                words.insert(lower[begun..<index])
                start = nil
            }
            index = lower.utf8.index(after: index)
        }
        if let begun = start { words.insert(lower[begun...]) }
        return words
    }

    static func reference(inLowercased lower: String, to names: Set<String>) -> (type: String, evidence: String)? {
        // One pass per spelling: find each occurrence, then read a few bytes on either side.
        let text = Array(lower.utf8)
        for name in names.sorted() where name.utf8.count >= 3 {
            let needle = Array(name.utf8)
            var library: String?
            var start = 0
            while start + needle.count <= text.count {
                guard let first = text[start...].firstIndex(of: needle[0]) else { break }
                start = first + 1
                guard first + needle.count <= text.count, text[first..<first + needle.count].elementsEqual(needle) else { continue }
                let end = first + needle.count
                // Not part of a longer word (`billing-service` inside `billing-service-v2` is still it).
                if first > 0, Terms.isWordByte(text[first - 1]) { continue }
                let before = String(decoding: text[max(0, first - 24)..<first], as: UTF8.self)
                let after = String(decoding: text[end..<min(text.count, end + 12)], as: UTF8.self)
                if before.hasSuffix("://") || before.hasSuffix("//") || after.hasPrefix(".internal") || after.hasPrefix(".svc") || after.hasPrefix("_url")
                    || after.hasPrefix(":") && after.dropFirst().first?.isNumber == true
                {
                    return ("API", "calls it at a URL with host \(name)")
                }
                if library == nil,
                    before.hasSuffix("import ") || before.hasSuffix("from ") || before.hasSuffix("require('") || before.hasSuffix("require(\"")
                        || before.hasSuffix("from '") || before.hasSuffix("from \"") || before.hasSuffix("use ") || before.contains("github.com/")
                {
                    library = "imports \(name)"
                }
            }
            if let library { return ("library", library) }
        }
        return nil
    }
}
