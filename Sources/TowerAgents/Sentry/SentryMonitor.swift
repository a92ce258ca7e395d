import Foundation
import TowerCore
import TowerEngine
import TowerServices
import TowerStore

/// The Sentry agent: unresolved Sentry issues over the level thresholds become one Jira bug
/// each, from the original's template, deduplicated by fingerprint for 90 days, with a Slack
/// notice. It never files a twin: the fingerprint is claimed before the bug is created and
/// confirmed with its key after, and a claim left without a key (the process died in between,
/// or Jira failed) is settled on a later pass by asking Jira for the bug's fingerprint line.
/// One pass runs at a time across every process (the `sentry` lease), so a claim another pass
/// left behind is never one still being filed.
public struct SentryMonitor: Sendable {
    /// What one pass did.
    public struct Outcome: Sendable {
        public var pass: SentryPass
        /// `(fingerprint, ticket)` for each bug filed.
        public var filed: [(fingerprint: String, ticket: String)] = []
        /// A dry run's list: what would be filed.
        public var wouldFile: [SentryClient.Issue] = []
        /// One line per issue that could not be handled.
        public var failures: [String] = []
    }

    /// How one over-threshold issue ended.
    enum Handled: Equatable {
        case deduplicated(String)
        case created(String)
        case failed(String)
        case wouldFile
    }

    let services: AgentServices
    let store: any Store
    let log: @Sendable (String) async -> Void
    let now: @Sendable () -> Date
    /// How long the `sentry` lease lasts without a heartbeat.
    let leaseTTL: TimeInterval

    public init(
        services: AgentServices, store: any Store, leaseTTL: TimeInterval = 60, now: @escaping @Sendable () -> Date = Date.init,
        log: @escaping @Sendable (String) async -> Void
    ) {
        self.services = services
        self.store = store
        self.leaseTTL = leaseTTL
        self.now = now
        self.log = log
    }

    static let leaseName = "sentry"

    // MARK: Passes

    /// One pass over every project (`SENTRY_PROJECTS`, else all of the organization's). A dry
    /// run files, claims and records nothing.
    public func pass(trigger: SentryPass.Trigger, dryRun: Bool = false) async throws -> Outcome {
        let sentry = try requireSentry()
        if !dryRun { _ = try requireJira() }
        return try await leased(trigger: trigger, dryRun: dryRun) { outcome in
            // Each project by the id the issues endpoint filters by; configured ones by their slug.
            let projects: [(filter: String, project: String)]
            if let configured = services.sentry.projects {
                projects = configured.map { ($0, $0) }
            } else {
                projects = try await sentry.listProjects().map { ($0.id, $0.slug) }
                await log("projects of \(sentry.organization): \(projects.map(\.project).joined(separator: ", "))")
            }
            var errors: [String] = []
            for (filter, project) in projects {
                let issues: [SentryClient.Issue]
                do {
                    issues = try await sentry.listIssues(project: filter, query: "is:unresolved", statsPeriod: "24h", maxPages: 20)
                } catch {
                    errors.append("\(project): \(error)")
                    await log("cannot list \(project)'s issues: \(error)")
                    continue
                }
                for issue in issues {
                    outcome.pass.counts.checked += 1
                    let events = issue.eventsInPeriod ?? issue.count
                    guard services.sentry.thresholds.files(level: issue.level, events: events) else { continue }
                    outcome.pass.counts.overThreshold += 1
                    await handle(issue, project: issue.project ?? project, events: events, dryRun: dryRun, into: &outcome)
                }
            }
            if !errors.isEmpty { outcome.pass.error = errors.joined(separator: "; ") }
        }
    }

    /// One issue now (a fatal-level Sentry alert), through the same claim and dedup; the alert
    /// stands in for the threshold.
    public func handle(issueId: String) async throws -> Outcome {
        let sentry = try requireSentry()
        _ = try requireJira()
        return try await leased(trigger: .alert, dryRun: false) { outcome in
            let issue = try await sentry.getIssue(issueId)
            outcome.pass.counts.checked = 1
            outcome.pass.counts.overThreshold = 1
            await handle(issue, project: issue.project ?? "", events: issue.eventsInPeriod ?? issue.count, dryRun: false, into: &outcome)
        }
    }

