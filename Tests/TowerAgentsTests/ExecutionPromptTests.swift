import Foundation
import Testing
import TowerCore
import TowerHTTPTestSupport
import TowerServices
import TowerTestSupport

@testable import TowerAgents

/// What each Execution prompt shows, cuts and announces, over real checkouts of the local forge:
/// a model sees nothing but its prompt, so a file it is not shown does not exist for it, and a
/// path it is told to create is one it will create.
@Suite(.serialized) struct ExecutionPromptTests {
    static let service = "acme/billing-service"
    static let client = "acme/billing-client"

    /// A plan over two repositories with three tasks: task 1 creates a module in the service,
    /// task 2 (after it) uses it from tax.py, task 3 creates a module in the client.
    static func plan(_ body: JSONValue) -> JSONValue {
        func component(_ name: String, _ repository: String, _ path: String, new: Bool) -> JSONValue {
            ["name": .string(name), "repository": .string(repository), "path": .string(path), "responsibility": "Part of the change", "isNew": .bool(new)]
        }
        func task(_ number: Int, _ title: String, _ repository: String, _ dependencies: [Int]) -> JSONValue {
            ["number": .number(Double(number)), "title": .string(title), "repository": .string(repository),
             "dependencies": .array(dependencies.map { .number(Double($0)) }), "estimatedHours": 1]
        }
        return [
            "summary": "The service tells clients when to retry, and the client honours it.",
            "inScope": ["Retry-After on 503", "Client retry policy"], "outOfScope": ["Circuit breaking"],
            "components": [
                // The model's isNew flags are wrong on purpose: Planning corrects them from the trees.
                component("VAT", service, "billing_service/tax.py", new: true),
                component("Retry hints", service, "billing_service/retry_hints.py", new: false),
                component("Client", client, "billing_client/client.py", new: false),
                component("Client retry policy", client, "billing_client/retry_policy.py", new: true),
            ],
            "dataFlow": "create_invoice_handler → 503 + Retry-After → BillingClient → retry_policy",
            "unitTests": ["retry_after_seconds parses seconds"], "integrationTests": [],
            "tasks": [
                task(1, "Add retry_after_seconds in a retry hints module", service, []),
                task(2, "Use retry_after_seconds from compute_vat's module", service, [1]),
                task(3, "Add the client's retry policy", client, []),
            ],
            "securityConsiderations": ["Cap the wait"], "rollbackPlan": "Revert both PRs.",
        ]
    }

    static let hints = "def retry_after_seconds(header: str) -> int:\n    return max(0, min(int(header), 120))\n"

    /// Answers each task from what its prompt shows, and only that: it creates a path only when
    /// the prompt announces it, and edits a file only when the prompt shows it.
    static func answer(_ body: JSONValue) -> JSONValue {
        switch AnthropicStandIn.forcedTool(body) {
        case "submit_plan": return plan(body)
        case "submit_changes": break
        default: return PlanScript.answer(body)
        }
        let prompt = AnthropicStandIn.promptText(body)
        if prompt.contains("## Task\n1.") {
            guard prompt.contains("do not exist yet (create them if this task needs them): billing_service/retry_hints.py") else { return ["summary": "nothing announced", "files": []] }
            return ["summary": "Retry hints.", "files": [CodeScript.file("billing_service/retry_hints.py", create: hints)]]
        }
        if prompt.contains("## Task\n2.") {
            guard prompt.contains(#"<file lines="3" path="billing_service/retry_hints.py">"#), prompt.contains(#"path="billing_service/tax.py""#) else {
                return ["summary": "not shown", "files": []]
            }
            let first = #""""Value-added tax by country. Rates are percentages of the net amount in cents.""""#
            return ["summary": "tax.py names the hints.", "files": [CodeScript.file("billing_service/tax.py", edit: first, first + "\n\nfrom billing_service.retry_hints import retry_after_seconds  # noqa: F401")]]
        }
        guard prompt.contains("create them if this task needs them): billing_client/retry_policy.py") else { return ["summary": "nothing announced", "files": []] }
        return ["summary": "Client retry policy.", "files": [CodeScript.file("billing_client/retry_policy.py", create: "MAX_WAIT = 120\n")]]
    }

