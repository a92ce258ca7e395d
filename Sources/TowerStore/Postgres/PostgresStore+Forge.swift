import Foundation
import PostgresNIO
import TowerCore

/// The local forge's pull requests, comments and CI runs (the demo's GitHub).
extension PostgresStore {
    /// The advisory lock class that numbers a repository's pull requests one at a time.
    static let pullRequestLockClass: Int32 = 0x5052

    public func openPullRequest(_ request: PullRequestRecord, at: Date) async throws -> PullRequestRecord {
        try await write { c in
            try await c.run("SELECT pg_advisory_xact_lock(\(Self.pullRequestLockClass), hashtext(\(request.repository)))", logger: logger)
            if let open = try await c.rows(
                "SELECT * FROM pull_requests WHERE repository = \(request.repository) AND head = \(request.head) AND state = 'open'", logger: logger
            ).first {
                return try PostgresRows.pullRequest(open)
            }
            let number = (try await c.value("SELECT MAX(number) FROM pull_requests WHERE repository = \(request.repository)", as: Int?.self, logger: logger) ?? nil).map { $0 + 1 } ?? 1
            var record = request
            record.number = number
            record.state = .open
            record.url = "local:\(request.repository)#\(number)"
            try await c.run(
                """
                INSERT INTO pull_requests (repository, number, head, base, title, body, draft, state, url, created_at)
                VALUES (\(record.repository), \(number), \(record.head), \(record.base), \(record.title), \(record.body), \(record.draft), 'open', \(record.url), \(at))
                """, logger: logger)
            return record
        }
    }

    public func openPullRequest(repository: String, head: String) async throws -> PullRequestRecord? {
        try await read { c in
            try await c.rows("SELECT * FROM pull_requests WHERE repository = \(repository) AND head = \(head) AND state = 'open'", logger: logger).first
                .map(PostgresRows.pullRequest)
        }
    }

    public func updatePullRequestBody(repository: String, number: Int, body: String) async throws {
        try await write { c in
            let changed = try await c.run(
                "UPDATE pull_requests SET body = \(body) WHERE repository = \(repository) AND number = \(number) RETURNING 1", logger: logger)
            guard changed == 1 else { throw StoreError.notFound("pull request \(repository)#\(number)") }
        }
    }

    public func pullRequest(repository: String, number: Int) async throws -> PullRequestRecord? {
        try await read { c in
            try await c.rows("SELECT * FROM pull_requests WHERE repository = \(repository) AND number = \(number)", logger: logger).first.map(PostgresRows.pullRequest)
        }
    }

    public func addPullRequestComment(repository: String, number: Int, body: String, author: String, at: Date) async throws {
        try await write { c in
            let inserted = try await c.run(
                """
                INSERT INTO pull_request_comments (repository, number, body, author, at)
                SELECT repository, number, \(body), \(author), \(at) FROM pull_requests WHERE repository = \(repository) AND number = \(number)
                RETURNING 1
                """, logger: logger)
            guard inserted == 1 else { throw StoreError.notFound("pull request \(repository)#\(number)") }
        }
    }

    public func pullRequestComments(repository: String, number: Int) async throws -> [String] {
        try await read { c in
            try await c.values(
                "SELECT body FROM pull_request_comments WHERE repository = \(repository) AND number = \(number) ORDER BY id", as: String.self, logger: logger)
        }
    }

    @discardableResult
    public func recordCIRun(_ run: CIRun) async throws -> CIRun {
        try await write { c in
            var stored = run
            if run.id == 0 {
                stored.id =
                    try await c.value(
                        """
                        INSERT INTO ci_runs (repository, branch, head_sha, name, status, conclusion, output, started_at, finished_at)
                        VALUES (\(run.repository), \(run.branch), \(run.headSha), \(run.name), \(run.status.rawValue), \(run.conclusion?.rawValue), \(run.output),
                          \(run.startedAt), \(run.finishedAt))
                        RETURNING id
                        """, as: Int64.self, logger: logger) ?? 0
            } else {
                try await c.run(
                    """
                    UPDATE ci_runs SET repository = \(run.repository), branch = \(run.branch), head_sha = \(run.headSha), name = \(run.name),
                      status = \(run.status.rawValue), conclusion = \(run.conclusion?.rawValue), output = \(run.output), started_at = \(run.startedAt),
                      finished_at = \(run.finishedAt) WHERE id = \(run.id)
                    """, logger: logger)
            }
            return stored
        }
    }

    public func ciRuns(repository: String, branch: String) async throws -> [CIRun] {
        try await read { c in
            try await c.rows("SELECT * FROM ci_runs WHERE repository = \(repository) AND branch = \(branch) ORDER BY id DESC", logger: logger).map(PostgresRows.ciRun)
        }
    }
}
