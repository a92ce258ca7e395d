import Foundation
import GRDB
import TowerCore

extension SQLiteStore {
    public func openPullRequest(_ request: PullRequestRecord, at: Date) async throws -> PullRequestRecord {
        try await write { db in
            if let open = try Row.fetchOne(
                db, sql: "SELECT * FROM pull_requests WHERE repository = ? AND head = ? AND state = 'open'", arguments: [request.repository, request.head])
            {
                return Rows.pullRequest(open)
            }
            let number = (try Int.fetchOne(db, sql: "SELECT MAX(number) FROM pull_requests WHERE repository = ?", arguments: [request.repository]) ?? 0) + 1
            var record = request
            record.number = number
            record.state = .open
            record.url = "local:\(request.repository)#\(number)"
            try db.execute(
                sql: """
                    INSERT INTO pull_requests (repository, number, head, base, title, body, draft, state, url, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)
                    """,
                arguments: [record.repository, number, record.head, record.base, record.title, record.body, record.draft, record.url, at])
            return record
        }
    }

    public func openPullRequest(repository: String, head: String) async throws -> PullRequestRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM pull_requests WHERE repository = ? AND head = ? AND state = 'open'", arguments: [repository, head])
                .map(Rows.pullRequest)
        }
    }

    public func updatePullRequestBody(repository: String, number: Int, body: String) async throws {
        try await write { db in
            try db.execute(sql: "UPDATE pull_requests SET body = ? WHERE repository = ? AND number = ?", arguments: [body, repository, number])
            guard db.changesCount == 1 else { throw StoreError.notFound("pull request \(repository)#\(number)") }
        }
    }

    public func pullRequest(repository: String, number: Int) async throws -> PullRequestRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM pull_requests WHERE repository = ? AND number = ?", arguments: [repository, number]).map(Rows.pullRequest)
        }
    }

    public func addPullRequestComment(repository: String, number: Int, body: String, author: String, at: Date) async throws {
        try await write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM pull_requests WHERE repository = ? AND number = ?", arguments: [repository, number]) != nil else {
                throw StoreError.notFound("pull request \(repository)#\(number)")
            }
            try db.execute(
                sql: "INSERT INTO pull_request_comments (repository, number, body, author, at) VALUES (?, ?, ?, ?, ?)",
                arguments: [repository, number, body, author, at])
        }
    }

    public func pullRequestComments(repository: String, number: Int) async throws -> [String] {
        try await read { db in
            try String.fetchAll(db, sql: "SELECT body FROM pull_request_comments WHERE repository = ? AND number = ? ORDER BY id", arguments: [repository, number])
        }
    }

    @discardableResult
    public func recordCIRun(_ run: CIRun) async throws -> CIRun {
        try await write { db in
            var stored = run
            let arguments: StatementArguments = [
                run.repository, run.branch, run.headSha, run.name, run.status.rawValue, run.conclusion?.rawValue, run.output, run.startedAt, run.finishedAt,
            ]
            if run.id == 0 {
                try db.execute(
                    sql: """
                        INSERT INTO ci_runs (repository, branch, head_sha, name, status, conclusion, output, started_at, finished_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """, arguments: arguments)
                stored.id = db.lastInsertedRowID
            } else {
                try db.execute(
                    sql: """
                        UPDATE ci_runs SET repository = ?, branch = ?, head_sha = ?, name = ?, status = ?, conclusion = ?, output = ?,
                          started_at = ?, finished_at = ? WHERE id = ?
                        """, arguments: arguments + [run.id])
            }
            return stored
        }
    }

    public func ciRuns(repository: String, branch: String) async throws -> [CIRun] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM ci_runs WHERE repository = ? AND branch = ? ORDER BY id DESC", arguments: [repository, branch]).map { row in
                CIRun(
                    id: row["id"], repository: row["repository"], branch: row["branch"], headSha: row["head_sha"], name: row["name"],
                    status: CIRun.Status(rawValue: row["status"]) ?? .completed, conclusion: (row["conclusion"] as String?).flatMap(CIRun.Conclusion.init),
                    output: row["output"], startedAt: row["started_at"], finishedAt: row["finished_at"])
            }
        }
    }
}

extension Rows {
    static func pullRequest(_ row: Row) -> PullRequestRecord {
        PullRequestRecord(
            repository: row["repository"], number: row["number"], head: row["head"], base: row["base"], title: row["title"], body: row["body"],
            draft: row["draft"], state: PullRequestRecord.State(rawValue: row["state"]) ?? .open, url: row["url"])
    }
}
