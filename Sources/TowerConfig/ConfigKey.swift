/// A setting Tower reads, with the original's name.
public struct ConfigKey: Sendable, Hashable {
    public var name: String
    /// The service it belongs to, for grouping in `tower config`.
    public var group: String
    /// Secrets are never shown, logged or stored: only whether they are set.
    public var isSecret: Bool
    /// Needed for the group's service to count as configured.
    public var isRequired: Bool
    public var defaultValue: String?
    public var summary: String
    /// What the value must be, for typed settings.
    public var check: ValueCheck?

    public init(
        _ name: String, group: String, secret: Bool = false, required: Bool = false, default defaultValue: String? = nil, check: ValueCheck? = nil,
        _ summary: String
    ) {
        self.check = check
        self.name = name
        self.group = group
        self.isSecret = secret
        self.isRequired = required
        self.defaultValue = defaultValue
        self.summary = summary
    }

    /// Every setting Tower knows, in the order `tower config` shows them.
    public static let all: [ConfigKey] = [
        ConfigKey("TOWER_HOME", group: "Tower", "state directory (database, logs)"),
        ConfigKey(
            "TOWER_STORE_URL", group: "Tower", secret: true,
            "postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=…: keep the state in PostgreSQL, shared by workers and consoles on several hosts (default: SQLite in the state directory)"),
        ConfigKey("TOWER_MAX_CONCURRENT_TASKS", group: "Tower", default: "4", check: .integer(1...1000), "tasks the engine runs at once"),
        ConfigKey("TOWER_MAX_CI_RETRIES", group: "Tower", default: "3", check: .integer(0...20), "times CI may send a task back to execution"),
        ConfigKey("TOWER_AUDIT_RETENTION_DAYS", group: "Tower", default: "400", check: .integer(30...36_500), "days the audit trail is kept (tower audit)"),
        ConfigKey("TOWER_ALLOW_PLAIN_HTTP", group: "Tower", default: "0", check: .boolean, "1: let credentials go over plain http to hosts other than this one"),
        ConfigKey("TOWER_LISTEN", group: "Tower", default: "127.0.0.1:8001", check: .hostPort, "HOST:PORT the webhook listener binds (tower serve)"),
        ConfigKey("TOWER_LISTEN_MAX_CONNECTIONS", group: "Tower", default: "1000", check: .integer(1...1_000_000), "connections the listener holds open; more wait in the kernel's backlog (capped at the descriptor limit less 256 kept for the store, git and the sandbox)"),
        ConfigKey("TOWER_LISTEN_HEAD_TIMEOUT", group: "Tower", default: "10", check: .seconds(0.1...3600), "seconds a new connection has to send its request head"),
        ConfigKey("TOWER_LISTEN_BODY_TIMEOUT", group: "Tower", default: "30", check: .seconds(0.1...3600), "seconds a request has to send its whole body after its head (then 408)"),
        ConfigKey("TOWER_LISTEN_IDLE_TIMEOUT", group: "Tower", default: "60", check: .seconds(0.1...86400), "seconds a kept-alive connection may wait for its next request"),
        ConfigKey("TOWER_SHUTDOWN_TIMEOUT", group: "Tower", default: "10", check: .seconds(0.1...3600), "seconds SIGTERM waits for requests in flight (the unfinished are answered 503)"),
        ConfigKey("TOWER_SLACK_APPROVERS", group: "Slack", "Slack user ids that may approve, reject and retry from Slack, comma-separated (no one when unset)"),
        ConfigKey("TOWER_FORGE_DIR", group: "Tower", "local forge: bare repositories at DIR/OWNER/NAME.git instead of GitHub"),
        ConfigKey("TOWER_LLM_MODEL", group: "Tower", default: "claude-sonnet-4-20250514", "model the agents ask: provider:model (anthropic, bedrock, openai); a bare name is Anthropic's"),
        ConfigKey("TOWER_PRICES_FILE", group: "Tower", "model prices (TOML, pricing/models.toml's shape) over the shipped table"),
        ConfigKey("TOWER_TASK_BUDGET", group: "Tower", "model budget per task, US dollars: approving a plan grants it (default: the plan's estimate + 50%)"),
        ConfigKey("TOWER_DAILY_BUDGET", group: "Tower", "all tasks' model calls per UTC day, US dollars: past it, calls wait for the next day or a grant"),
        ConfigKey("TOWER_MODEL_DISCOVERY", group: "Tower", "Discovery's model, provider:model (default TOWER_LLM_MODEL)"),
        ConfigKey("TOWER_MODEL_PLANNING", group: "Tower", "Planning's model, provider:model (default TOWER_LLM_MODEL)"),
        ConfigKey("TOWER_MODEL_EXECUTION", group: "Tower", "Execution's model, provider:model (default TOWER_LLM_MODEL)"),
        ConfigKey("TOWER_MODEL_CICD", group: "Tower", "the CI/CD agent's model, provider:model (default TOWER_LLM_MODEL)"),
        ConfigKey("TOWER_LLM_RECORD", group: "Tower", "record every LLM answer into DIR, in the replay format"),
        ConfigKey("TOWER_LLM_REPLAY", group: "Tower", "answer LLM calls from recordings in DIR instead of a model"),
        ConfigKey("TOWER_TICKETS_FILE", group: "Tower", "Jira issues as JSON (Jira's own shape) for a machine without Jira, as the demo has"),
        ConfigKey("TOWER_PROMPTS_DIR", group: "Tower", "prompt overrides (default ~/.config/tower/prompts)"),
        ConfigKey("TOWER_TEST_COMMAND", group: "Tower", "the command that runs a repository's tests (default: .tower.toml, then detected)"),
        ConfigKey("TOWER_TEST_TIMEOUT", group: "Tower", default: "600", check: .seconds(1...86400), "seconds a sandboxed test run may take; then it is killed with its children"),
        ConfigKey("TOWER_SETUP_NETWORK", group: "Tower", default: "0", check: .boolean, "1: a repository's setup command (.tower.toml) may use the network; tests never do"),
        ConfigKey("TOWER_CI_POLL_INTERVAL", group: "Tower", default: "15", check: .seconds(0.01...3600), "seconds between the first CI polls (doubling up to 8 times that)"),
        ConfigKey(
            "TOWER_PLAN_WATCH_INTERVAL", group: "Tower", default: "60", check: .seconds(0.01...3600),
            "seconds between looks at PLAN.md of the plans awaiting approval (an edit moves the request to it)"),
        ConfigKey("TOWER_CI_TIMEOUT", group: "Tower", default: "3600", check: .seconds(60...604_800), "seconds CI may take before the task is escalated"),
        ConfigKey("TOWER_LOG_FORMAT", group: "Tower", default: "text", check: .oneOf(["text", "json"]), "json: serve, run and the engine write one JSON object per log line (as --log-format json)"),
        ConfigKey("OTEL_EXPORTER_OTLP_ENDPOINT", group: "Traces", "OTLP/HTTP collector (http://host:4318): a trace per task is exported there; unset, nothing is traced"),
        ConfigKey("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", group: "Traces", "the traces URL itself (…/v1/traces), instead of the endpoint above"),
        ConfigKey("OTEL_EXPORTER_OTLP_HEADERS", group: "Traces", secret: true, "headers sent to the collector (key=value,…), an API key among them"),
        ConfigKey("OTEL_SERVICE_NAME", group: "Traces", default: "tower", "service.name of the exported spans"),
        ConfigKey("ANTHROPIC_API_KEY", group: "Anthropic", secret: true, required: true, "API key"),
        ConfigKey("ANTHROPIC_BASE_URL", group: "Anthropic", default: "https://api.anthropic.com", "API base URL"),
        ConfigKey("OPENAI_BASE_URL", group: "OpenAI", required: true, "OpenAI-compatible server (https://api.openai.com/v1, vLLM's http://localhost:8000/v1…) for openai: models"),
        ConfigKey("OPENAI_API_KEY", group: "OpenAI", secret: true, "its API key (not needed for a server on this machine)"),
        ConfigKey("AWS_REGION", group: "Bedrock", required: true, "region of the Bedrock runtime (bedrock:… models)"),
        ConfigKey("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", group: "Bedrock", "Bedrock runtime endpoint override (a VPC endpoint)"),
        ConfigKey("AWS_BEARER_TOKEN_BEDROCK", group: "Bedrock", secret: true, "a Bedrock API key, used instead of SigV4 credentials"),
        ConfigKey("AWS_PROFILE", group: "Bedrock", "profile of the shared credentials and config files"),
        ConfigKey("AWS_ACCESS_KEY_ID", group: "Bedrock", "access key id (else the shared files, the container or the instance role)"),
        ConfigKey("AWS_SECRET_ACCESS_KEY", group: "Bedrock", secret: true, "secret access key"),
        ConfigKey("AWS_SESSION_TOKEN", group: "Bedrock", secret: true, "session token of temporary credentials"),
        ConfigKey("AWS_SHARED_CREDENTIALS_FILE", group: "Bedrock", "shared credentials file (default ~/.aws/credentials)"),
        ConfigKey("AWS_CONFIG_FILE", group: "Bedrock", "shared config file (default ~/.aws/config)"),
        ConfigKey("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", group: "Bedrock", "ECS task role credentials path"),
        ConfigKey("AWS_CONTAINER_CREDENTIALS_FULL_URI", group: "Bedrock", "container credentials URL (EKS Pod Identity)"),
        ConfigKey("AWS_CONTAINER_AUTHORIZATION_TOKEN", group: "Bedrock", secret: true, "token for the container credentials URL"),
        ConfigKey("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", group: "Bedrock", "file holding that token"),
        ConfigKey("AWS_EC2_METADATA_DISABLED", group: "Bedrock", "true: never ask the instance metadata service"),
        ConfigKey("AWS_EC2_METADATA_SERVICE_ENDPOINT", group: "Bedrock", "instance metadata endpoint override"),
        ConfigKey("GITHUB_TOKEN", group: "GitHub", secret: true, required: true, "token"),
        ConfigKey("GITHUB_ORG", group: "GitHub", required: true, "organization whose code the agents work on"),
        ConfigKey("GITHUB_API_URL", group: "GitHub", default: "https://api.github.com", "REST base URL (GitHub Enterprise: https://HOST/api/v3)"),
        ConfigKey("GITHUB_WEBHOOK_SECRET", group: "GitHub", secret: true, "webhook signing secret"),
        ConfigKey("JIRA_BASE_URL", group: "Jira", required: true, "site URL, e.g. https://company.atlassian.net"),
        ConfigKey("JIRA_EMAIL", group: "Jira", required: true, "account e-mail for the API token"),
        ConfigKey("JIRA_API_TOKEN", group: "Jira", secret: true, required: true, "API token"),
        ConfigKey("JIRA_PROJECT_KEY", group: "Jira", required: true, "project for new tickets"),
        ConfigKey("JIRA_WEBHOOK_SECRET", group: "Jira", secret: true, "webhook secret (X-Hub-Signature); several, comma-separated, while rotating"),
        ConfigKey("SLACK_BOT_TOKEN", group: "Slack", secret: true, required: true, "bot token"),
        ConfigKey("SLACK_SIGNING_SECRET", group: "Slack", secret: true, "request signing secret"),
        ConfigKey("SLACK_CHANNEL_AGENTS", group: "Slack", required: true, default: "#ai-agents", "channel for approvals and notices"),
        ConfigKey("SLACK_API_URL", group: "Slack", default: "https://slack.com/api", "Web API base URL"),
        ConfigKey("SENTRY_ORG", group: "Sentry", required: true, "organization slug"),
        ConfigKey("SENTRY_AUTH_TOKEN", group: "Sentry", secret: true, required: true, "auth token"),
        ConfigKey("SENTRY_WEBHOOK_SECRET", group: "Sentry", secret: true, "webhook client secret"),
        ConfigKey("SENTRY_URL", group: "Sentry", default: "https://sentry.io", "base URL (self-hosted Sentry)"),
        ConfigKey("SENTRY_PROJECTS", group: "Sentry", "projects the monitor reads, comma-separated (default: every project of the organization)"),
        ConfigKey("TOWER_SENTRY_INTERVAL", group: "Sentry", default: "3600", check: .seconds(60...604_800), "seconds between the engine's Sentry passes"),
        ConfigKey("TOWER_SENTRY_THRESHOLDS", group: "Sentry", default: "fatal=1,error=10,warning=50,info=100", "events in 24 h that file a bug, by level"),
        ConfigKey("TOWER_DIGEST_HOUR", group: "Slack", check: .integer(0...23), "hour (UTC) of the daily shift hand-off posted to SLACK_CHANNEL_AGENTS (unset: none)"),
        ConfigKey("TOWER_DIGEST_SINCE", group: "Slack", default: "12h", "how far back the posted hand-off reaches (12h, 90m, 1d)"),
    ]

    /// A known key by name.
    public static func named(_ name: String) -> ConfigKey? { all.first { $0.name == name } }

    /// Whether an unknown key's name says it holds a secret, so its value is never shown either.
    public static func looksSecret(_ name: String) -> Bool {
        let upper = name.uppercased()
        return ["TOKEN", "SECRET", "PASSWORD", "PASSWD", "API_KEY", "APIKEY", "PRIVATE_KEY", "CREDENTIAL", "AUTH"].contains { upper.contains($0) }
    }
}
