import Foundation
import Testing

@testable import TowerStore

#if canImport(Glibc)
    import Glibc
#endif

/// Whether a lease's holder on this host is gone: a killed process that its parent has not yet
/// reaped (a zombie) is gone, though `kill(pid, 0)` still succeeds on it.
@Suite struct LeaseLivenessTests {
    @Test func aZombieHolderIsGoneAndALiveOneIsNot() async throws {
        var pid: pid_t = 0
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup("/bin/true"), nil]
        defer { argv.forEach { free($0) } }
        #expect(posix_spawn(&pid, "/bin/true", nil, nil, argv, nil) == 0)
        // Not reaped: it exits and stays a zombie until waitpid below.
        let deadline = Date().addingTimeInterval(120)
        while ProcessState.of(pid) != "Z", Date() < deadline { try await Task.sleep(nanoseconds: 10_000_000) }
        #expect(ProcessState.of(pid) == "Z")
        #expect(kill(pid, 0) == 0, "kill(pid, 0) cannot tell a zombie from a live process")
        let host = ProcessInfo.processInfo.hostName
        func lease(_ pid: Int32, host: String) -> EngineLease {
            EngineLease(holder: "h:\(pid)", pid: pid, host: host, acquiredAt: Date(), expiresAt: Date().addingTimeInterval(8))
        }
        #expect(lease(pid, host: host).holderIsGone(onHost: host))
        #expect(!lease(pid, host: "elsewhere").holderIsGone(onHost: host), "a holder on another host is judged by its lease alone")
        #expect(!lease(getpid(), host: host).holderIsGone(onHost: host))
        var status: Int32 = 0
        #expect(waitpid(pid, &status, 0) == pid)
        #expect(lease(pid, host: host).holderIsGone(onHost: host), "reaped: no such process")
    }
}