    /// Runs `body` as a recorded pass under the `sentry` lease (renewed while it runs).
    private func leased(trigger: SentryPass.Trigger, dryRun: Bool, _ body: (inout Outcome) async throws -> Void) async throws -> Outcome {
        var outcome = Outcome(pass: SentryPass(trigger: trigger, startedAt: now()))
        if dryRun {
            try await body(&outcome)
            outcome.pass.finishedAt = now()
            return outcome
        }
        let claim = LeaseClaim.thisProcess()
        try await takeLease(claim)
        let heartbeat = Task { [store, leaseTTL, now] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(leaseTTL / 3 * 1_000_000_000))
                guard !Task.isCancelled else { return }
                _ = try? await store.acquireLease(named: Self.leaseName, claim, ttl: leaseTTL, now: now())
            }
        }
        defer { heartbeat.cancel() }
        outcome.pass = try await store.startSentryPass(outcome.pass)
        do {
            try await body(&outcome)
        } catch {
            outcome.pass.error = String(describing: error)
        }
        outcome.pass.finishedAt = now()
        try await store.finishSentryPass(outcome.pass)
        heartbeat.cancel()
        try? await store.releaseLease(named: Self.leaseName, holder: claim.holder)
        let c = outcome.pass.counts
        await log(
            "Sentry pass (\(trigger.rawValue)): \(c.checked) checked, \(c.overThreshold) over threshold, \(c.deduplicated) deduplicated, \(c.created) created, \(c.failed) failed"
                + (outcome.pass.error.map { "; error: \($0)" } ?? ""))
        return outcome
    }

    /// The `sentry` lease, or why not: another live pass holds it. A holder on this host whose
    /// process is gone (killed mid-pass) is not waited for.
    private func takeLease(_ claim: LeaseClaim) async throws {
        if try await store.acquireLease(named: Self.leaseName, claim, ttl: leaseTTL, now: now()) { return }
        if let holder = try await store.lease(named: Self.leaseName), holder.holderIsGone(onHost: claim.host) {
            await log("the Sentry pass of pid \(holder.pid) died; taking over")
            try await store.releaseLease(named: Self.leaseName, holder: holder.holder)
            if try await store.acquireLease(named: Self.leaseName, claim, ttl: leaseTTL, now: now()) { return }
        }
        let holder = try await store.lease(named: Self.leaseName)
        throw SentryMonitorError.busy("a Sentry pass is running in \(holder.map { "pid \($0.pid) on \($0.host)" } ?? "another process"); try again when it ends")
    }

    // MARK: One issue

    /// Claims the fingerprint, settles a claim left by a pass that died, files the bug, records
    /// it, tells Slack.
    private func handle(_ issue: SentryClient.Issue, project: String, events: Int, dryRun: Bool, into outcome: inout Outcome) async {
        let result = await handle(issue, project: project, events: events, dryRun: dryRun)
        switch result {
        case .deduplicated: outcome.pass.counts.deduplicated += 1
        case .created(let ticket):
            outcome.pass.counts.created += 1
            outcome.filed.append((issue.id, ticket))
        case .failed(let why):
            outcome.pass.counts.failed += 1
            outcome.failures.append("\(issue.shortId.isEmpty ? issue.id : issue.shortId): \(why)")
        case .wouldFile: outcome.wouldFile.append(issue)
        }
    }

    func handle(_ issue: SentryClient.Issue, project: String, events: Int, dryRun: Bool) async -> Handled {
        let name = issue.shortId.isEmpty ? issue.id : issue.shortId
        guard issue.id.range(of: #"^[A-Za-z0-9_-]{1,64}$"#, options: .regularExpression) != nil else {
            return .failed("Sentry gave an issue id Tower will not put in a query: \(issue.id.prefix(40))")
        }
        let fingerprint = SentryFingerprint(fingerprint: issue.id, title: issue.title, level: issue.level, project: project)
        if dryRun {
            do {
                if let known = try await store.fingerprint(issue.id, at: now()), let ticket = known.ticketId { return .deduplicated(ticket) }
            } catch {
                return .failed("cannot read the store: \(error)")
            }
            return .wouldFile
        }
        let claim: FingerprintClaim
        do {
            claim = try await store.claimFingerprint(fingerprint, at: now())
        } catch {
            return .failed("cannot claim the fingerprint: \(error)")
        }
        switch claim {
        case .ticketed(let ticket):
            return .deduplicated(ticket)
        case .reserved(let since):
            // A pass claimed it and did not record a ticket: did its Jira create go through?
            do {
                if let found = try await filedEarlier(issue.id) {
                    try await store.confirmFingerprint(issue.id, ticketId: found, at: now())
                    await log("\(name): \(found) was filed by the pass of \(since) that did not record it; recorded now")
                    // That pass may have died before telling Slack; the outbox key keeps it to once.
                    await notify(issue, ticket: found, events: events)
                    return .deduplicated(found)
                }
            } catch {
                return .failed("cannot ask Jira whether an earlier pass filed it: \(error)")
            }
        case .claimed:
            break
        }
        return await file(issue, name: name, events: events)
    }

    /// The key of a bug whose description carries this fingerprint's line, if Jira has one.
    func filedEarlier(_ issueId: String) async throws -> String? {
        let jira = try requireJira()
        let line = SentryBugReport.fingerprintLine(issueId)
        let jql = "project = \"\(jira.project)\" AND text ~ \"\\\"\(line)\\\"\" ORDER BY created ASC"
        let found = try await jira.client.searchIssues(jql: jql, maxResults: 20)
        // Jira's text search matches words, not lines: keep only a description with the exact line
        // (its emphasis, if the text kept it, aside).
        return found.first { issue in
            issue.description.split(whereSeparator: \.isNewline).contains { $0.trimmingCharacters(in: CharacterSet(charactersIn: " *_\t")) == line }
        }?.key
    }

    private func file(_ issue: SentryClient.Issue, name: String, events: Int) async -> Handled {
        let jira: (client: JiraClient, project: String)
        do {
            jira = try requireJira()
        } catch {
            return .failed(String(describing: error))
        }
        var event: SentryClient.Event?
        do {
            event = try await services.sentryClient?.getLatestEvent(issue: issue.id)
        } catch {
            await log("\(name): no latest event (\(error)); filing without a stack trace")
        }
        let key: String
        do {
            key = try await jira.client.createIssue(
                project: jira.project, issueType: "Bug", summary: SentryBugReport.summary(issue),
                description: SentryBugReport.description(issue: issue, event: event, events: events), labels: ["sentry"], hardLineBreaks: true)
        } catch {
            await log("\(name): Jira did not create the bug: \(error); the next pass tries again")
            return .failed("Jira: \(error)")
        }
        try? await store.recordAudit(
            AuditRecord(
                at: now(), kind: .effect, action: "jira_issue", taskId: nil, user: "tower", channel: "jira", key: "sentry:\(issue.id)",
                detail: "\(key) in \(jira.project) for Sentry issue \(issue.id): \(SentryBugReport.summary(issue))"))
        do {
            try await store.confirmFingerprint(issue.id, ticketId: key, at: now())
        } catch {
            // The bug exists; the next pass finds it through its fingerprint line.
            await log("\(name): filed \(key) but cannot record it: \(error)")
            return .created(key)
        }
        await log("\(name): filed \(key) (\(issue.level), \(events) events in 24 h): \(issue.title)")
        await notify(issue, ticket: key, events: events)
        return .created(key)
    }

    /// The Slack notice of a bug filed, once per fingerprint and ticket (the outbox's key).
    private func notify(_ issue: SentryClient.Issue, ticket: String, events: Int) async {
        let url = services.jira?.baseURL.appendingPathComponent("browse").appendingPathComponent(ticket).absoluteString
        let notifier = Notifier(
            store: store, taskId: nil, jira: nil, jiraProblem: services.jiraProblem, slack: services.slack, slackProblem: services.slackProblem,
            slackChannel: services.slackChannel
        ) { _, message in await log(message) }
        _ = try? await notifier.slackNotice(
            SentryBugReport.notice(issue: issue, ticket: ticket, events: events, jiraURL: url), kind: "sentry_bug", key: "sentry/\(issue.id)/\(ticket)")
    }

    // MARK: Services

    private func requireSentry() throws -> SentryClient {
        guard let sentry = services.sentryClient else { throw SentryMonitorError.configuration(services.sentry.problem) }
        return sentry
    }

    private func requireJira() throws -> (client: JiraClient, project: String) {
        guard let jira = services.jira else { throw SentryMonitorError.configuration("\(services.jiraProblem): Sentry bugs are filed in Jira") }
        guard let project = services.sentry.jiraProject, !project.isEmpty else {
            throw SentryMonitorError.configuration("JIRA_PROJECT_KEY is not set: it names the project Sentry bugs are filed in")
        }
        return (jira, project)
    }
}
