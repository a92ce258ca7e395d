import Foundation

/// What a failing test run is cut down to before it goes back to the model: no colours, the
/// first failure first, and short, so the prompt stays small and the model fixes the cause.
/// Paths inside the checkout are made relative and timings are dropped: this machine's
/// directories are none of the model's business, and the same failure reads the same each time
/// (which is also what lets a recorded answer be replayed).
enum TestOutput {
    static let limit = 3000

    /// Lines that start a failure in the output of unittest, pytest, go test, cargo, jest,
    /// mocha, tap and swift test.
    static let markers = [
        "Traceback (most recent call last)", "FAIL:", "ERROR:", "FAILED ", "___ ", "AssertionError", "--- FAIL", "panicked at", "error[E",
        "error:", "Error:", "✕", "● ", "not ok ", "failed:", "SyntaxError", "ModuleNotFoundError", "ImportError",
    ]

    /// The excerpt of `output`: from just before the first failure, at most ``limit``
    /// characters, then the run's last lines (its summary) when they were not included.
    static func excerpt(_ output: String, checkout: String? = nil) -> String {
        var output = output
        if let checkout, !checkout.isEmpty { output = output.replacingOccurrences(of: checkout.hasSuffix("/") ? checkout : checkout + "/", with: "") }
        output = output.replacingOccurrences(of: #"\b(in|took) \d+(\.\d+)?m?s\b"#, with: "$1 …s", options: .regularExpression)
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false).map { ActionsLog.clean(String($0)) }
        let first = lines.firstIndex { line in markers.contains { line.contains($0) } } ?? max(0, lines.count - 40)
        var kept: [String] = []
        var size = 0
        for line in lines[max(0, first - 2)...] {
            if size + line.count + 1 > limit { break }
            kept.append(line)
            size += line.count + 1
        }
        let summary = lines.suffix(4).filter { !$0.isEmpty }
        let covered = max(0, first - 2) + kept.count >= lines.count - 4
        var text = kept.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        if !covered, !summary.isEmpty { text += "\n[…]\n" + summary.joined(separator: "\n") }
        return text
    }
}
