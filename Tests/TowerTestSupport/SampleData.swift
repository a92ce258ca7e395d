import Foundation
import TowerCore
import TowerStore

/// A fixed, realistic set of tasks for console tests, snapshots, tmux runs and benchmarks.
public enum SampleData {
    /// 2026-11-25 09:00:00 UTC: "now" in every snapshot.
    public static let now = Date(timeIntervalSince1970: 1_795_597_200)

    public static func task(
        _ id: String, _ ticket: String?, _ title: String, _ status: TaskStatus, agent: String?, progress: Int, attempts: Int = 0,
        now: Date = SampleData.now, minutesAgo: Double, updatedMinutesAgo: Double? = nil, step: StepKind? = nil, failedStep: StepKind? = nil, error: String? = nil, cycle: Int = 0
    ) -> TowerTask {
        TowerTask(
            id: id, ticketId: ticket, title: title, description: "", source: ticket == nil ? .description : .jira, status: status,
            currentAgent: agent, progress: progress, attempts: attempts, lastError: error, step: step, failedStep: failedStep, cycle: cycle,
            createdAt: now.addingTimeInterval(-minutesAgo * 60), updatedAt: now.addingTimeInterval(-(updatedMinutesAgo ?? minutesAgo / 2) * 60),
            expiresAt: now.addingTimeInterval(30 * 86400))
    }

    /// Seven tasks, one or more in every group of the board.
    public static var tasks: [TowerTask] { tasks(now: now) }

    /// The same tasks, dated relative to `now`.
    public static func tasks(now: Date) -> [TowerTask] {
        [
        task("t-7k2m9q4x", "PROJ-123", "Add OAuth login with Google", .awaitingApproval, agent: "planning", progress: 40, now: now, minutesAgo: 42, updatedMinutesAgo: 3),
        task("t-3p8v1c6d", "PROJ-118", "Rate limit the public API per token", .executing, agent: "execution", progress: 55, now: now, minutesAgo: 130, updatedMinutesAgo: 1, step: .execution),
        task("t-9r4t2w8e", "PROJ-120", "Fix flaky checkout test", .failed, agent: "execution", progress: 40, attempts: 3, now: now, minutesAgo: 300, updatedMinutesAgo: 20, failedStep: .execution, error: "tests failed: 3 assertions in checkout_test.py"),
        task("t-5h6j7k8l", "PROJ-101", "Upgrade the logging library", .completed, agent: "notify", progress: 100, now: now, minutesAgo: 1440, updatedMinutesAgo: 600),
        task("t-2a3s4d5f", nil, "Document the deploy runbook", .rejected, agent: "planning", progress: 40, now: now, minutesAgo: 2880, updatedMinutesAgo: 2000),
        task("t-8z7x6c5v", "PROJ-125", "Sentry: KeyError 'user' in billing webhook", .discovery, agent: "discovery", progress: 0, now: now, minutesAgo: 2, updatedMinutesAgo: 0.5, step: .discovery),
        task("t-1q2w3e4r", "PROJ-119", "Lint errors after the Python 3.12 bump", .ciMonitoring, agent: "cicd", progress: 70, now: now, minutesAgo: 95, updatedMinutesAgo: 4, step: .ciMonitoring, cycle: 1),
        ]
    }

    public static let planMarkdown: String = PlanDocument(
        ticketId: "PROJ-123", title: "Add OAuth login with Google",
        summary: "Users sign in with their Google account; the session cookie stays as it is.",
        inScope: ["OAuth callback endpoint", "Login button on the sign-in page"], outOfScope: ["SAML", "Account linking"],
        components: [
            .init(name: "OAuthController", path: "src/auth/oauth.ts", responsibility: "Handles the callback and the state check"),
            .init(name: "LoginButton", path: "web/LoginButton.tsx", responsibility: "Starts the flow"),
        ],
        dataFlow: "Browser → /auth/google → Google → /auth/callback → session",
        unitTests: [.init("state parameter is verified"), .init("expired code is refused", checked: true)],
        integrationTests: [.init("full login against a stub provider")],
        tasks: [
            .init(number: 1, title: "Write tests for the callback", estimatedHours: 2),
            .init(number: 2, title: "Implement the callback", dependencies: [1], estimatedHours: 4),
            .init(number: 3, title: "Add the button", dependencies: [2], estimatedHours: 1),
        ],
        rollbackPlan: "Revert the PR; the `oauth_login` flag stays off.").render()

