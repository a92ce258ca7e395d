import CoreMetrics
import TowerCore

/// The original's CloudWatch metrics (TasksStarted, TasksCompleted, TasksFailed, the phase
/// durations, CIFixAttempts, EscalationsCount) as swift-metrics series, so `/metrics` carries
/// them under Prometheus's names and `docs/alerts.yml` can alarm on the original's thresholds.
/// They count what this process did; the store's shared figures (tasks by status, approvals
/// waiting) come from the store at each scrape.
public enum EngineMetrics {
    /// A task began its workflow (left `started` for Discovery): the original's TasksStarted.
    public static let started = "tower_tasks_started_total"
    /// A task reached `completed`: TasksCompleted.
    public static let completed = "tower_tasks_completed_total"
    /// A task reached `failed`: TasksFailed.
    public static let failed = "tower_tasks_failed_total"
    /// Each step's duration by step and outcome (DiscoveryDuration, PlanningDuration,
    /// ExecutionDuration are its `step` label's values).
    public static let stepDuration = "tower_step_duration_seconds"
    /// An auto-fix of a CI failure was attempted: CIFixAttempts.
    public static let ciFixAttempts = "tower_ci_fix_attempts_total"
    /// CI was handed to a person: EscalationsCount.
    public static let escalations = "tower_escalations_total"
    /// A model call failed, by provider and class of error (`rate_limit_error`, `transport`, …).
    public static let providerErrors = "tower_provider_errors_total"

    /// The counters a committed change of status moves (pure, for the tests).
    static func counters(from old: TaskStatus, to new: TaskStatus) -> [String] {
        guard old != new else { return [] }
        var names: [String] = []
        if old == .started { names.append(started) }
        if new == .completed { names.append(completed) }
        if new == .failed { names.append(failed) }
        return names
    }

    /// Counts a committed change of status.
    static func record(from old: TaskStatus, to new: TaskStatus) {
        for name in counters(from: old, to: new) { Counter(label: name).increment() }
    }

    /// Counts one auto-fix attempt of a failed CI run.
    public static func ciFixAttempted() { Counter(label: ciFixAttempts).increment() }

    /// Counts one CI failure handed to a person.
    public static func escalated() { Counter(label: escalations).increment() }

    /// Counts one failed model call (`class` from `LLMError.errorClass(of:)`, a closed set).
    public static func providerFailed(provider: String, class errorClass: String) {
        Counter(label: providerErrors, dimensions: [("provider", provider), ("class", errorClass)]).increment()
    }

    /// Makes every counter exist at zero, so a scrape (and an alert's `increase`) sees each series
    /// before its first event instead of none.
    public static func register() {
        for name in [started, completed, failed, ciFixAttempts, escalations] { Counter(label: name).increment(by: 0) }
    }
}
