/// The files shipped in the source tree's `prompts/`, `themes/` and `demo/`, built into the
/// binary by the BundleResources plugin. They are the last place prompts and themes are looked
/// for, so a `tower` copied anywhere, with no `share/tower` beside it, still has its default
/// theme and prompts, and `tower demo` needs nothing but the binary.
public enum Bundled {
    /// The text of a bundled file, by its path in the source tree (`themes/dark.toml`).
    public static func text(_ path: String) -> String? {
        index[path]
    }

    /// Every bundled file under `directory` (`demo/org`), keyed by its path below it.
    public static func files(under directory: String) -> [String: String] {
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        var found: [String: String] = [:]
        for (path, text) in bundledFiles where path.hasPrefix(prefix) {
            found[String(path.dropFirst(prefix.count))] = text
        }
        return found
    }

    private static let index: [String: String] = Dictionary(bundledFiles.map { ($0.path, $0.text) }, uniquingKeysWith: { first, _ in first })
}
