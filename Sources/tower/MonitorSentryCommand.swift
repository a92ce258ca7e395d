import ArgumentParser
import Foundation
import TowerAgents
import TowerStore

/// `tower monitor-sentry`: one Sentry pass now, as the engine runs every hour; `--dry-run`
/// prints what would be filed and files nothing; `--issue ID` handles one issue through the
/// same dedup, whatever its count.
struct MonitorSentryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor-sentry", abstract: "Run one Sentry pass now: recurring errors become deduplicated Jira bugs.",
        discussion: """
            Unresolved issues of SENTRY_PROJECTS (default: every project) over the thresholds
            (TOWER_SENTRY_THRESHOLDS, the original's fatal 1+, error 10+, warning 50+, info 100+
            events in 24 h) become one Jira Bug each in JIRA_PROJECT_KEY, unless one was filed in
            the last 90 days; Slack is told. Exit status: 0 the pass ran and nothing failed; 1 it
            could not run, or an issue could not be filed (it is tried again next pass).
            """)

    @OptionGroup var global: GlobalOptions

    @Flag(name: .long, help: "Print what would be filed; file, claim and record nothing.")
    var dryRun = false

    @Option(name: .long, help: "Handle one Sentry issue (its numeric id) now, whatever its count, through the same dedup.")
    var issue: String?

    func validate() throws {
        if dryRun, issue != nil { throw ValidationError("--dry-run and --issue cannot be combined") }
    }

    func run() async throws {
        var failed = false
        try await reportingErrors {
            let config = try global.loadConfiguration()
            let store = try await global.openStore()
            let services = WorkflowAssembly.services(configuration: config, store: store)
            let monitor = SentryMonitor(services: services, store: store, log: WorkflowAssembly.stderrLog)
            let outcome: SentryMonitor.Outcome
            do {
                if let issue {
                    outcome = try await monitor.handle(issueId: issue)
                } else {
                    print("thresholds: \(services.sentry.thresholds.description)")
                    outcome = try await monitor.pass(trigger: .manual, dryRun: dryRun)
                }
            } catch let error as SentryMonitorError {
                throw CLIError.failure(error.description)
            }
            let c = outcome.pass.counts
            if dryRun {
                for issue in outcome.wouldFile {
                    print("would file: \(issue.shortId.isEmpty ? issue.id : issue.shortId)  \(issue.level)  \(issue.eventsInPeriod ?? issue.count) events in 24 h  \(issue.title)")
                }
                print("dry run: \(c.checked) checked, \(c.overThreshold) over threshold, \(c.deduplicated) already filed, \(outcome.wouldFile.count) would be filed; nothing was filed")
            } else {
                for (fingerprint, ticket) in outcome.filed { print("filed \(ticket) for Sentry issue \(fingerprint)") }
                for failure in outcome.failures { print("failed: \(failure)") }
                print("\(c.checked) checked, \(c.overThreshold) over threshold, \(c.deduplicated) deduplicated, \(c.created) created, \(c.failed) failed")
            }
            if let error = outcome.pass.error { FileHandle.standardError.write(Data("tower: the pass met an error: \(error)\n".utf8)) }
            failed = c.failed > 0 || outcome.pass.error != nil
        }
        if failed { throw ExitCode(1) }
    }
}