    func prompts(_ world: AgentWorld, task number: Int) -> [String] {
        world.anthropic.requests.filter { AnthropicStandIn.forcedTool($0) == "submit_changes" && CodeScript.task($0)?.number == number }.map(AnthropicStandIn.promptText)
    }

    @Test func eachTaskOfAPlanOverTwoRepositoriesSeesItsRepositorysFilesAndOnlyItsNewPaths() async throws {
        let world = try await AgentWorld(answer: Self.answer)
        let (forge, _) = try await world.localForge()
        // The client's own tests need `requests`; the sandbox has no network, so its check compiles.
        _ = try await forge.commit(
            [FileChange(path: ".tower.toml", content: "[test]\ncommand = \"python3 -m py_compile billing_client/client.py billing_client/__init__.py\"\n")],
            message: "ci: compile check", on: "main", in: RepositoryRef(owner: "acme", name: "billing-client"))
        let planned = try await world.run(
            title: "Billing client should retry on 503",
            description: "BillingClient gives up when billing-service answers 503; the service should send Retry-After from create_invoice_handler.")
        #expect(planned.status == .awaitingApproval, "\(planned.lastError ?? "")")
        let planning = try #require(try await world.store.artifacts(taskId: planned.id, kind: .plan).first)
        let markdown = String(decoding: planning.content, as: UTF8.self)
        // PLAN.md is for people: repository prefixes and (new) marks.
        #expect(markdown.contains("| acme/billing-service/billing_service/retry_hints.py (new) |"), "\(markdown)")
        #expect(markdown.contains("| acme/billing-service/billing_service/tax.py |"))
        _ = try await world.store.decide(taskId: planned.id, decision: .approved, actor: Actor(user: "test", channel: .cli), reason: nil, at: Date())
        let task = try await world.drive(planned.id, timeout: 180)
        let log = try await world.log(task.id)
        #expect(task.status == .completed, "\(task.lastError ?? "")\n\(log)")

        let one = try #require(prompts(world, task: 1).first)
        #expect(one.contains("Repository: acme/billing-service"))
        #expect(one.contains(#"path="billing_service/tax.py""#) && one.contains(#"path="tests/test_tax.py""#), "the existing component and its tests are shown")
        #expect(one.contains("Planned paths in this repository that do not exist yet (create them if this task needs them): billing_service/retry_hints.py\n"))
        #expect(!one.contains("retry_policy.py") || !one.contains("create them if this task needs them): billing_client"), "the client's path is not creatable here")
        #expect(!one.contains("billing_client/client.py\""), "the client's files are not shown in the service")
        #expect(one.contains("The plan also changes acme/billing-client"))
        #expect(one.contains("<outline>") && one.contains("def create_invoice(repository: InvoiceRepository"), "the outline names the definitions not shown")

        let two = try #require(prompts(world, task: 2).first)
        #expect(two.contains(#"<file lines="3" path="billing_service/retry_hints.py">"#), "task 2 sees what task 1 created")
        #expect(!two.contains("do not exist yet"), "and nothing is announced as still to create")

        let three = try #require(prompts(world, task: 3).first)
        #expect(three.contains("Repository: acme/billing-client"))
        #expect(three.contains(#"path="billing_client/client.py""#) && three.contains(#"path="tests/test_client.py""#))
        #expect(three.contains("create them if this task needs them): billing_client/retry_policy.py\n"))
        #expect(!three.contains(#"path="billing_service/"#) && !three.contains("billing_service/retry_hints.py\n"))
        #expect(world.anthropic.requests.filter { AnthropicStandIn.forcedTool($0) == "submit_changes" }.count == 3, "each task answered once, from its first prompt")

        // The ticket and the plan lead every task's prompt, so tasks 2 and 3 (in the other
        // repository too) read them from the prompt cache that task 1 wrote.
        let calls = try await world.store.llmCalls(taskId: task.id).filter { $0.step == "execution" }
        #expect(calls.map(\.purpose) == ["plan-task 1 attempt 1", "plan-task 2 attempt 1", "plan-task 3 attempt 1"])
        #expect(calls.first.map { $0.cacheWriteTokens > 0 && $0.cacheReadTokens == 0 } == true)
        #expect(calls.dropFirst().allSatisfy { $0.cacheReadTokens > 0 }, "\(calls.map(\.cacheReadTokens))")
        print("prompt caching, three-task case, execution: \(PromptCachingTests.Figures(calls, prices: try AgentServices.prices(.fixed([:]))))")
    }

