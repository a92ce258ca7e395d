import Foundation
import Testing
import TowerAgents
import TowerCore
import TowerHTTPTestSupport
import TowerStore

/// A ticket through Discovery and Planning to `awaiting_approval` over the GitHub, Jira, Slack
/// and Anthropic stand-ins, with the engine, the real store and the shipped prompts.
@Suite(.serialized) struct PlanningEndToEndTests {
    @Test func aDescriptionReachesAwaitingApprovalWithOneOfEachEffect() async throws {
        let world = try await AgentWorld()
        let task = try await world.run(title: "VAT is wrong for reduced-rate items", description: "compute_vat applies the standard rate to books; VAT_RATES needs reduced rates.")
        let log = try await world.log(task.id)
        #expect(task.status == .awaitingApproval, "\(task.lastError ?? "") \(log)")
        #expect(task.progress == 40)
        let branch = "ai/\(task.id)-vat-is-wrong-for-reduced-rate-items"
        #expect(world.github.branches("billing-service").keys.sorted() == ["main", branch].sorted())
        #expect(world.github.commits("billing-service", messagePrefix: "docs: PLAN.md") == 1)
        let plan = try #require(world.github.file("PLAN.md", in: "billing-service", branch: branch))
        #expect(plan.hasPrefix("# \(task.id): VAT is wrong for reduced-rate items\n"))
        #expect(plan.contains("| # | Task | Dependencies | Est. Hours |"))
        // The model said the existing file was new and the new one existed; the tree decides.
        #expect(plan.contains("| VAT table | billing_service/tax.py |"))
        #expect(plan.contains("| Rate source | billing_service/reduced_rates.py (new) |"))
        let prs = world.github.pullRequests
        #expect(prs.count == 1)
        #expect(prs.first?.draft == true && prs.first?.head == branch && prs.first?.body.contains("AI Agent") == true)
        #expect(world.chat.messages.count == 1)
        let blocks = String(describing: world.chat.messages.first?["blocks"] ?? "")
        #expect(blocks.contains("approve") && blocks.contains("reject") && blocks.contains(task.id))
        #expect(world.github.headerProblems.isEmpty)
        // Jira was not involved: a description needs no ticket.
        #expect(world.github.requests.allSatisfy { !$0.contains("/jira") })
        let outbox = try await world.store.outbox(taskId: task.id)
        #expect(outbox.map(\.service) == ["slack"] && outbox.first?.status == .sent)
        let approval = try #require(try await world.store.approval(taskId: task.id))
        #expect(approval.decision == nil)
        let artifacts = try await world.store.artifacts(taskId: task.id, kind: nil)
        #expect(Set(artifacts.map(\.kind)) == [.discovery, .plan])
        let calls = try await world.store.llmCalls(taskId: task.id)
        #expect(calls.map(\.purpose) == ["discovery keywords", "discovery approach", "plan"])
        #expect(calls.allSatisfy { $0.model == "claude-sonnet-4-20250514" && $0.inputTokens > 0 && $0.outputTokens > 0 && $0.error == nil })
        #expect(calls.last?.cost != nil && calls.last?.answer.contains("submit") == false && calls.last?.answer.contains("reduced") == true)
    }

    @Test func aJiraTicketReachesAwaitingApprovalWithACommentAndTheApprovalRequest() async throws {
        let world = try await AgentWorld()
        world.chat.addIssue("PROJ-7", summary: "Reduced VAT for books", description: "compute_vat must use the reduced rate for books.\n\nVAT_RATES has only standard rates.")
        let task = try await world.run(ticket: "PROJ-7", title: "PROJ-7", description: "", source: .jira)
        #expect(task.status == .awaitingApproval, "\(task.lastError ?? "")")
        #expect(task.title == "Reduced VAT for books")
        let branch = "ai/PROJ-7-reduced-vat-for-books"
        #expect(world.github.branches("billing-service")[branch] != nil)
        #expect(world.github.file("PLAN.md", in: "billing-service", branch: branch)?.hasPrefix("# PROJ-7: Reduced VAT for books\n") == true)
        #expect(world.github.pullRequests.count == 1)
        #expect(world.github.pullRequests.first?.title == "[AI Agent] PROJ-7: Reduced VAT for books")
        let comments = world.chat.comments("PROJ-7")
        #expect(comments.count == 1)
        #expect(comments.first?.contains("https://github.com/acme/billing-service/pull/101") == true)
        #expect(world.chat.messages.count == 1)
        let outbox = try await world.store.outbox(taskId: task.id)
        #expect(outbox.map(\.service).sorted() == ["jira", "slack"] && outbox.allSatisfy { $0.status == .sent })
    }

