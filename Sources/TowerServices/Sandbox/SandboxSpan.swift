import Foundation
import TowerNet
import Tracing

/// The span of one sandboxed run: the command line (cut to 200 characters), its exit status,
/// whether the time limit killed it and whether it had the network; its duration is the span's.
/// Never its output, which may print whatever the code under test reads.
enum SandboxSpan {
    static func around(_ command: String, network: Bool, _ run: () async throws -> Sandbox.Run) async throws -> Sandbox.Run {
        guard TraceScope.inTrace else { return try await run() }
        let span = startSpan("sandbox run", ofKind: .internal)
        span.attributes["process.command_line"] = String(command.prefix(200))
        span.attributes["tower.sandbox.network"] = network
        defer { span.end() }
        do {
            let result = try await ServiceContext.withValue(span.context) { try await run() }
            span.attributes["process.exit.code"] = Int(result.exitCode)
            span.attributes["tower.sandbox.timed_out"] = result.timedOut
            if !result.succeeded { span.setStatus(SpanStatus(code: .error)) }
            return result
        } catch {
            span.attributes["error.type"] = String(describing: type(of: error))
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }
}

/// The span of one git command: named by its subcommand (`git push`), with its exit status.
/// Never its other arguments: a remote's URL may carry a token.
enum GitSpan {
    /// The subcommand of a git argument list: the first word that is not an option (or the
    /// value of `-C`, `-c` or `--git-dir`, `--work-tree`).
    static func subcommand(_ arguments: [String]) -> String {
        var skipNext = false
        for argument in arguments {
            if skipNext {
                skipNext = false
                continue
            }
            if ["-C", "-c", "--git-dir", "--work-tree", "--namespace"].contains(argument) {
                skipNext = true
                continue
            }
            if argument.hasPrefix("-") { continue }
            return argument.allSatisfy { $0.isLetter || $0 == "-" } ? argument : "?"
        }
        return "?"
    }

    static func around(_ arguments: [String], _ run: () async throws -> ProcessRunner.Outcome) async throws -> ProcessRunner.Outcome {
        guard TraceScope.inTrace else { return try await run() }
        let subcommand = subcommand(arguments)
        let span = startSpan("git \(subcommand)", ofKind: .internal)
        span.attributes["process.executable.name"] = "git"
        span.attributes["tower.git.subcommand"] = subcommand
        defer { span.end() }
        do {
            let result = try await ServiceContext.withValue(span.context) { try await run() }
            span.attributes["process.exit.code"] = Int(result.exitCode)
            if result.exitCode != 0 { span.setStatus(SpanStatus(code: .error)) }
            return result
        } catch {
            span.attributes["error.type"] = String(describing: type(of: error))
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }
}
