import Foundation
import Testing
import TowerCore
import TowerStore
import TowerTestSupport

#if canImport(Glibc)
    import Glibc
#endif

private let t0 = Date(timeIntervalSince1970: 1_800_000_000)

/// What only the PostgreSQL store does: reading libpq's URLs, saying clearly why a server cannot
/// be used (never with the password), migrating once when several hosts start together, and one
/// decision winning across separate pools (hosts).
@Suite struct PostgresStoreTests {
    @Test func readsConnectionURLsAsLibpqDoes() throws {
        let full = try PostgresLocation(url: "postgres://tower:s%40cret@db.internal:6432/prod?sslmode=require")
        #expect(full.host == "db.internal" && full.port == 6432 && full.user == "tower" && full.password == "s@cret" && full.database == "prod")
        #expect(full.tls == .require)
        #expect(full.description == "postgres://tower@db.internal:6432/prod")
        #expect(!full.description.contains("cret"))

        let socket = try PostgresLocation(url: "postgresql://ops@/tower?host=/run/postgresql")
        #expect(socket.socketDirectory == "/run/postgresql" && socket.tls == .disable && socket.database == "tower")
        #expect(socket.description == "postgres://ops@/run/postgresql/.s.PGSQL.5432/tower")

        let defaults = try PostgresLocation(url: "postgres://alice@db")
        #expect(defaults.port == 5432 && defaults.database == "alice" && defaults.tls == .prefer && defaults.password == nil)
        #expect(try PostgresLocation(url: "postgres://a@b/c?sslmode=verify-full").tls == .verifyFull)

        #expect {
            _ = try PostgresLocation(url: "postgres://a:hunter2@b/c?sslmode=sometimes")
        } throws: { error in
            "\(error)".contains("sslmode=sometimes") && !"\(error)".contains("hunter2")
        }
        #expect(!PostgresLocation.isPostgres("/var/lib/tower"))
        #expect(PostgresLocation.redacted("postgres://a:hunter2@b/c") == "postgres://a:***@b/c")
    }

    @Test func aWrongPasswordIsSaidClearlyAndNeverShown() async throws {
        let admin = try TestPostgres.adminURL()
        let url = TestPostgres.replacingDatabase(in: admin, with: "postgres", user: "tower_pw", password: "not-the-password")
        await #expect {
            _ = try await PostgresStore.open(url: url)
        } throws: { error in
            let text = "\(error)"
            return text.contains("the server refused the login") && text.contains("28P01") && text.contains("tower_pw@127.0.0.1")
                && !text.contains("not-the-password")
        }
        // The right password opens it (SCRAM, as the server asks).
        let database = try await TestPostgres.freshDatabase("pw")
        let name = String(database.split(separator: "/").last!.split(separator: "?").first!)
        try await TestPostgres.execute("GRANT ALL ON DATABASE \(name) TO tower_pw", on: admin)
        try await TestPostgres.execute("ALTER DATABASE \(name) OWNER TO tower_pw", on: admin)
        let store = try await PostgresStore.open(url: TestPostgres.replacingDatabase(in: admin, with: name, user: "tower_pw", password: "tower-test-pw"))
        #expect(try await store.activeTasks().isEmpty)
        await store.shutdown()
    }

    @Test func anUnreachableServerOrAMissingDatabaseIsSaidClearly() async throws {
        // A port that is bound but not listening: refused at once.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        let port = Int(UInt16(bigEndian: address.sin_port))
        await #expect {
            _ = try await PostgresStore.open(url: "postgres://tower:pw-never-shown@127.0.0.1:\(port)/tower?sslmode=disable")
        } throws: { error in
            let text = "\(error)"
            return text.contains("cannot open the store at postgres://tower@127.0.0.1:\(port)/tower") && text.contains("cannot connect")
                && !text.contains("pw-never-shown")
        }

        let admin = try TestPostgres.adminURL()
        await #expect {
            _ = try await PostgresStore.open(url: TestPostgres.replacingDatabase(in: admin, with: "tower_no_such_database"))
        } throws: { error in
            "\(error)".contains("no such database") && "\(error)".contains("3D000")
        }
    }

    @Test func severalHostsMigratingAtOnceMigrateOnceAndANewerSchemaIsRefused() async throws {
        let url = try await TestPostgres.freshDatabase("migrate")
        let applied = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<6 { group.addTask { try await PostgresStore.migrate(url: url) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(applied.filter { !$0.isEmpty }.count == 1)
        #expect(applied.flatMap { $0 } == ["v13-baseline", "v14-claims-and-workers", "v15-audit", "v16-trace", "v17-halts-and-presence"])
        #expect(try await PostgresStore.migrate(url: url).isEmpty)

        try await TestPostgres.execute("INSERT INTO tower_migrations (name, applied_at) VALUES ('v99-from-the-future', now())", on: url)
        await #expect {
            _ = try await PostgresStore.open(url: url)
        } throws: { error in
            "\(error)".contains("v99-from-the-future") && "\(error)".contains("upgrade this one")
        }
    }

    @Test func oneDecisionWinsAcrossSeparatePools() async throws {
        let url = try await TestPostgres.freshDatabase("hosts")
        let hosts: [PostgresStore] = [try await PostgresStore.open(url: url, maximumConnections: 4), try await PostgresStore.open(url: url, maximumConnections: 4)]
        var task = TowerTask.new(ticketId: "PROJ-1", title: "t", description: "d", source: .jira, now: t0)
        task.status = .planning
        task.step = .planning
        try await hosts[0].insertTask(task, event: nil, actor: Actor(user: "a", channel: .cli))
        var waiting = task
        waiting.status = .awaitingApproval
        waiting.step = nil
        try await hosts[1].apply(
            TaskUpdate(task: waiting, expectedStatus: .planning, expectedStep: .planning, approvalRequest: Approval(token: "tok", taskId: task.id, requestedAt: t0)))
        let taskId = task.id
        let outcomes = try await withThrowingTaskGroup(of: DecisionOutcome.self) { group in
            for i in 0..<16 {
                let host = hosts[i % 2]
                group.addTask {
                    try await host.decide(
                        taskId: taskId, decision: i % 3 == 0 ? .rejected : .approved, actor: Actor(user: "u\(i)", channel: .console), reason: nil, at: t0)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.filter { if case .decided = $0 { true } else { false } }.count == 1)
        #expect(try await hosts[0].commands(after: 0).filter { $0.kind == .approve || $0.kind == .reject }.count == 1)
        for host in hosts { await host.shutdown() }
    }
}

extension PostgresStoreTests {
    /// TLS as the URL asks for it, against the test server's own certificate: `require`
    /// encrypts (the server shows the connection in `pg_stat_ssl`), a login the server takes
    /// over TLS only is refused without it, and `verify-full` refuses a certificate no authority
    /// signed.
    @Test func tlsIsUsedWhenTheURLAsksForIt() async throws {
        let admin = try TestPostgres.adminURL()
        let url = try await TestPostgres.freshDatabase("tls")
        let name = String(url.split(separator: "/").last!.split(separator: "?").first!)
        try await TestPostgres.execute("ALTER DATABASE \(name) OWNER TO tower_tls", on: admin)
        func location(_ mode: String) -> String {
            TestPostgres.replacingDatabase(in: admin, with: name, user: "tower_tls").replacingOccurrences(of: "sslmode=disable", with: "sslmode=\(mode)")
        }

        let store = try await PostgresStore.open(url: location("require"), maximumConnections: 2)
        #expect(try await store.activeTasks().isEmpty)
        let encrypted = try await TestPostgres.count(
            "SELECT COUNT(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.usename = 'tower_tls' AND a.datname = '\(name)' AND s.ssl", on: admin)
        #expect(encrypted >= 1)
        await store.shutdown()

        await #expect {
            _ = try await PostgresStore.open(url: location("disable"))
        } throws: { error in
            "\(error)".contains("the server refused the login") && "\(error)".contains("no encryption")
        }
        await #expect {
            _ = try await PostgresStore.open(url: location("verify-full"))
        } throws: { error in
            "\(error)".contains("cannot open the store at postgres://tower_tls@127.0.0.1") && "\(error)".contains("certificate could not be verified")
        }
    }
}
