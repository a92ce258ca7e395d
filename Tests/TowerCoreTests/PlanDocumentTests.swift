import Foundation
import Testing
import TowerCore

let samplePlan = PlanDocument(
    ticketId: "PROJ-123", title: "Add OAuth login",
    summary: "Users sign in with their Google account.\n\nThe session cookie stays as it is.",
    inScope: ["OAuth callback endpoint", "Login button"], outOfScope: ["SAML", "Account linking"],
    components: [
        .init(name: "OAuthController", path: "src/auth/oauth.ts", responsibility: "Handles the callback | state check"),
        .init(name: "LoginButton", path: "web/LoginButton.tsx", responsibility: "Starts the flow"),
    ],
    dataFlow: "Browser → /auth/google → Google → /auth/callback → session",
    unitTests: [.init("state parameter is verified"), .init("expired code is refused", checked: true)],
    integrationTests: [.init("full login against a stub provider")],
    tasks: [
        .init(number: 1, title: "Write tests for the callback", dependencies: [], estimatedHours: 2),
        .init(number: 2, title: "Implement the callback", dependencies: [1], estimatedHours: 4),
        .init(number: 3, title: "Add the button", dependencies: [1, 2], estimatedHours: 1.5),
    ],
    rollbackPlan: "Revert the PR; the feature flag `oauth_login` stays off.")

@Suite struct PlanDocumentTests {
    @Test func rendersTheOriginalTemplate() {
        let text = samplePlan.render()
        let expected = """
            # PROJ-123: Add OAuth login

            ## Summary
            Users sign in with their Google account.

            The session cookie stays as it is.

            ## Scope
            ### In Scope
            - ✅ OAuth callback endpoint
            - ✅ Login button

            ### Out of Scope
            - ❌ SAML
            - ❌ Account linking

            ## Architecture
            ### Components
            | Component | Path | Responsibility |
            |-----------|------|----------------|
            | OAuthController | src/auth/oauth.ts | Handles the callback \\| state check |
            | LoginButton | web/LoginButton.tsx | Starts the flow |

            ### Data Flow
            Browser → /auth/google → Google → /auth/callback → session

            ## Test Plan (TDD)
            ### Unit Tests
            - [ ] state parameter is verified
            - [x] expired code is refused

            ### Integration Tests
            - [ ] full login against a stub provider

            ## Implementation Tasks
            | # | Task | Dependencies | Est. Hours |
            |---|------|--------------|------------|
            | 1 | Write tests for the callback | - | 2 |
            | 2 | Implement the callback | 1 | 4 |
            | 3 | Add the button | 1, 2 | 1.5 |

            ## Security Considerations
            - [ ] Input validation
            - [ ] Auth checks
            - [ ] Data encryption

            ## Rollback Plan
            Revert the PR; the feature flag `oauth_login` stays off.

            """
        #expect(text == expected)
    }

    @Test func parsesItsOwnRenderingBackToAnEqualModel() throws {
        #expect(try PlanDocument.parse(samplePlan.render()) == samplePlan)
    }

    @Test func parsesAHandEditedPlanWithAnExtraTaskRow() throws {
        var edited = samplePlan.render()
        edited = edited.replacingOccurrences(
            of: "| 3 | Add the button | 1, 2 | 1.5 |",
            with: "| 3 | Add the button | 1, 2 | 1.5 |\n| 4 | Document the flag in the runbook | 3 | 0.5 |")
        var expected = samplePlan
        expected.tasks.append(.init(number: 4, title: "Document the flag in the runbook", dependencies: [3], estimatedHours: 0.5))
        #expect(try PlanDocument.parse(edited) == expected)
    }

