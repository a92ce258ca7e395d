import Foundation
import Testing
import TowerCore
import TowerStore
import TowerTestSupport

@testable import TowerEngine

/// A CI/CD agent waiting between polls looks at once when a webhook brings news for its
/// repository and branch, and only then.
@Suite struct CINewsTests {
    final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        func set() { lock.withLock { value = true } }
        var isSet: Bool { lock.withLock { value } }
    }

    @Test func newsForTheRepositoryEndsTheWaitAndOtherNewsDoesNot() async throws {
        let store = try SQLiteStore(directory: TemporaryDirectory.make("ci-news").appendingPathComponent("state"))
        let bus = EventBus()
        let task = TowerTask.new(ticketId: nil, title: "t", description: "", source: .cli, now: Date())
        let context = StepContext(task: task, step: .ciMonitoring, attempt: 1, idempotencyKey: "k", store: store, bus: bus, now: Date.init)
        let woke = Flag()
        let waiting = Task {
            try await context.sleepUntilCINews(repository: "acme/web", branch: "ai/OPS-1-x", seconds: 60)
            woke.set()
        }
        defer { waiting.cancel() }
        try await Task.sleep(nanoseconds: 100_000_000)
        bus.publish(.ciNews(repository: "acme/other", branch: nil))
        bus.publish(.ciNews(repository: "acme/web", branch: "main"))
        try await Task.sleep(nanoseconds: 200_000_000)
        #expect(!woke.isSet)
        bus.publish(.ciNews(repository: "ACME/web", branch: "ai/OPS-1-x"))
        let deadline = Date().addingTimeInterval(120)
        while !woke.isSet && Date() < deadline { try await Task.sleep(nanoseconds: 10_000_000) }
        #expect(woke.isSet)
    }
}
