import Foundation
import Testing
import TowerCore
import TowerStore
import TowerTestSupport

private let cli = Actor(user: "alice", channel: .cli)

/// What only the embedded store does: its file, WAL and permissions.
@Suite struct SQLiteStoreTests {
    private func makeStore() throws -> SQLiteStore {
        try SQLiteStore(directory: TemporaryDirectory.make("store").appendingPathComponent("state"))
    }

    @Test func createsTheStateDirectoryAndUsesWAL() async throws {
        let store = try makeStore()
        try await store.insertTask(TowerTask.new(ticketId: "PROJ-1", title: "t", description: "d", source: .jira, now: Date()), event: nil, actor: cli)
        #expect(FileManager.default.fileExists(atPath: store.path + "-wal"))
        let attributes = try FileManager.default.attributesOfItem(atPath: URL(fileURLWithPath: store.path).deletingLastPathComponent().path)
        #expect((attributes[.posixPermissions] as? Int) == 0o700)
    }

    @Test func refusesAnUnopenableLocationWithAClearError() {
        #expect {
            _ = try SQLiteStore(directory: URL(fileURLWithPath: "/proc/tower-cannot-be-here"))
        } throws: { error in
            "\(error)".contains("cannot open the store at /proc/tower-cannot-be-here")
        }
    }
}