    @Test func toleratesWhatReviewersTypeAndKeepsTheirSections() throws {
        let text = """
            # PROJ-9: Rate limit the API
            ## summary
            Limit per token.
            ## Scope
            ### In scope
            * per-token bucket
            ### Out of Scope
            - global limits
            ## Implementation Tasks
            #|Task|Dependencies|Est. Hours
            -|-|-|-
            1|Tests first|none|2h
            2|Token bucket|#1|3
            ## Security Considerations
            - [X] Input validation
            ## Reviewer notes
            Keep the limit configurable.
            """
        let plan = try PlanDocument.parse(text)
        #expect(plan.ticketId == "PROJ-9")
        #expect(plan.summary == "Limit per token.")
        #expect(plan.inScope == ["per-token bucket"])
        #expect(plan.outOfScope == ["global limits"])
        #expect(plan.tasks == [
            .init(number: 1, title: "Tests first", dependencies: [], estimatedHours: 2),
            .init(number: 2, title: "Token bucket", dependencies: [1], estimatedHours: 3),
        ])
        #expect(plan.securityConsiderations == [.init("Input validation", checked: true)])
        #expect(plan.extraSections == [.init(heading: "Reviewer notes", body: "Keep the limit configurable.")])
        #expect(try PlanDocument.parse(plan.render()) == plan)
    }

    @Test func refusesAPlanWithoutTitleOrWithAnUnreadableTaskRow() {
        #expect(throws: PlanError.missingTitle) { try PlanDocument.parse("## Summary\nx") }
        #expect(throws: PlanError.self) { try PlanDocument.parse("# P-1: x\n## Implementation Tasks\n| # | Task | Dependencies | Est. Hours |\n|---|---|---|---|\n| one | x | - | 2 |") }
    }

    @Test func ordersTasksByDependencies() throws {
        var plan = samplePlan
        plan.tasks = [
            .init(number: 1, title: "c", dependencies: [3], estimatedHours: 1),
            .init(number: 2, title: "a", dependencies: [], estimatedHours: 1),
            .init(number: 3, title: "b", dependencies: [2], estimatedHours: 1),
        ]
        #expect(try plan.tasksInDependencyOrder().map(\.number) == [2, 3, 1])
        plan.tasks[1].dependencies = [1]
        #expect(throws: PlanError.dependencyCycle([1, 2, 3])) { try plan.tasksInDependencyOrder() }
        plan.tasks[1].dependencies = [9]
        #expect(throws: PlanError.unknownDependency(task: 2, dependency: 9)) { try plan.tasksInDependencyOrder() }
    }
}

@Suite struct MultiRepositoryPlanTests {
    @Test func aPlanOverSeveralRepositoriesHasARepositoryColumnAndReadsBack() throws {
        let plan = PlanDocument(
            ticketId: "PROJ-1", title: "Retry on 503", summary: "s",
            tasks: [
                .init(number: 1, title: "Tests", dependencies: [], estimatedHours: 1, repository: "acme/client"),
                .init(number: 2, title: "Retry-After", dependencies: [1], estimatedHours: 2, repository: "acme/service"),
            ])
        let text = plan.render()
        #expect(text.contains("| # | Task | Repository | Dependencies | Est. Hours |\n|---|------|------------|--------------|------------|\n| 1 | Tests | acme/client | - | 1 |\n| 2 | Retry-After | acme/service | 1 | 2 |"))
        #expect(try PlanDocument.parse(text).tasks == plan.tasks)
        var single = plan
        single.tasks = single.tasks.map { var t = $0; t.repository = nil; return t }
        #expect(single.render().contains("| # | Task | Dependencies | Est. Hours |\n|---|------|--------------|------------|\n| 1 | Tests | - | 1 |"))
    }

    @Test func componentsKeepTheirRepositoryAndNewnessThroughPLANmd() throws {
        let plan = PlanDocument(
            ticketId: "PROJ-1", title: "Retry on 503", summary: "s",
            components: [
                .init(name: "Client", path: "client/http.py", responsibility: "r", repository: "acme/client"),
                .init(name: "Policy", path: "client/retry.py", responsibility: "r", repository: "acme/client", isNew: true),
                .init(name: "Handler", path: "acme_service/api.py", responsibility: "r", repository: "acme/client-service"),
            ],
            tasks: [
                .init(number: 1, title: "Tests", dependencies: [], estimatedHours: 1, repository: "acme/client"),
                .init(number: 2, title: "Retry-After", dependencies: [1], estimatedHours: 2, repository: "acme/client-service"),
            ])
        let text = plan.render()
        #expect(text.contains("| Policy | acme/client/client/retry.py (new) | r |"))
        #expect(text.contains("| Handler | acme/client-service/acme_service/api.py | r |"), "the longest repository prefix wins")
        #expect(try PlanDocument.parse(text) == plan)
        // A reviewer's own row, with a backquoted path.
        let edited = text.replacingOccurrences(of: "| Handler |", with: "| Docs | `acme/client/docs/retry.md` (new) | r |\n| Handler |")
        let docs = try #require(try PlanDocument.parse(edited).components.first { $0.name == "Docs" })
        #expect(docs == .init(name: "Docs", path: "docs/retry.md", responsibility: "r", repository: "acme/client", isNew: true))
        // Tasks in one repository: no Repository column, so the caller names the plan's repositories.
        var one = plan
        one.tasks = one.tasks.map { var t = $0; t.repository = nil; return t }
        let read = try PlanDocument.parse(one.render())
        #expect(read.components.allSatisfy { $0.repository == nil })
        #expect(read.resolvingComponents(in: ["acme/client", "acme/client-service"]).components == plan.components)
        // Outputs stored before components were structured still decode.
        let old = try JSONDecoder().decode(PlanDocument.Component.self, from: Data(#"{"name":"n","path":"acme/x/a.py (new)","responsibility":"r"}"#.utf8))
        #expect(old.repository == nil && !old.isNew && old.path == "acme/x/a.py (new)")
    }
}
