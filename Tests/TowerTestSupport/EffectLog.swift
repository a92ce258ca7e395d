import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A recorder of outside effects: one line per effect, appended with a single `write` on an
/// `O_APPEND` descriptor so that a process killed mid-way leaves whole lines only.
public struct EffectLog: Sendable {
    public let path: String

    public init(path: String) { self.path = path }

    /// Every effect recorded, in order (duplicates kept: they are what the tests look for).
    public func entries() -> [String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }

    /// Whether `key` was done already: what a real step asks GitHub or Slack before acting.
    public func contains(_ key: String) -> Bool { entries().contains(key) }

    /// Records `key` as done.
    public func record(_ key: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        precondition(fd >= 0, "cannot open effect log \(path)")
        defer { close(fd) }
        let line = Array((key + "\n").utf8)
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        precondition(written == line.count, "short write to effect log")
    }
}