    /// A Jira component spelled as a repository's name leads Discovery, through Jira's own
    /// shape of the field; the repository the words chose stays beside it for the plan.
    @Test func aJiraComponentThatNamesARepositoryLeadsDiscovery() async throws {
        let world = try await AgentWorld()
        world.chat.addIssue(
            "PROJ-8", summary: "Reduced VAT for books", description: "compute_vat must use the reduced rate for books.", components: ["Billing Client"])
        let task = try await world.run(ticket: "PROJ-8", title: "PROJ-8", description: "", source: .jira)
        #expect(task.status == .awaitingApproval, "\(task.lastError ?? "")")
        let stored = try #require(try await world.store.artifacts(taskId: task.id, kind: .discovery).last)
        let result = try JSONDecoder().decode(DiscoveryResult.self, from: stored.content)
        #expect(result.rankedRepos.first?.name == "billing-client", "\(result.rankedRepos.map(\.name))")
        #expect(result.rankedRepos.first?.reason.hasPrefix("the ticket's Jira component \"Billing Client\" names it") == true)
        #expect(result.rankedRepos.contains { $0.name == "billing-service" && $0.relevance == 1 })
    }

    /// A component's repository where no file matched the ticket reaches the plan's prompt by
    /// its files' names, sources first, fenced as data; one with matched files by its excerpts.
    @Test func aComponentsRepositoryWithNoMatchedFileIsShownByItsFiles() async throws {
        let world = try await AgentWorld()
        world.chat.addIssue("PROJ-9", summary: "Quaternion slerp", description: "The gyroscope fusion drifts; use quaternion slerp.", components: ["Shared Models"])
        let task = try await world.run(ticket: "PROJ-9", title: "PROJ-9", description: "", source: .jira)
        #expect(task.status == .awaitingApproval, "\(task.lastError ?? "")")
        let plan = try #require(world.anthropic.requests.map(AnthropicStandIn.promptText).last { $0.contains("Excerpts of the most relevant files") })
        #expect(plan.contains("No file of acme/shared-models matched the ticket; its files, sources first (4 of 4):"), "\(plan)")
        #expect(plan.contains("<code listing=\"file names\" repository=\"acme/shared-models\">\nshared_models/__init__.py\nshared_models/invoice.py\ntests/test_invoice.py\npyproject.toml\n</code>"), "\(plan)")
    }

    /// The model's search terms pass the rules the ticket's own words do: a URL, a version, a
    /// ticket number, a hash or a stop word it proposes is not searched, and the log says so.
    @Test func theModelsSearchTermsPassTheSameRules() async throws {
        let world = try await AgentWorld(answer: { body in
            guard AnthropicStandIn.forcedTool(body) == "submit_search_terms" else { return PlanScript.answer(body) }
            return ["related": ["https://pypi.org/simple/billing", "2.3.1", "PROJ-7", "3f9c2ab1", "previously", "vat_rate", "VAT_RATE", "reduced_rate"]]
        })
        let task = try await world.run(title: "VAT is wrong for reduced-rate items", description: "compute_vat applies the standard rate to books.")
        #expect(task.status == .awaitingApproval, "\(task.lastError ?? "")")
        let stored = try #require(try await world.store.artifacts(taskId: task.id, kind: .discovery).last)
        let keywords = try JSONDecoder().decode(DiscoveryResult.self, from: stored.content).keywords
        for refused in ["https://pypi.org/simple/billing", "2.3.1", "PROJ-7", "3f9c2ab1", "previously", "VAT_RATE"] {
            #expect(!keywords.contains(refused), "\(refused): \(keywords)")
        }
        #expect(keywords.contains("vat_rate") && keywords.contains("reduced_rate"), "\(keywords)")
        let log = try await world.log(task.id)
        #expect(log.contains("not searched, from the model: \"https://pypi.org/simple/billing\", \"2.3.1\", \"PROJ-7\", \"3f9c2ab1\", \"previously\""), "\(log)")
    }

    @Test func aTicketJiraDoesNotHaveFailsAtOnceWithJirasMessage() async throws {
        let world = try await AgentWorld()
        let task = try await world.run(ticket: "PROJ-404", title: "PROJ-404", description: "", source: .jira)
        #expect(task.status == .failed)
        #expect(task.failedStep == .discovery)
        #expect(task.attempts == 1)
        #expect(task.lastError?.contains("Issue does not exist or you do not have permission to see it.") == true, "\(task.lastError ?? "")")
        #expect(world.github.requests.isEmpty)
    }

    @Test func aMalformedPlanIsRepairedOnce() async throws {
        let world = try await AgentWorld(answer: { body in
            // The first plan has a cycle (2 → 3 → 2); the repair is sound.
            let plans = AnthropicStandIn.promptText(body).contains("was refused")
            return PlanScript.answer(body, dependencies: plans ? nil : [[], [3], [2]])
        })
        let task = try await world.run(title: "VAT is wrong for reduced-rate items", description: "compute_vat applies the standard rate to books.")
        #expect(task.status == .awaitingApproval, "\(task.lastError ?? "")")
        let calls = try await world.store.llmCalls(taskId: task.id)
        #expect(calls.map(\.purpose).suffix(2) == ["plan", "plan (repair)"])
        #expect(calls.suffix(2).first?.error?.contains("cycle") == true)
        // The repair turn sent the problem back as the tool call's error result.
        let repair = try #require(world.anthropic.requests.last)
        #expect(AnthropicStandIn.promptText(repair).contains("tasks 2, 3 depend on each other in a cycle"))
        #expect(world.github.pullRequests.count == 1)
    }

