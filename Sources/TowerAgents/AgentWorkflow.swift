import Foundation
import TowerEngine
import TowerStore

extension Workflow {
    /// Every step's agent (Discovery, Planning, Execution, CI/CD and the completion notice) and,
    /// when a store is given, the watch over PLAN.md of plans awaiting approval and (when Sentry,
    /// Jira and a Jira project are configured) the Sentry monitor's scheduled pass. `sentryLog` receives the monitor's lines (the console passes
    /// none: it shows the passes from the store instead of writing over its screen).
    public static func agents(_ services: AgentServices, store: (any Store)? = nil, sentryLog: (@Sendable (String) async -> Void)? = nil) -> Workflow {
        var jobs: [any ScheduledJob] = []
        if let store, services.sentryClient != nil, services.jira != nil, services.sentry.jiraProject != nil {
            let monitor = SentryMonitor(services: services, store: store) { message in await sentryLog?(message) }
            jobs.append(SentrySchedule(monitor: monitor, interval: services.sentry.interval))
        }
        if let store, services.forge != nil { jobs.append(PlanWatch(services: services, store: store)) }
        if let store, let hour = services.digest.hour { jobs.append(DigestSchedule(services: services, store: store, hour: hour, reach: services.digest.reach)) }
        return Workflow(
            steps: [
                .discovery: DiscoveryStep(services: services), .planning: PlanningAgent(services: services), .execution: ExecutionAgent(services: services),
                .ciMonitoring: CICDAgent(services: services), .completion: CompletionStep(services: services),
            ], jobs: jobs)
    }
}
