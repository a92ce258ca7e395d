import Foundation
import Logging
import PostgresNIO

/// The PostgreSQL schema, as versioned migrations kept in `tower_migrations`. The first is the
/// SQLite schema as it stood at its v13 (both backends hold the same tables and columns from
/// there); a later change adds a migration here and one in ``Migrations`` together. Never edit a
/// shipped migration.
///
/// Migrating takes a transaction-scoped advisory lock first, so `tower store migrate` run from
/// several hosts at once (or several workers starting together) migrates once: the others wait,
/// then find nothing to do. DDL is transactional in PostgreSQL, so a failed migration leaves
/// nothing half-applied.
enum PostgresMigrations {
    /// The advisory lock's key: "TOWR" (no other key of Tower's uses it).
    static let lockKey: Int64 = 0x544F_5752

    /// Every migration, oldest first.
    static let all: [(name: String, sql: String)] = [
        ("v13-baseline", baseline),
        (
            "v14-claims-and-workers",
            """
            ALTER TABLE tasks ADD COLUMN claimed_by TEXT;
            ALTER TABLE tasks ADD COLUMN claim_token BIGINT NOT NULL DEFAULT 0;
            CREATE INDEX tasks_claimed_by ON tasks(claimed_by) WHERE claimed_by IS NOT NULL;
            CREATE TABLE workers (
              id TEXT PRIMARY KEY,
              host TEXT NOT NULL,
              pid BIGINT NOT NULL,
              started_at TIMESTAMPTZ NOT NULL,
              heartbeat_at TIMESTAMPTZ NOT NULL,
              expires_at TIMESTAMPTZ NOT NULL,
              tasks_held BIGINT NOT NULL DEFAULT 0,
              stopped_at TIMESTAMPTZ
            )
            """
        ),
        (
            "v15-audit",
            """
            CREATE TABLE audit (
              seq BIGSERIAL PRIMARY KEY,
              at TIMESTAMPTZ NOT NULL,
              kind TEXT NOT NULL,
              action TEXT NOT NULL,
              task_id TEXT,
              "user" TEXT NOT NULL,
              channel TEXT NOT NULL,
              note TEXT,
              plan_version TEXT,
              effect_key TEXT,
              detail TEXT
            );
            CREATE INDEX audit_at ON audit(at);
            CREATE INDEX audit_task ON audit(task_id, seq);
            CREATE FUNCTION tower_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF TG_OP = 'UPDATE' THEN RAISE EXCEPTION 'the audit trail is append-only'; END IF;
              IF OLD.at > now() - interval '30 days' THEN
                RAISE EXCEPTION 'the audit trail is append-only: rows younger than 30 days are kept';
              END IF;
              RETURN OLD;
            END $$;
            CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit FOR EACH ROW EXECUTE FUNCTION tower_audit_append_only()
            """
        ),
        (
            "v16-trace",
            """
            ALTER TABLE tasks ADD COLUMN trace_parent TEXT;
            ALTER TABLE tasks ADD COLUMN origin_trace_parent TEXT;
            ALTER TABLE webhook_inbox ADD COLUMN trace_parent TEXT
            """
        ),
        (
            "v17-halts-and-presence",
            """
            CREATE TABLE halts (
              scope TEXT NOT NULL,
              name TEXT NOT NULL,
              paused_by TEXT NOT NULL,
              channel TEXT NOT NULL,
              at TIMESTAMPTZ NOT NULL,
              via_repository TEXT,
              PRIMARY KEY (scope, name)
            );
            CREATE TABLE console_presence (
              console_id TEXT PRIMARY KEY,
              user_name TEXT NOT NULL,
              task_id TEXT,
              seen_at TIMESTAMPTZ NOT NULL
            )
            """
        ),
    ]