    @Test func aSecondMalformedAnswerFailsTheStepWithTheValidationError() async throws {
        let world = try await AgentWorld(answer: { body in
            guard AnthropicStandIn.forcedTool(body) == "submit_plan" else { return PlanScript.answer(body) }
            var plan = PlanScript.answer(body)
            if case .object(var fields) = plan {
                fields["tasks"] = []  // at least one task is required
                fields["estimate"] = "soon"  // not in the schema
                plan = .object(fields)
            }
            return plan
        })
        let task = try await world.run(title: "VAT is wrong for reduced-rate items", description: "compute_vat applies the standard rate to books.")
        #expect(task.status == .failed)
        #expect(task.failedStep == .planning)
        let log = try await world.log(task.id)
        #expect(log.contains("malformed twice"), "\(log)")
        #expect(log.contains("$.tasks: needs at least 1 item, has 0"))
        #expect(log.contains("$.estimate: unexpected property"))
        #expect(world.github.pullRequests.isEmpty && world.chat.messages.isEmpty)
        #expect(world.github.requests.allSatisfy { !$0.hasPrefix("POST") })
    }

    @Test func aPlanOverTwoRepositoriesOpensAPullRequestInEachThatLinksTheOther() async throws {
        let world = try await AgentWorld(answer: { PlanScript.answer($0, spanning: true) })
        let task = try await world.run(
            title: "Billing client should retry on 503",
            description: "BillingClient gives up when billing-service answers 503; the service should send Retry-After from create_invoice_handler.")
        #expect(task.status == .awaitingApproval, "\(task.lastError ?? "")")
        let prs = world.github.pullRequests
        #expect(Set(prs.map(\.repository)) == ["billing-client", "billing-service"])
        for pr in prs {
            let other = try #require(prs.first { $0.repository != pr.repository })
            #expect(pr.body.contains("acme/\(other.repository)#\(other.number): https://github.com/acme/\(other.repository)/pull/\(other.number)"))
        }
        let head = try #require(prs.first?.head)
        let plan = try #require(world.github.file("PLAN.md", in: "billing-client", branch: head))
        #expect(plan.contains("| # | Task | Repository | Dependencies | Est. Hours |"))
        #expect(plan.contains("acme/billing-service"))
    }
}

/// `TOWER_LLM_RECORD` writes every answer in the replay format; `TOWER_LLM_REPLAY` then runs
/// the same ticket again with no model at all; a prompt that changed is a clear error.
@Suite struct RecordAndReplayTests {
    @Test func aRecordedRunReplaysWithoutAModelAndAChangedPromptIsNamed() async throws {
        let world = try await AgentWorld()
        world.chat.addIssue("PROJ-12", summary: "Reduced VAT for books", description: "compute_vat must use the reduced rate for books.")
        let recordings = world.directory.appendingPathComponent("recordings")
        world.environment["TOWER_LLM_RECORD"] = recordings.path
        let first = try await world.run(ticket: "PROJ-12", title: "PROJ-12", description: "", source: .jira)
        #expect(first.status == .awaitingApproval)
        let files = try FileManager.default.contentsOfDirectory(atPath: recordings.path).filter { $0.hasSuffix(".json") }
        #expect(files.count == 3)
        let asked = world.anthropic.requests.count

        world.environment["TOWER_LLM_RECORD"] = nil
        world.environment["TOWER_LLM_REPLAY"] = recordings.path
        world.environment["ANTHROPIC_API_KEY"] = nil
        let replayed = try await world.run(ticket: "PROJ-12", title: "PROJ-12", description: "", source: .jira)
        #expect(replayed.status == .awaitingApproval, "\(replayed.lastError ?? "")")
        #expect(world.anthropic.requests.count == asked)
        #expect(try await world.store.llmCalls(taskId: replayed.id).count == 3)

        // Another ticket's question was never recorded: the step says which call has no answer,
        // at once (asking again cannot make a recording), and invents nothing.
        let other = try await world.run(title: "Zero-rated exports", description: "compute_vat must not charge VAT on exports.")
        #expect(other.status == .failed && other.failedStep == .discovery && other.attempts == 1)
        #expect(other.lastError?.contains("discovery keywords: no recorded answer for the call “discovery keywords”") == true, "\(other.lastError ?? "")")
        #expect(other.lastError?.contains("discovery-keywords.json) was made for another question: message 1 changed") == true, "\(other.lastError ?? "")")
        #expect(world.anthropic.requests.count == asked)
    }
}
