import Foundation
import TowerConfig

/// How the Sentry monitor is set up: which projects, the thresholds, how often, and where bugs
/// are filed, from `SENTRY_PROJECTS`, `TOWER_SENTRY_THRESHOLDS`, `TOWER_SENTRY_INTERVAL` and
/// `JIRA_PROJECT_KEY`.
public struct SentrySettings: Sendable {
    /// `nil`: every project of the organization.
    public var projects: [String]?
    public var thresholds = SentryThresholds.original
    /// Seconds between scheduled passes.
    public var interval: TimeInterval = 3600
    /// The Jira project bugs are filed in.
    public var jiraProject: String?
    /// Why there is no Sentry client, or a setting that cannot be read.
    public var problem = "Sentry is not configured (set SENTRY_ORG and SENTRY_AUTH_TOKEN)"

    public init() {}

    public init(_ configuration: Configuration) {
        projects = configuration["SENTRY_PROJECTS"].flatMap { value in
            let list = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return list.isEmpty ? nil : list
        }
        interval = TimeInterval(max(60, configuration.integer("TOWER_SENTRY_INTERVAL", default: 3600)))
        jiraProject = configuration["JIRA_PROJECT_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        do {
            thresholds = try SentryThresholds.parse(configuration["TOWER_SENTRY_THRESHOLDS"])
        } catch {
            problem = String(describing: error)
        }
    }
}