    /// Applies what is missing; returns the names applied (empty when the schema was current).
    static func migrate(_ connection: PostgresConnection, logger: Logger) async throws -> [String] {
        try await connection.withTransaction(logger: logger) { connection in
            try await connection.run("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            try await connection.run("CREATE TABLE IF NOT EXISTS tower_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)", logger: logger)
            var applied: Set<String> = []
            for try await name in try await connection.query("SELECT name FROM tower_migrations", logger: logger).decode(String.self) {
                applied.insert(name)
            }
            var done: [String] = []
            for migration in all where !applied.contains(migration.name) {
                // One statement per query: the extended protocol postgres-nio speaks takes one at a time.
                for statement in statements(migration.sql) {
                    try await connection.run(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.run("INSERT INTO tower_migrations (name, applied_at) VALUES (\(migration.name), \(Date()))", logger: logger)
                done.append(migration.name)
            }
            return done
        }
    }

    /// A migration's statements (no statement of Tower's holds a `;` inside it).
    static func statements(_ sql: String) -> [String] {
        // A `;` inside a dollar-quoted body (a function's) does not end the statement.
        var statements: [String] = []
        var current = ""
        var quoted = false
        var rest = Substring(sql)
        while let first = rest.first {
            if rest.hasPrefix("$$") {
                quoted.toggle()
                current += "$$"
                rest = rest.dropFirst(2)
                continue
            }
            if first == ";" && !quoted {
                statements.append(current)
                current = ""
            } else {
                current.append(first)
            }
            rest = rest.dropFirst()
        }
        statements.append(current)
        return statements.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
    }

    /// The names of the migrations a database has, oldest first.
    static func applied(_ connection: PostgresConnection, logger: Logger) async throws -> [String] {
        let exists = try await connection.query("SELECT to_regclass('tower_migrations') IS NOT NULL", logger: logger).decode(Bool.self)
        var present = false
        for try await value in exists { present = value }
        guard present else { return [] }
        var names: [String] = []
        for try await name in try await connection.query("SELECT name FROM tower_migrations ORDER BY applied_at, name", logger: logger).decode(String.self) {
            names.append(name)
        }
        return names
    }

    /// Every table as SQLite's v13 has it, statement after statement.
    static let baseline = """
        CREATE TABLE tasks (
          id TEXT PRIMARY KEY,
          ticket_id TEXT,
          title TEXT NOT NULL,
          description TEXT NOT NULL,
          source TEXT NOT NULL,
          status TEXT NOT NULL,
          current_agent TEXT,
          progress BIGINT NOT NULL,
          attempts BIGINT NOT NULL,
          last_error TEXT,
          step TEXT,
          failed_step TEXT,
          cycle BIGINT NOT NULL,
          created_at TIMESTAMPTZ NOT NULL,
          updated_at TIMESTAMPTZ NOT NULL,
          expires_at TIMESTAMPTZ NOT NULL,
          repository TEXT,
          waiting_until TIMESTAMPTZ,
          waiting_for TEXT,
          budget DOUBLE PRECISION,
          worker TEXT,
          interruptions BIGINT NOT NULL DEFAULT 0
        );
        CREATE INDEX tasks_status ON tasks(status, updated_at);
        CREATE INDEX tasks_ticket ON tasks(ticket_id);
        CREATE INDEX tasks_expiry ON tasks(expires_at);
        CREATE INDEX tasks_updated ON tasks(updated_at);
        CREATE INDEX tasks_runnable ON tasks(created_at, id)
          WHERE status NOT IN ('completed', 'rejected', 'failed', 'awaiting_approval', 'awaiting_budget');
        CREATE INDEX tasks_parked ON tasks(waiting_until) WHERE waiting_until IS NOT NULL;

        CREATE TABLE phase_results (
          task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
          step TEXT NOT NULL,
          cycle BIGINT NOT NULL,
          output BYTEA NOT NULL,
          completed_at TIMESTAMPTZ NOT NULL,
          PRIMARY KEY (task_id, step, cycle)
        );

        CREATE TABLE events (
          seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
          task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
          at TIMESTAMPTZ NOT NULL,
          level TEXT NOT NULL,
          agent TEXT NOT NULL,
          message TEXT NOT NULL,
          milestone BOOLEAN NOT NULL DEFAULT FALSE
        );
        CREATE INDEX events_task ON events(task_id, seq);
        CREATE INDEX events_milestones ON events(task_id, seq) WHERE milestone;

        CREATE TABLE artifacts (
          id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
          task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
          kind TEXT NOT NULL,
          name TEXT NOT NULL,
          version BIGINT NOT NULL,
          content BYTEA NOT NULL,
          created_at TIMESTAMPTZ NOT NULL,
          UNIQUE (task_id, kind, name, version)
        );

        CREATE TABLE approvals (
          id BIGINT GENERATED BY DEFAULT AS IDENTITY,
          token TEXT PRIMARY KEY,
          task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
          requested_at TIMESTAMPTZ NOT NULL,
          decision TEXT,
          decided_by TEXT,
          channel TEXT,
          reason TEXT,
          decided_at TIMESTAMPTZ,
          plan_version TEXT,
          estimate TEXT
        );
        CREATE INDEX approvals_task ON approvals(task_id, requested_at);

        CREATE TABLE commands (
          seq BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
          kind TEXT NOT NULL,
          task_id TEXT NOT NULL,
          "user" TEXT NOT NULL,
          channel TEXT NOT NULL,
          at TIMESTAMPTZ NOT NULL
        );

        CREATE TABLE webhook_inbox (
          delivery_id TEXT PRIMARY KEY,
          source TEXT NOT NULL,
          event TEXT NOT NULL,
          received_at TIMESTAMPTZ NOT NULL,
          processed_at TIMESTAMPTZ,
          expires_at TIMESTAMPTZ NOT NULL,
          outcome TEXT,
          body_digest TEXT
        );
        CREATE INDEX webhook_inbox_pending ON webhook_inbox(processed_at, received_at);
        CREATE UNIQUE INDEX webhook_inbox_body_digest ON webhook_inbox(body_digest) WHERE body_digest IS NOT NULL;
        CREATE TABLE webhook_bodies (
          delivery_id TEXT PRIMARY KEY REFERENCES webhook_inbox(delivery_id) ON DELETE CASCADE,
          body BYTEA NOT NULL
        );

        CREATE TABLE sentry_fingerprints (
          fingerprint TEXT PRIMARY KEY,
          ticket_id TEXT,
          title TEXT NOT NULL,
          level TEXT NOT NULL,
          project TEXT NOT NULL,
          reserved_at TIMESTAMPTZ NOT NULL,
          ticketed_at TIMESTAMPTZ,
          expires_at TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE sentry_passes (
          id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
          trigger TEXT NOT NULL,
          started_at TIMESTAMPTZ NOT NULL,
          finished_at TIMESTAMPTZ,
          checked BIGINT NOT NULL DEFAULT 0,
          over_threshold BIGINT NOT NULL DEFAULT 0,
          deduplicated BIGINT NOT NULL DEFAULT 0,
          created BIGINT NOT NULL DEFAULT 0,
          failed BIGINT NOT NULL DEFAULT 0,
          error TEXT
        );
        CREATE INDEX sentry_passes_trigger ON sentry_passes(trigger, started_at);

        CREATE TABLE engine_lease (
          name TEXT PRIMARY KEY,
          holder TEXT NOT NULL,
          pid BIGINT NOT NULL,
          host TEXT NOT NULL,
          acquired_at TIMESTAMPTZ NOT NULL,
          expires_at TIMESTAMPTZ NOT NULL
        );

        CREATE TABLE settings (
          key TEXT PRIMARY KEY,
          value TEXT NOT NULL,
          updated_by TEXT NOT NULL,
          updated_at TIMESTAMPTZ NOT NULL
        );

        CREATE TABLE outbox (
          id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
          task_id TEXT,
          service TEXT NOT NULL,
          target TEXT NOT NULL,
          kind TEXT NOT NULL,
          text TEXT NOT NULL,
          status TEXT NOT NULL,
          error TEXT,
          at TIMESTAMPTZ NOT NULL,
          effect_key TEXT
        );
        CREATE INDEX outbox_at ON outbox(at);
        CREATE UNIQUE INDEX outbox_effect_key ON outbox(effect_key) WHERE effect_key IS NOT NULL;

        CREATE TABLE pull_requests (
          repository TEXT NOT NULL,
          number BIGINT NOT NULL,
          head TEXT NOT NULL,
          base TEXT NOT NULL,
          title TEXT NOT NULL,
          body TEXT NOT NULL,
          draft BOOLEAN NOT NULL,
          state TEXT NOT NULL,
          url TEXT NOT NULL,
          created_at TIMESTAMPTZ NOT NULL,
          PRIMARY KEY (repository, number)
        );
        CREATE UNIQUE INDEX pull_requests_open_head ON pull_requests(repository, head) WHERE state = 'open';
        CREATE TABLE pull_request_comments (
          id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
          repository TEXT NOT NULL,
          number BIGINT NOT NULL,
          body TEXT NOT NULL,
          author TEXT NOT NULL,
          at TIMESTAMPTZ NOT NULL
        );
        CREATE TABLE ci_runs (
          id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
          repository TEXT NOT NULL,
          branch TEXT NOT NULL,
          head_sha TEXT NOT NULL,
          name TEXT NOT NULL,
          status TEXT NOT NULL,
          conclusion TEXT,
          output TEXT NOT NULL,
          started_at TIMESTAMPTZ NOT NULL,
          finished_at TIMESTAMPTZ
        );
        CREATE INDEX ci_runs_branch ON ci_runs(repository, branch, id);

        CREATE TABLE llm_calls (
          id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
          task_id TEXT,
          step TEXT NOT NULL,
          purpose TEXT NOT NULL,
          model TEXT NOT NULL,
          system TEXT NOT NULL,
          prompt TEXT NOT NULL,
          answer TEXT NOT NULL,
          error TEXT,
          input_tokens BIGINT NOT NULL,
          output_tokens BIGINT NOT NULL,
          cost DOUBLE PRECISION,
          duration_ms BIGINT NOT NULL,
          at TIMESTAMPTZ NOT NULL,
          cache_write_tokens BIGINT NOT NULL DEFAULT 0,
          cache_read_tokens BIGINT NOT NULL DEFAULT 0,
          replayed BOOLEAN NOT NULL DEFAULT FALSE
        );
        CREATE INDEX llm_calls_task_id ON llm_calls(task_id);

        CREATE TABLE budget_days (
          day TEXT PRIMARY KEY,
          extra DOUBLE PRECISION NOT NULL
        );

        CREATE TABLE step_checkpoints (
          task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
          name TEXT NOT NULL,
          value TEXT NOT NULL,
          updated_at TIMESTAMPTZ NOT NULL,
          PRIMARY KEY (task_id, name)
        );
        """
}
