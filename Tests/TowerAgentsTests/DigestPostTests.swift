import Foundation
import Testing
import TowerAgents
import TowerCore
import TowerEngine
import TowerStore
import TowerTestSupport

/// The daily hand-off in Slack: posted at the configured hour through the outbox, once a day
/// however many times the job runs, and the engine schedules it only when an hour is set.
@Suite struct DigestPostTests {
    @Test func theHandOffIsPostedOnceADayThroughTheOutbox() async throws {
        let world = try await AgentWorld()
        world.environment["TOWER_DIGEST_HOUR"] = "8"
        let services = try world.services()
        #expect(services.digest.hour == 8 && services.digest.reach == 12 * 3600)
        #expect(Workflow.agents(services, store: world.store).jobs.contains { $0.name == "digest" })
        world.environment["TOWER_DIGEST_HOUR"] = nil
        #expect(!Workflow.agents(try world.services(), store: world.store).jobs.contains { $0.name == "digest" })

        let today = Calendar.utc.startOfDay(for: Date())
        let nine = today.addingTimeInterval(9 * 3600)
        _ = try await seedAwaitingApproval(world.store, ticket: "OPS-5", title: "Plan waiting overnight", at: nine.addingTimeInterval(-1800))
        let job = DigestSchedule(services: services, store: world.store, hour: 8, reach: services.digest.reach) { nine }
        // Before eight, today's post is due at eight; at nine it is due (since eight).
        #expect(try await job.due(now: today.addingTimeInterval(7 * 3600)) == today.addingTimeInterval(8 * 3600))
        #expect(try await job.due(now: nine) == today.addingTimeInterval(8 * 3600))
        try await job.run()
        #expect(world.chat.messages.count == 1)
        let text = world.chat.messages.first?["text"] as? String ?? ""
        #expect(text.hasPrefix("*Shift hand-off: ") && text.contains("• OPS-5 Plan waiting overnight"), "\(text)")
        // Posted: the next is tomorrow's; a second run (a restart, a second worker) posts nothing.
        #expect(try await job.due(now: nine) == today.addingTimeInterval(32 * 3600))
        try await job.run()
        #expect(world.chat.messages.count == 1)
        let posts = try await world.store.outbox(limit: 100).filter { $0.kind == "digest" }
        #expect(posts.count == 1 && posts.first?.status == .sent && posts.first?.key?.hasPrefix("digest/") == true)
    }

    @Test func aPostSlackRefusedIsTriedAgain() async throws {
        let world = try await AgentWorld()
        world.environment["SLACK_API_URL"] = "http://127.0.0.1:9/api"
        let services = try world.services()
        let nine = Calendar.utc.startOfDay(for: Date()).addingTimeInterval(9 * 3600)
        let job = DigestSchedule(services: services, store: world.store, hour: 8, reach: 3600) { nine }
        await #expect(throws: (any Error).self) { try await job.run() }
        // Kept as failed in the outbox: still due, so the engine tries again after the retry delay.
        #expect(try await job.due(now: nine) <= nine)
        #expect(try await world.store.outbox(limit: 10).first { $0.kind == "digest" }?.status == .failed)
    }
}