    /// A real module of more than 1,500 lines: CPython's argparse, as Debian's python3 installs it.
    static func argparse() async throws -> String {
        let path = try await ProcessRunner().run("python3", ["-c", "import argparse; print(argparse.__file__)"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    @Test func aLargeRealModuleIsShownCutAroundWhatTheTaskNamesWithItsOtherDefinitionsOutlined() async throws {
        let text = try await Self.argparse()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
        #expect(lines > 1_500)
        let files = ["app/argparse.py", "app/other.py"]
        let focus = ContextFiles.identifiers(in: "Warn in add_argument_group when a title repeats")
        #expect(focus == ["add_argument_group"])
        let context = ContextFiles.assemble(
            existing: ["app/argparse.py"], new: [], discovered: [], files: files, focus: focus, budget: 64 << 10,
            read: { $0 == "app/argparse.py" ? text : "def helper(x: int) -> int:\n    return x\n" })
        let shown = try #require(context.files.first)
        #expect(!shown.excerpt.whole && shown.excerpt.lineCount == lines)
        #expect(shown.excerpt.text.utf8.count <= ContextFiles.perFile)
        // The head, and both definitions of add_argument_group with their bodies.
        let definitions = CodeOutline.definitions(in: text, path: "argparse.py").filter { $0.name == "add_argument_group" }
        #expect(definitions.count == 2)
        for definition in definitions + [CodeOutline.Definition(line: 1, name: "", signature: "")] {
            #expect(shown.excerpt.shownRanges.contains { $0.contains(definition.line) }, "line \(definition.line)")
        }
        #expect(shown.excerpt.text.contains("[… lines "), "each gap is said where it is")
        // What is not shown is outlined: argparse's other classes and methods, and the neighbour.
        #expect(context.outline.contains("app/argparse.py (the lines not shown)"))
        #expect(context.outline.contains(": class _ActionsContainer(object):"))
        #expect(context.outline.contains("app/other.py\n  1: def helper(x: int) -> int:"))
        #expect(context.outline.utf8.count <= ContextFiles.outlineBudget)
        // A whole new content would delete what was not shown: refused, with the reason; an edit of shown lines is not.
        let replace = CodeChangeAnswer(summary: "s", files: [.init(path: "app/argparse.py", action: "replace", content: "x = 1\n", edits: nil)])
        let refused = ChangeApplier.apply(replace, current: { $0 == "app/argparse.py" ? text : nil }, notSeenWhole: context.notSeenWhole)
        #expect(refused.changes.isEmpty)
        #expect(refused.problems.first?.contains("you were shown only lines 1–") == true)
        #expect(refused.problems.first?.contains("of \(lines) of this file; a whole new content would delete the lines you did not see") == true)
        let search = "        group = _ArgumentGroup(self, *args, **kwargs)\n        self._action_groups.append(group)"
        let edit = CodeChangeAnswer(summary: "s", files: [.init(path: "app/argparse.py", action: "edit", content: nil, edits: [.init(search: search, replace: search + "  # seen")])])
        #expect(ChangeApplier.apply(edit, current: { $0 == "app/argparse.py" ? text : nil }, notSeenWhole: context.notSeenWhole).problems.isEmpty)
        // A file it was not shown at all cannot be rewritten whole either.
        #expect(context.notSeenWhole("app/other.py") == "were not shown")
    }

    @Test func aWholeFileAnswerForAFileShownCutIsRefusedAndFedBackThenTheEditLands() async throws {
        let text = try await Self.argparse()
        let path = "billing_service/vendored_argparse.py"
        let search = "        group = _ArgumentGroup(self, *args, **kwargs)\n        self._action_groups.append(group)"
        let world = try await AgentWorld(answer: { body in
            switch AnthropicStandIn.forcedTool(body) {
            case "submit_plan":
                return [
                    "summary": "Mark the argument groups the vendored argparse creates.", "inScope": ["add_argument_group"], "outOfScope": [],
                    "components": [["name": "argparse", "repository": "acme/billing-service", "path": .string(path), "responsibility": "Groups", "isNew": false]],
                    "dataFlow": "parser → groups", "unitTests": ["groups are marked"], "integrationTests": [],
                    "tasks": [["number": 1, "title": "Mark groups in add_argument_group", "repository": "acme/billing-service", "dependencies": [], "estimatedHours": 1]],
                    "securityConsiderations": ["None"], "rollbackPlan": "Revert.",
                ]
            case "submit_changes":
                let everything = String(decoding: (try? JSONEncoder().encode(body)) ?? Data(), as: UTF8.self)
                if everything.contains("were shown only lines") {
                    return ["summary": "Mark groups.", "files": [CodeScript.file(path, edit: search, search + "  # marked")]]
                }
                return ["summary": "Mark groups.", "files": [["path": .string(path), "action": "replace", "content": "# the whole module, as the model imagines it\n"]]]
            default:
                return PlanScript.answer(body)
            }
        })
        let (forge, root) = try await world.localForge()
        let repo = RepositoryRef(owner: "acme", name: "billing-service")
        _ = try await forge.commit([FileChange(path: path, content: text)], message: "vendor argparse", on: "main", in: repo)
        let planned = try await world.run(title: "Mark argument groups", description: "add_argument_group in the vendored argparse should mark its groups.", repository: repo.description)
        #expect(planned.status == .awaitingApproval, "\(planned.lastError ?? "")")
        _ = try await world.store.decide(taskId: planned.id, decision: .approved, actor: Actor(user: "test", channel: .cli), reason: nil, at: Date())
        let task = try await world.drive(planned.id, timeout: 180)
        let log = try await world.log(task.id)
        #expect(task.status == .completed, "\(task.lastError ?? "")\n\(log)")
        let calls = world.anthropic.requests.filter { AnthropicStandIn.forcedTool($0) == "submit_changes" }
        #expect(calls.count == 2, "the refusal went back as the repair turn")
        #expect(AnthropicStandIn.promptText(calls[0]).contains(#"path="billing_service/vendored_argparse.py" shown="1–"#))
        let branch = try await ProcessRunner().run("git", ["--git-dir", root.appendingPathComponent("acme/billing-service.git").path, "for-each-ref", "--format=%(refname:short)", "refs/heads/ai/"])
            .output.trimmingCharacters(in: .whitespacesAndNewlines)
        // As Execution committed it (CI's black then reformats the vendored module, as it would any file).
        let commits = try await forge.commits(on: branch, in: repo, limit: 20)
        let executed = try #require(commits.first { $0.message.hasPrefix("feat(") })
        let committed = try #require(try await forge.file(path, in: repo, ref: executed.sha))
        #expect(committed == text.replacingOccurrences(of: search, with: search + "  # marked"), "the module is whole, with the one edit")
    }
}
