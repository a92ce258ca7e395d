import Foundation
import Testing
import TowerHTTPTestSupport
import TowerTestLog
import TowerTestSupport

/// `tower monitor-sentry`, the real binary against the stand-ins.
@Suite(.serialized) struct SentryCommandLineTests {
    @Test func aDryRunPrintsWhatWouldBeFiledThenAPassFilesItAndAFailureExitsOne() async throws {
        let world = try await SentryWorld([
            ("web", [.init(id: "9001", title: "ValueError: bad sku", level: "error", events: 11), .init(id: "9002", title: "Noise", level: "warning", events: 3)])
        ])
        var environment = ProcessInfo.processInfo.environment.merging(world.environment) { _, new in new }
        environment["TOWER_CONFIG"] = world.directory.appendingPathComponent("none.toml").path
        let state = world.directory.appendingPathComponent("cli-state").path
        let tower = BuiltProducts.url("tower")

        let dry = try await ChildProcess.run(tower, ["monitor-sentry", "--dry-run", "--state-dir", state], environment: environment)
        #expect(dry.status == 0, "\(dry.err)")
        #expect(dry.out.contains("thresholds: fatal 1+, error 10+, warning 50+, info 100+"))
        #expect(dry.out.contains("would file: WEB-001  error  11 events in 24 h  ValueError: bad sku"), "\(dry.out)")
        #expect(dry.out.contains("2 checked, 1 over threshold, 0 already filed, 1 would be filed; nothing was filed"), "\(dry.out)")
        #expect(world.chat.createRequests == 0)

        let pass = try await ChildProcess.run(tower, ["monitor-sentry", "--state-dir", state], environment: environment)
        #expect(pass.status == 0, "\(pass.err)")
        #expect(pass.out.contains("filed PROJ-101 for Sentry issue 9001"), "\(pass.out)")
        #expect(pass.out.contains("2 checked, 1 over threshold, 0 deduplicated, 1 created, 0 failed"))

        world.sentry.setEvents("9002", to: 80)
        world.chat.failCreates(containing: "Noise")
        let failing = try await ChildProcess.run(tower, ["monitor-sentry", "--state-dir", state], environment: environment)
        #expect(failing.status == 1)
        #expect(failing.out.contains("1 deduplicated, 0 created, 1 failed"), "\(failing.out)")
        #expect(!failing.out.contains(TestSecrets.marker) && !failing.err.contains(TestSecrets.marker))
    }
}