    public static let diffs: [(path: String, text: String)] = [
        ("src/auth/oauth.ts", """
            --- a/src/auth/oauth.ts
            +++ b/src/auth/oauth.ts
            @@ -1,6 +1,9 @@
             import { Router } from "express";
            +import { verifyState } from "./state";
             
             export const oauth = Router();
            -oauth.get("/callback", (req, res) => res.sendStatus(501));
            +oauth.get("/callback", async (req, res) => {
            +  if (!verifyState(req.query.state)) return res.sendStatus(400);
            +  res.redirect("/");
            +});
            @@ -20,3 +23,4 @@ export function login() {
               return "/auth/google";
             }
            +// Flag: oauth_login
            """),
        ("src/auth/state.ts", """
            --- /dev/null
            +++ b/src/auth/state.ts
            @@ -0,0 +1,3 @@
            +export function verifyState(state: unknown): boolean {
            +  return typeof state === "string" && state.length === 32;
            +}
            """),
    ]

    public static let discoveryJSON = """
        {"relevantRepos":[{"name":"auth-service","relevance":0.95,"reason":"Contains the OAuth implementation and session handling","languages":["TypeScript"],"files":[{"path":"src/auth/oauth.ts","type":"source","relevance":0.9},{"path":"test/oauth.test.ts","type":"test","relevance":0.7}]},{"name":"web","relevance":0.6,"reason":"Hosts the sign-in page","languages":["TypeScript","CSS"],"files":[{"path":"web/LoginButton.tsx","type":"source","relevance":0.8}]}],"crossRepoDependencies":[{"from":"web","to":"auth-service","type":"API"}],"estimatedComplexity":"Medium","recommendedApproach":"Add the callback in auth-service behind a flag, then the button in web","keywords":["OAuth","Google","login"]}
        """

    /// Log lines of the sample task awaiting approval.
    public static func events(for taskId: String, now: Date = SampleData.now) -> [TaskEvent] {
        let lines: [(Double, LogLevel, String, String, Bool)] = [
            (42, .info, "operator", "started from ticket PROJ-123 by jira via api", true),
            (41.9, .info, "discovery", "discovery started", true),
            (41.5, .info, "discovery", "keywords: OAuth, Google, login", false),
            (40.8, .info, "discovery", "search_code: 14 results in 3 repositories", false),
            (39.2, .warning, "discovery", "get_tree rate limited; retried after 1 s", false),
            (38.0, .info, "discovery", "discovery finished: 2 relevant repositories", true),
            (37.9, .info, "planning", "planning started", true),
            (12.0, .info, "planning", "PLAN.md committed to ai/PROJ-123-add-oauth-login", false),
            (11.0, .error, "planning", "slack chat.postMessage failed: channel_not_found (retrying)", false),
            (10.0, .info, "planning", "draft PR #42 opened", false),
            (3.0, .info, "planning", "planning finished", true),
            (3.0, .info, "planning", "plan ready: awaiting approval", true),
        ]
        return lines.map { TaskEvent(taskId: taskId, at: now.addingTimeInterval(-$0.0 * 60), level: $0.1, agent: $0.2, message: $0.3, milestone: $0.4) }
    }

    /// Writes the sample into a store (dates as above), with an approval request for the waiting task.
    public static func seed(_ store: any Store, now: Date = SampleData.now) async throws {
        let actor = Actor(user: "seed", channel: .api)
        let tasks = tasks(now: now)
        for task in tasks { try await store.insertTask(task, event: nil, actor: actor) }
        let waiting = tasks[0]
        try await store.appendEvents(events(for: waiting.id, now: now))
        // The artifacts and the approval request land as Planning's commit would land them.
        let content = [
            ArtifactDraft(kind: .discovery, name: "discovery.json", content: Data(discoveryJSON.utf8)),
            ArtifactDraft(kind: .plan, name: "PLAN.md", content: Data(planMarkdown.utf8)),
        ] + diffs.map { ArtifactDraft(kind: .diff, name: $0.path, content: Data($0.text.utf8)) }
        try await store.apply(
            TaskUpdate(
                task: waiting, expectedStatus: .awaitingApproval, expectedStep: nil, artifacts: content,
                approvalRequest: Approval(token: Token.generate(), taskId: waiting.id, requestedAt: now.addingTimeInterval(-180))))
        for task in tasks.dropFirst() {
            try await store.appendEvents([
                TaskEvent(taskId: task.id, at: task.createdAt, level: .info, agent: "operator", message: "started from \(task.ticketId ?? "a description")", milestone: true),
                TaskEvent(taskId: task.id, at: task.updatedAt, level: task.status == .failed ? .error : .info, agent: task.currentAgent ?? "engine",
                          message: task.lastError ?? "\(task.status.rawValue)", milestone: true),
            ])
        }
    }
}
