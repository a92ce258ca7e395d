import Foundation

/// One file that collects every line Tower writes during a test run: HTTP attempt logs, the
/// output of every child process, console screens. `scripts/test` scans it for secrets once
/// the run is over. Its path comes from `TOWER_TEST_RUN_LOG` (set by `scripts/test`); without
/// it lines go nowhere, so a single test run by hand needs no setup.
public enum RunLog {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var handle: FileHandle? = {
        guard let path = ProcessInfo.processInfo.environment["TOWER_TEST_RUN_LOG"], !path.isEmpty else { return nil }
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        let handle = FileHandle(forWritingAtPath: path)
        handle?.seekToEndOfFile()
        return handle
    }()

    /// Appends one line (or several), tagged with where it came from.
    @Sendable public static func record(_ text: String, from source: String) {
        lock.withLock {
            guard let handle else { return }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { "[\(source)] \($0)\n" }.joined()
            handle.write(Data(lines.utf8))
        }
    }

    /// A log closure for `HTTPClient(log:)`.
    public static func http(_ source: String) -> @Sendable (String) -> Void {
        { line in record(line, from: source) }
    }
}

/// Finds secrets in logged text: every known test secret, and anything carrying the marker.
public enum RunLogScan {
    public struct Finding: Equatable, Sendable {
        public var line: Int
        public var text: String
    }

    public static func findings(in text: String, secrets: [String] = TestSecrets.all) -> [Finding] {
        var found: [Finding] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if line.contains(TestSecrets.marker) || secrets.contains(where: { line.contains($0) }) {
                found.append(Finding(line: number + 1, text: masked(String(line.prefix(300)), secrets: secrets)))
            }
        }
        return found
    }

    /// The line with each secret (and each word carrying the marker) replaced, so that
    /// reporting a leak does not leak it again.
    static func masked(_ line: String, secrets: [String]) -> String {
        var text = line
        for secret in secrets { text = text.replacingOccurrences(of: secret, with: "<secret>") }
        return text.split(separator: " ", omittingEmptySubsequences: false).map { $0.contains(TestSecrets.marker) ? "<secret>" : String($0) }.joined(separator: " ")
    }
}
