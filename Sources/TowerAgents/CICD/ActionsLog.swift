import Foundation

/// A CI job's log as steps: GitHub Actions' job log (a timestamp on every line, a step opened
/// by `##[group]Run COMMAND`, a failure closed by `##[error]Process completed with exit code
/// N.`), with ANSI colours and timestamps taken off. Output with no step markers (the local
/// forge's CI command) is one step.
public struct ActionsLog: Sendable, Equatable {
    public struct Step: Sendable, Equatable {
        /// What ran (`ruff check .`), or `log` when the output has no steps.
        public var command: String
        public var lines: [String]
        public var failed: Bool
        /// The exit code `##[error]` reported, when it did.
        public var exitCode: Int?
    }

    public var steps: [Step]

    /// The steps that failed; all of a log without markers whose outcome is unknown.
    public var failedSteps: [Step] { steps.filter(\.failed) }

    public init(_ text: String, failedWithoutMarkers: Bool = true) {
        var steps: [Step] = []
        var current = Step(command: "log", lines: [], failed: false, exitCode: nil)
        var sawMarkers = false
        var inGroupHeader = false
        for raw in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = Self.clean(String(raw))
            if line.hasPrefix("##[group]Run ") {
                sawMarkers = true
                if !current.lines.isEmpty || current.command != "log" { steps.append(current) }
                current = Step(command: String(line.dropFirst("##[group]Run ".count)), lines: [], failed: false, exitCode: nil)
                inGroupHeader = true
                continue
            }
            if line.hasPrefix("##[endgroup]") {
                inGroupHeader = false
                continue
            }
            // The step's header (the command echoed, shell, env) is not its output.
            if inGroupHeader { continue }
            if line.hasPrefix("##[error]") {
                sawMarkers = true
                current.failed = true
                if let range = line.range(of: #"exit code (\d+)"#, options: .regularExpression) {
                    current.exitCode = Int(line[range].split(separator: " ").last ?? "")
                }
                let message = String(line.dropFirst("##[error]".count))
                if !message.hasPrefix("Process completed with exit code") { current.lines.append(message) }
                continue
            }
            if line.hasPrefix("##[") { continue }  // warning, notice, debug markers
            current.lines.append(line)
        }
        steps.append(current)
        if !sawMarkers, failedWithoutMarkers { steps = steps.map { var step = $0; step.failed = true; return step } }
        self.steps = steps.filter { !$0.lines.isEmpty || $0.failed }
    }

    /// A line without its Actions timestamp and ANSI escapes.
    static func clean(_ line: String) -> String {
        var text = Substring(line)
        // 2026-11-20T09:14:02.1234567Z
        if text.count > 28, text.dropFirst(4).first == "-", text.dropFirst(10).first == "T", let space = text.prefix(36).firstIndex(of: " "),
            text[text.index(before: space)] == "Z"
        {
            text = text[text.index(after: space)...]
        }
        var out = ""
        out.reserveCapacity(text.count)
        var iterator = text.unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            if scalar == "\u{1B}" {
                // CSI: ESC [ … final byte in @–~; charset: ESC ( B; other: ESC + one.
                guard let next = iterator.next() else { break }
                if next == "[" {
                    while let c = iterator.next(), !(c.value >= 0x40 && c.value <= 0x7E) {}
                } else if next == "(" || next == ")" {
                    _ = iterator.next()
                }
                continue
            }
            if scalar == "\r" { continue }
            out.unicodeScalars.append(scalar)
        }
        return out
    }
}
