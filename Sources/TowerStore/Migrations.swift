import GRDB

/// The schema, as versioned migrations. Never edit a shipped migration: add a new one.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-initial") { db in
            try db.create(table: "tasks") { t in
                t.primaryKey("id", .text)
                t.column("ticket_id", .text)
                t.column("title", .text).notNull()
                t.column("description", .text).notNull()
                t.column("source", .text).notNull()
                t.column("status", .text).notNull()
                t.column("current_agent", .text)
                t.column("progress", .integer).notNull()
                t.column("attempts", .integer).notNull()
                t.column("last_error", .text)
                t.column("step", .text)
                t.column("failed_step", .text)
                t.column("cycle", .integer).notNull()
                t.column("created_at", .datetime).notNull()
                t.column("updated_at", .datetime).notNull()
                t.column("expires_at", .datetime).notNull()
            }
            try db.create(index: "tasks_status", on: "tasks", columns: ["status", "updated_at"])
            try db.create(index: "tasks_ticket", on: "tasks", columns: ["ticket_id"])
            try db.create(index: "tasks_expiry", on: "tasks", columns: ["expires_at"])

            try db.create(table: "phase_results") { t in
                t.column("task_id", .text).notNull().references("tasks", onDelete: .cascade)
                t.column("step", .text).notNull()
                t.column("cycle", .integer).notNull()
                t.column("output", .blob).notNull()
                t.column("completed_at", .datetime).notNull()
                t.primaryKey(["task_id", "step", "cycle"])
            }

            try db.create(table: "events") { t in
                t.autoIncrementedPrimaryKey("seq")
                t.column("task_id", .text).notNull().references("tasks", onDelete: .cascade)
                t.column("at", .datetime).notNull()
                t.column("level", .text).notNull()
                t.column("agent", .text).notNull()
                t.column("message", .text).notNull()
            }
            try db.create(index: "events_task", on: "events", columns: ["task_id", "seq"])

            try db.create(table: "artifacts") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("task_id", .text).notNull().references("tasks", onDelete: .cascade)
                t.column("kind", .text).notNull()
                t.column("name", .text).notNull()
                t.column("version", .integer).notNull()
                t.column("content", .blob).notNull()
                t.column("created_at", .datetime).notNull()
                t.uniqueKey(["task_id", "kind", "name", "version"])
            }

            try db.create(table: "approvals") { t in
                t.primaryKey("token", .text)
                t.column("task_id", .text).notNull().references("tasks", onDelete: .cascade)
                t.column("requested_at", .datetime).notNull()
                t.column("decision", .text)
                t.column("decided_by", .text)
                t.column("channel", .text)
                t.column("reason", .text)
                t.column("decided_at", .datetime)
            }
            try db.create(index: "approvals_task", on: "approvals", columns: ["task_id", "requested_at"])

            try db.create(table: "commands") { t in
                t.autoIncrementedPrimaryKey("seq")
                t.column("kind", .text).notNull()
                t.column("task_id", .text).notNull()
                t.column("user", .text).notNull()
                t.column("channel", .text).notNull()
                t.column("at", .datetime).notNull()
            }

            try db.create(table: "webhook_inbox") { t in
                t.primaryKey("delivery_id", .text)
                t.column("source", .text).notNull()
                t.column("event", .text).notNull()
                t.column("body", .blob).notNull()
                t.column("received_at", .datetime).notNull()
                t.column("processed_at", .datetime)
                t.column("expires_at", .datetime).notNull()
            }
            try db.create(index: "webhook_inbox_pending", on: "webhook_inbox", columns: ["processed_at", "received_at"])

            try db.create(table: "sentry_fingerprints") { t in
                t.primaryKey("fingerprint", .text)
                t.column("ticket_id", .text).notNull()
                t.column("created_at", .datetime).notNull()
                t.column("expires_at", .datetime).notNull()
            }

            try db.create(table: "engine_lease") { t in
                t.primaryKey("name", .text)
                t.column("holder", .text).notNull()
                t.column("pid", .integer).notNull()
                t.column("host", .text).notNull()
                t.column("acquired_at", .datetime).notNull()
                t.column("expires_at", .datetime).notNull()
            }
        }
        migrator.registerMigration("v2-console") { db in
            try db.create(table: "settings") { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
                t.column("updated_by", .text).notNull()
                t.column("updated_at", .datetime).notNull()
            }
            try db.create(table: "outbox") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("task_id", .text)
                t.column("service", .text).notNull()
                t.column("target", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("text", .text).notNull()
                t.column("status", .text).notNull()
                t.column("error", .text)
                t.column("at", .datetime).notNull()
            }
            try db.create(index: "outbox_at", on: "outbox", columns: ["at"])
            try db.alter(table: "events") { t in t.add(column: "milestone", .boolean).notNull().defaults(to: false) }
            try db.execute(sql: "CREATE INDEX events_milestones ON events(task_id, seq) WHERE milestone = 1")
            try db.create(index: "tasks_updated", on: "tasks", columns: ["updated_at"])
        }
        migrator.registerMigration("v3-forge") { db in
            // The local forge's pull requests: numbered per repository, at most one open per head.
            try db.create(table: "pull_requests") { t in
                t.column("repository", .text).notNull()
                t.column("number", .integer).notNull()
                t.column("head", .text).notNull()
                t.column("base", .text).notNull()
                t.column("title", .text).notNull()
                t.column("body", .text).notNull()
                t.column("draft", .boolean).notNull()
                t.column("state", .text).notNull()
                t.column("url", .text).notNull()
                t.column("created_at", .datetime).notNull()
                t.primaryKey(["repository", "number"])
            }
            try db.execute(sql: "CREATE UNIQUE INDEX pull_requests_open_head ON pull_requests(repository, head) WHERE state = 'open'")
            try db.create(table: "pull_request_comments") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("repository", .text).notNull()
                t.column("number", .integer).notNull()
                t.column("body", .text).notNull()
                t.column("author", .text).notNull()
                t.column("at", .datetime).notNull()
            }
            try db.create(table: "ci_runs") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("repository", .text).notNull()
                t.column("branch", .text).notNull()
                t.column("head_sha", .text).notNull()
                t.column("name", .text).notNull()
                t.column("status", .text).notNull()
                t.column("conclusion", .text)
                t.column("output", .text).notNull()
                t.column("started_at", .datetime).notNull()
                t.column("finished_at", .datetime)
            }
            try db.create(index: "ci_runs_branch", on: "ci_runs", columns: ["repository", "branch", "id"])
        }
        migrator.registerMigration("v4-agents") { db in
            try db.alter(table: "tasks") { t in t.add(column: "repository", .text) }
            // An outside message's idempotency key: a re-run finds what its first run sent.
            try db.alter(table: "outbox") { t in t.add(column: "effect_key", .text) }
            try db.execute(sql: "CREATE UNIQUE INDEX outbox_effect_key ON outbox(effect_key) WHERE effect_key IS NOT NULL")
            // Every LLM call an agent made: what it asked, what came back, and what it cost.
            try db.create(table: "llm_calls") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("task_id", .text).indexed()
                t.column("step", .text).notNull()
                t.column("purpose", .text).notNull()
                t.column("model", .text).notNull()
                t.column("system", .text).notNull()
                t.column("prompt", .text).notNull()
                t.column("answer", .text).notNull()
                t.column("error", .text)
                t.column("input_tokens", .integer).notNull()
                t.column("output_tokens", .integer).notNull()
                t.column("cost", .double)
                t.column("duration_ms", .integer).notNull()
                t.column("at", .datetime).notNull()
            }
        }
        migrator.registerMigration("v5-sentry") { db in
            // A fingerprint is reserved before its Jira bug is created and confirmed with the
            // ticket after: a pass killed in between leaves a reservation the next pass confirms
            // through Jira instead of filing a twin.
            try db.drop(table: "sentry_fingerprints")
            try db.create(table: "sentry_fingerprints") { t in
                t.primaryKey("fingerprint", .text)
                t.column("ticket_id", .text)
                t.column("title", .text).notNull()
                t.column("level", .text).notNull()
                t.column("project", .text).notNull()
                t.column("reserved_at", .datetime).notNull()
                t.column("ticketed_at", .datetime)
                t.column("expires_at", .datetime).notNull()
            }
            // Every Sentry pass: when, why, its counts, and its error when it failed.
            try db.create(table: "sentry_passes") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("trigger", .text).notNull()
                t.column("started_at", .datetime).notNull()
                t.column("finished_at", .datetime)
                t.column("checked", .integer).notNull().defaults(to: 0)
                t.column("over_threshold", .integer).notNull().defaults(to: 0)
                t.column("deduplicated", .integer).notNull().defaults(to: 0)
                t.column("created", .integer).notNull().defaults(to: 0)
                t.column("failed", .integer).notNull().defaults(to: 0)
                t.column("error", .text)
            }
            try db.create(index: "sentry_passes_trigger", on: "sentry_passes", columns: ["trigger", "started_at"])
        }
        migrator.registerMigration("v6-inbox-outcome") { db in
            // What processing a delivery did (started t-…, approved, ignored and why, failed and why).
            try db.alter(table: "webhook_inbox") { t in t.add(column: "outcome", .text) }
        }
        migrator.registerMigration("v7-inbox-replays-and-bodies") { db in
            // Replays: the same signed body under a fresh delivery id is the same delivery.
            try db.alter(table: "webhook_inbox") { t in t.add(column: "body_digest", .text) }
            try db.create(index: "webhook_inbox_body_digest", on: "webhook_inbox", columns: ["body_digest"], unique: true, condition: Column("body_digest") != nil)
            // Bodies in a table of their own: marking a delivery processed rewrites its small
            // row, not a 15 KB body's overflow pages.
            try db.create(table: "webhook_bodies") { t in
                t.primaryKey("delivery_id", .text).references("webhook_inbox", column: "delivery_id", onDelete: .cascade)
                t.column("body", .blob).notNull()
            }
            try db.execute(sql: "INSERT INTO webhook_bodies (delivery_id, body) SELECT delivery_id, body FROM webhook_inbox")
            try db.alter(table: "webhook_inbox") { t in t.drop(column: "body") }
        }
        migrator.registerMigration("v8-approved-plan-version") { db in
            // The PLAN.md version (blobs per repository, hash, the edit) each request is for.
            try db.alter(table: "approvals") { t in t.add(column: "plan_version", .text) }
        }
        migrator.registerMigration("v9-parked-steps") { db in
            // A step parked until a service's Retry-After has passed, and what it waits for.
            try db.alter(table: "tasks") { t in
                t.add(column: "waiting_until", .datetime)
                t.add(column: "waiting_for", .text)
            }
        }
        migrator.registerMigration("v10-llm-cache-tokens") { db in
            // Prompt-cache writes and reads, counted apart from fresh input (they cost apart).
            try db.alter(table: "llm_calls") { t in
                t.add(column: "cache_write_tokens", .integer).notNull().defaults(to: 0)
                t.add(column: "cache_read_tokens", .integer).notNull().defaults(to: 0)
            }
        }
        migrator.registerMigration("v11-budgets") { db in
            // Calls answered from recordings (what they would have cost), each task's granted
            // budget, the estimate an approval request shows, and what people added to a day's limit.
            try db.alter(table: "llm_calls") { t in t.add(column: "replayed", .boolean).notNull().defaults(to: false) }
            try db.alter(table: "tasks") { t in t.add(column: "budget", .double) }
            try db.alter(table: "approvals") { t in t.add(column: "estimate", .text) }
            try db.create(table: "budget_days") { t in
                t.primaryKey("day", .text)
                t.column("extra", .double).notNull()
            }
        }
        migrator.registerMigration("v12-runnable-index") { db in
            // The engine's scan for work reads the active tasks only, oldest first, however many
            // finished ones the table holds; and the earliest parked one.
            try db.execute(
                sql: """
                    CREATE INDEX tasks_runnable ON tasks(created_at, id)
                    WHERE status NOT IN ('completed', 'rejected', 'failed', 'awaiting_approval', 'awaiting_budget')
                    """)
            try db.execute(sql: "CREATE INDEX tasks_parked ON tasks(waiting_until) WHERE waiting_until IS NOT NULL")
        }
        migrator.registerMigration("v13-workers-and-checkpoints") { db in
            // The engine running each task's current attempt, and what a step keeps of its own
            // progress between attempts and engines (Execution: a plan task's attempt and feedback).
            try db.alter(table: "tasks") { t in
                t.add(column: "worker", .text)
                t.add(column: "interruptions", .integer).notNull().defaults(to: 0)
            }
            try db.create(table: "step_checkpoints") { t in
                t.column("task_id", .text).notNull().references("tasks", onDelete: .cascade)
                t.column("name", .text).notNull()
                t.column("value", .text).notNull()
                t.column("updated_at", .datetime).notNull()
                t.primaryKey(["task_id", "name"])
            }
        }
        migrator.registerMigration("v14-claims-and-workers") { db in
            // Work shared by several workers: who holds each task and the fencing token of that
            // claim; and every worker's heartbeat, whose expiry is its claims' expiry.
            try db.alter(table: "tasks") { t in
                t.add(column: "claimed_by", .text)
                t.add(column: "claim_token", .integer).notNull().defaults(to: 0)
            }
            try db.create(index: "tasks_claimed_by", on: "tasks", columns: ["claimed_by"], condition: Column("claimed_by") != nil)
            try db.create(table: "workers") { t in
                t.primaryKey("id", .text)
                t.column("host", .text).notNull()
                t.column("pid", .integer).notNull()
                t.column("started_at", .datetime).notNull()
                t.column("heartbeat_at", .datetime).notNull()
                t.column("expires_at", .datetime).notNull()
                t.column("tasks_held", .integer).notNull().defaults(to: 0)
                t.column("stopped_at", .datetime)
            }
        }
        migrator.registerMigration("v15-audit") { db in
            // Who decided what, from which channel, and every effect Tower caused: append-only.
            // No foreign key to tasks: a task's rows go after 30 days, its audit rows stay.
            try db.execute(
                sql: """
                    CREATE TABLE audit (
                      seq INTEGER PRIMARY KEY AUTOINCREMENT, at DATETIME NOT NULL, kind TEXT NOT NULL, action TEXT NOT NULL,
                      task_id TEXT, user TEXT NOT NULL, channel TEXT NOT NULL, note TEXT, plan_version TEXT, effect_key TEXT, detail TEXT)
                    """)
            try db.execute(sql: "CREATE INDEX audit_at ON audit(at)")
            try db.execute(sql: "CREATE INDEX audit_task ON audit(task_id, seq)")
            // The database refuses what the product never does: changing a row, or removing one
            // younger than the 30 days no retention setting goes below.
            try db.execute(
                sql: "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END")
            try db.execute(
                sql: """
                    CREATE TRIGGER audit_no_early_delete BEFORE DELETE ON audit WHEN OLD.at > strftime('%Y-%m-%d %H:%M:%f', 'now', '-30 days')
                    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: rows younger than 30 days are kept'); END
                    """)
        }
        migrator.registerMigration("v16-trace") { db in
            // The task's trace: its root span's traceparent, and the webhook's it links to.
            try db.alter(table: "tasks") { t in
                t.add(column: "trace_parent", .text)
                t.add(column: "origin_trace_parent", .text)
            }
            try db.alter(table: "webhook_inbox") { t in t.add(column: "trace_parent", .text) }
        }
        migrator.registerMigration("v17-halts-and-presence") { db in
            // Pauses of one task or one repository, beside the freeze; kept until resumed.
            try db.execute(
                sql: """
                    CREATE TABLE halts (
                      scope TEXT NOT NULL, name TEXT NOT NULL, paused_by TEXT NOT NULL, channel TEXT NOT NULL, at DATETIME NOT NULL,
                      via_repository TEXT, PRIMARY KEY (scope, name))
                    """)
            // Which console has which task open: "also open by", never a lock; rows expire.
            try db.execute(
                sql: "CREATE TABLE console_presence (console_id TEXT PRIMARY KEY, user_name TEXT NOT NULL, task_id TEXT, seen_at DATETIME NOT NULL)")
        }
        migrator.registerMigration("v18-tasks-by-creation") { db in
            // Every task, newest first (the console's first screen, `tower agent list`): read in
            // this index's order instead of sorted, which with 10,000 tasks spilled SQLite's
            // sorter to a temporary file under the readers' small page cache.
            try db.execute(sql: "CREATE INDEX tasks_by_creation ON tasks(created_at DESC, id)")
        }
        return migrator
    }
}
