import Foundation
import Testing
import TowerCore
import TowerHTTPTestSupport
import TowerServices
import TowerStore
import TowerTestLog
import TowerTestSupport

/// A task's trace as a collector receives it, through the real binary: `tower run` plans, a
/// `tower serve` is killed with SIGKILL in the middle of Execution, a second one finishes the
/// task and writes its log as JSON. The collector decodes the protobuf with the OpenTelemetry
/// project's own classes (opentelemetry-proto).
@Suite(.serialized) struct TraceStoryTests {
    @Test func oneTraceAcrossACrashWithTheConventionsNamesAndNoSecretOrBody() async throws {
        let collector = try await OTLPCollector()
        defer { collector.stop() }
        let world = try await AgentWorld(answer: CodeScript.standard)
        let root = try await world.localForge().root
        var (environment, state) = ExecutionCrashTests.worker(world)
        environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.endpoint
        environment["OTEL_BSP_SCHEDULE_DELAY"] = "100"
        environment["OTEL_SERVICE_NAME"] = "tower-trace-test"
        let tower = BuiltProducts.url("tower")

        // Discovery and Planning in `tower run`, which exports its spans as it exits.
        let run = try ChildProcess(
            tower, ["run", "--description", ExecutionEndToEndTests.description, "--title", "Reduced VAT for books", "--state-dir", state], environment: environment)
        #expect(await run.wait(timeout: 120) == 0, "\(run.output.joined(separator: "\n"))\n\(run.errorOutput)")
        let planned = try #require(try await world.store.tasks(status: .awaitingApproval, limit: nil).first)
        _ = try await world.store.decide(taskId: planned.id, decision: .approved, actor: Actor(user: "test", channel: .cli), reason: nil, at: Date())

        // Execution in `tower serve`, killed once plan task 1 is committed and task 2's model call is held.
        world.anthropic.hold { CodeScript.task($0)?.number == 2 }
        let gitDir = root.appendingPathComponent("acme/billing-service.git").path
        func commits() async throws -> Int {
            let branch = try await ProcessRunner().run("git", ["--git-dir", gitDir, "for-each-ref", "--format=%(refname:short)", "refs/heads/ai/"]).output
                .trimmingCharacters(in: .whitespacesAndNewlines)
            guard !branch.isEmpty else { return 0 }
            return Int(try await ProcessRunner().run("git", ["--git-dir", gitDir, "rev-list", "--count", "main..\(branch)"]).output
                .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        }
        let first = try ChildProcess(tower, ["serve", "--port", "0", "--state-dir", state], environment: environment)
        let deadline = Date().addingTimeInterval(90)
        while try await commits() < 2 && Date() < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
        try await Task.sleep(nanoseconds: 300_000_000)
        first.kill()
        let killedAt = UInt64(Date().timeIntervalSince1970 * 1e9)
        #expect(try await world.store.task(id: planned.id)?.status == .executing)
        world.anthropic.hold(nil)

        // The second engine, its log as JSON lines, stopped with SIGTERM once the task completed.
        let second = try ChildProcess(tower, ["serve", "--port", "0", "--state-dir", state, "--log-format", "json"], environment: environment)
        let finish = Date().addingTimeInterval(120)
        while try await world.store.task(id: planned.id)?.status != .completed, Date() < finish { try await Task.sleep(nanoseconds: 100_000_000) }
        let task = try #require(try await world.store.task(id: planned.id))
        let log = try await world.log(task.id)
        #expect(task.status == .completed, "\(task.lastError ?? "")\n\(log)")
        second.signal(SIGTERM)
        #expect(await second.wait(timeout: 30) == 0, "\(second.errorOutput)")

        // One trace: its id stored with the task, one root, every span of the task in it.
        let parent = try #require(task.traceParent)
        let traceId = String(parent.split(separator: "-")[1])
        let all = try collector.spans()
        let spans = all.filter { $0["trace_id"]?.string == traceId }
        let roots = spans.filter { $0["parent_span_id"]?.string == "" }
        #expect(roots.count == 1 && roots.first?["name"]?.string == "tower.task", "\(roots)")
        #expect(roots.first?["span_id"]?.string == String(parent.split(separator: "-")[2]))
        #expect(all.filter { $0["attributes"]?["tower.task.id"]?.string == task.id }.allSatisfy { $0["trace_id"]?.string == traceId })
        #expect(spans.allSatisfy { $0["resource"]?["service.name"]?.string == "tower-trace-test" })
        let ids = Set(spans.compactMap { $0["span_id"]?.string })
        // Only the killed engine's spans may miss a parent: its spans still open (the step it was
        // in) died with it, while what had ended inside them was exported.
        let orphans = spans.filter { $0["parent_span_id"]?.string != "" && !ids.contains($0["parent_span_id"]?.string ?? "") }
        #expect(orphans.allSatisfy { UInt64($0["end"]?.number ?? .infinity) < killedAt }, "\(orphans)")

        // The steps, with the resumed Execution marked, under the root.
        func named(_ prefix: String) -> [JSONValue] { spans.filter { $0["name"]?.string?.hasPrefix(prefix) == true } }
        let steps = named("step ").compactMap { $0["name"]?.string }
        for step in ["step discovery", "step planning", "step execution", "step ci_monitoring"] { #expect(steps.contains(step), "\(steps)") }
        let resumed = named("step execution").filter { $0["attributes"]?["tower.step.resumed"] == .bool(true) }
        #expect(resumed.count == 1 && resumed.first?["parent_span_id"]?.string == roots.first?["span_id"]?.string)
        #expect(resumed.first?["attributes"]?["tower.step.outcome"]?.string == "completed")
        #expect(!named("plan task plan-task ").isEmpty && !named("attempt ").isEmpty)

        // Model calls with the GenAI conventions.
        let chats = named("chat ")
        #expect(chats.count >= 4)
        for chat in chats {
            let a = try #require(chat["attributes"])
            #expect(chat["kind"]?.string == "SPAN_KIND_CLIENT")
            #expect(a["gen_ai.operation.name"]?.string == "chat" && a["gen_ai.provider.name"]?.string == "anthropic")
            #expect(a["gen_ai.request.model"]?.string == "claude-sonnet-4-20250514")
            #expect((a["gen_ai.usage.input_tokens"]?.number ?? 0) > 0 && (a["gen_ai.usage.output_tokens"]?.number ?? 0) > 0, "\(a)")
            #expect(a["gen_ai.usage.cache_read.input_tokens"] != nil && a["tower.llm.cost_usd"]?.number != nil)
        }
        // Service calls with the HTTP client conventions: method, server, template, status.
        let calls = spans.filter { $0["kind"]?.string == "SPAN_KIND_CLIENT" && $0["attributes"]?["http.request.method"] != nil }
        #expect(!calls.isEmpty)
        for call in calls {
            let a = try #require(call["attributes"])
            #expect(a["server.address"]?.string == "127.0.0.1" && a["server.port"]?.number != nil)
            #expect(a["http.response.status_code"]?.number == 200, "\(a)")
            let template = try #require(a["url.template"]?.string)
            #expect(call["name"]?.string == "\(a["http.request.method"]!.string!) \(template)")
        }
        #expect(calls.contains { $0["name"]?.string == "POST /api/chat.postMessage" }, "\(calls.compactMap { $0["name"]?.string })")
        // Sandbox runs and git commands.
        let runs = named("sandbox run")
        #expect(!runs.isEmpty && runs.allSatisfy { $0["attributes"]?["process.exit.code"]?.number != nil })
        #expect(runs.contains { $0["attributes"]?["process.exit.code"]?.number == 0 })
        #expect(!named("git ").isEmpty)

        // Nothing secret and no body in any attribute: no token, no ticket text, no prompt, no URL.
        let forbidden = [TestSecrets.marker, "Bearer", "compute_vat ignores", "VAT is wrong", "## ", "http://"]
        for span in all {
            guard case .object(let attributes)? = span["attributes"] else { continue }
            for (key, value) in attributes {
                let text = "\(value)"
                #expect(!forbidden.contains { text.contains($0) }, "\(span["name"]?.string ?? ""): \(key) = \(text)")
                #expect(!["url.full", "http.request.body", "http.response.body", "gen_ai.input.messages", "gen_ai.output.messages"].contains(key))
            }
        }

        // The second engine's log: JSON objects carrying the task, its trace and the span.
        let lines = try second.output.map { try JSONValue.parse(Data($0.utf8)) }
        #expect(!lines.isEmpty && lines.allSatisfy { $0["time"]?.string != nil && $0["level"]?.string != nil && $0["event"]?.string != nil })
        let ofTask = lines.filter { $0["task_id"]?.string == task.id }
        #expect(ofTask.count > 5 && ofTask.allSatisfy { $0["trace_id"]?.string == traceId && $0["span_id"]?.string?.count == 16 })
        #expect(ofTask.filter { $0["event"]?.string == "agent_log" }.contains { ids.contains($0["span_id"]?.string ?? "") && $0["span_id"]?.string != roots.first?["span_id"]?.string })
        let completed = try #require(ofTask.first { $0["event"]?.string == "task_completed" })
        #expect(completed["tasks_completed"]?.number == 3 && completed["tasks_failed"]?.number == 0 && completed["duration_seconds"]?.number != nil)
        #expect(ofTask.contains { $0["event"]?.string == "workflow_completed" && $0["duration_seconds"]?.number != nil })
        #expect(ofTask.contains { $0["event"]?.string == "step_completed" && $0["step"]?.string == "execution" })
        #expect(!second.output.contains { $0.contains(TestSecrets.marker) })
    }
}
