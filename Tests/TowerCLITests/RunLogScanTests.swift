import Foundation
import Testing
import TowerTestLog
import TowerTestSupport

/// The scan `scripts/test` runs over the whole run's log must be able to fail.
extension ProcessTests {
    @Suite struct RunLogScanTests {
        @Test func aPlantedSecretIsFoundAndFailsTheScan() async throws {
            let clean = "[tower doctor stderr] tower: GET http://127.0.0.1:4000/github/user attempt 1: 200 in 3 ms\n[tmux t1] Bearer ***\n"
            #expect(RunLogScan.findings(in: clean).isEmpty)
            let leaked = clean + "[gateway-tests] Authorization: Bearer \(TestSecrets.githubToken)\n[x] an unlisted ghp_tst0secret_new_one\n"
            #expect(RunLogScan.findings(in: leaked).map(\.line) == [3, 4])
            // Reporting a leak does not leak it again.
            #expect(RunLogScan.findings(in: leaked).map(\.text) == ["[gateway-tests] Authorization: Bearer <secret>", "[x] an unlisted <secret>"])

            let directory = TemporaryDirectory.make("scan")
            let log = directory.appendingPathComponent("run.log")
            try leaked.write(to: log, atomically: true, encoding: .utf8)
            let failed = try await ChildProcess.run(workerBinary, ["scan-log", log.path])
            #expect(failed.status == 1 && failed.out.contains("2 of 4 logged lines hold a test secret"))
            #expect(!failed.out.contains(TestSecrets.marker))
            try clean.write(to: log, atomically: true, encoding: .utf8)
            let passed = try await ChildProcess.run(workerBinary, ["scan-log", log.path])
            #expect(passed.status == 0 && passed.out.contains("2 lines logged during the test run; no token or secret among them"))
        }
    }
}
