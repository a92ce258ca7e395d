import Foundation
import Testing

@testable import TowerServices

/// Real child processes: output, exit codes, and the time limit.
@Suite(.serialized) struct ProcessRunnerTests {
    @Test func collectsBothStreamsAndTheExitCode() async throws {
        let outcome = try await ProcessRunner().run("/bin/sh", ["-c", "echo out; echo err >&2; exit 3"])
        #expect(outcome == .init(exitCode: 3, output: "out\n", error: "err\n", timedOut: false))
    }

    @Test func theEndOfALongOutputIsKept() async throws {
        let outcome = try await ProcessRunner().run("/bin/sh", ["-c", "seq 1 100000"], outputLimit: 1000)
        #expect(outcome.output.count == 1000 && outcome.output.hasSuffix("99999\n100000\n"))
    }

    @Test func aChildThatOutlivesItsLimitIsKilledWithItsGroup() async throws {
        let outcome = try await ProcessRunner().run("/bin/sh", ["-c", "sleep 30 & sleep 30; echo never"], timeout: 1)
        #expect(outcome.timedOut && outcome.exitCode == 128 + SIGKILL && !outcome.output.contains("never"))
    }

    /// A child that closes its output and keeps running is still held to its limit: waiting
    /// for it must not outlast the watch on it.
    @Test func aChildThatClosesItsOutputIsStillHeldToItsLimit() async throws {
        let outcome = try await ProcessRunner().run("/bin/sh", ["-c", "exec >/dev/null 2>&1; sleep 20"], timeout: 1)
        #expect(outcome.timedOut && outcome.exitCode == 128 + SIGKILL)
    }

    @Test func aMissingProgramIsNamed() async throws {
        await #expect(throws: ProcessRunnerError.notFound("tower-no-such-program")) {
            _ = try await ProcessRunner().run("tower-no-such-program", [])
        }
    }
}
