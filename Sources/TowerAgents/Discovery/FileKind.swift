/// What a file is, from its path: Discovery tells tests, docs, configuration and build files
/// from sources, so a plan touches the right ones and a README does not outrank the code.
public enum FileKind: String, Sendable, Codable {
    case source, test, docs, config, build
    /// Examples, samples and demos: code, but rarely where a change to the product goes.
    case example

    /// The kind of the file at `path`.
    public static func of(_ path: String) -> FileKind {
        let lower = path.lowercased()
        let parts = lower.split(separator: "/")
        let name = parts.last.map(String.init) ?? lower
        let directories = Set(parts.dropLast().map(String.init))
        if !directories.isDisjoint(with: ["test", "tests", "__tests__", "spec", "specs", "testing", "e2e", "testdata"])
            || name.hasPrefix("test_") || name.hasSuffix("_test.go") || name.hasSuffix("_test.py") || name.contains(".test.") || name.contains(".spec.")
            || name.hasSuffix("tests.swift") || name.hasSuffix("test.java") || name.hasSuffix("tests.java") || name == "conftest.py"
        {
            return .test
        }
        if !directories.isDisjoint(with: ["examples", "example", "samples", "sample", "demo", "demos"]) { return .example }
        // The repository's own tooling (`scripts/test`, `scripts/release.py`, `tools/gen.py`)
        // builds and checks the product; it is not where a change to the product goes.
        let tooling = parts.count > 1 && ["scripts", "script", "tools"].contains(String(parts[0]))
        if manifestNames.contains(name) || name.hasSuffix(".gradle") || name == "makefile" || name == "dockerfile" || name.hasSuffix(".lock") || tooling {
            return .build
        }
        if !directories.isDisjoint(with: ["docs", "doc", "documentation"]) || name.hasSuffix(".md") || name.hasSuffix(".rst") || name.hasSuffix(".txt")
            || name.hasPrefix("license") || name.hasPrefix("changelog")
        {
            return name == "requirements.txt" ? .build : .docs
        }
        if name.hasSuffix(".json") || name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.hasSuffix(".toml") || name.hasSuffix(".ini")
            || name.hasSuffix(".cfg") || name.hasSuffix(".env") || name.hasPrefix(".") || directories.contains(".github")
        {
            return .config
        }
        return .source
    }

    /// How much a match in a file of this kind counts: code first, its tests close behind.
    var scoreFactor: Double {
        switch self {
        case .source: 1
        case .test: 0.85
        case .build: 0.7
        case .config: 0.6
        case .docs: 0.45
        case .example: 0.5
        }
    }

    /// Dependency manifests, by file name.
    static let manifestNames: Set<String> = [
        "package.json", "pyproject.toml", "requirements.txt", "setup.py", "setup.cfg", "go.mod", "package.swift", "cargo.toml", "pom.xml",
        "build.gradle", "gemfile", "composer.json",
    ]

    /// Whether a path's content is worth reading as text (no images, archives, lock files).
    static func isReadable(_ path: String) -> Bool {
        let lower = path.lowercased()
        let binary = [
            ".png", ".jpg", ".jpeg", ".gif", ".ico", ".pdf", ".zip", ".gz", ".tar", ".jar", ".so", ".dylib", ".woff", ".woff2", ".ttf", ".eot",
            ".mp4", ".mp3", ".bin", ".exe", ".pyc", ".class", ".lock", ".min.js", ".map", ".svg", ".webp", ".db", ".sqlite",
        ]
        return !binary.contains { lower.hasSuffix($0) } && !lower.hasSuffix("package-lock.json")
    }
}
