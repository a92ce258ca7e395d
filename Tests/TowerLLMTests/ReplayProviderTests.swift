import Foundation
import Testing
import TowerCore

@testable import TowerLLM

@Suite struct ReplayProviderTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("replay-\(UUID().uuidString.prefix(8))")

    @Test func replaysWhatWasRecordedAndRefusesTheRest() async throws {
        let request = LLMRequest(model: "claude-sonnet-4-20250514", system: "Plan.", messages: [.user("Add OAuth")])
        let recorded = LLMResult(
            content: [.text("Plan ready."), .toolUse(id: "t1", name: "commit_plan", input: .object(["path": .string("PLAN.md")]))],
            stopReason: "tool_use", usage: LLMUsage(inputTokens: 12, outputTokens: 34, cost: 0.001))
        try ReplayProvider.record(recorded, for: request, in: directory)
        let replay = ReplayProvider(directory: directory)
        let answer = try await replay.complete(request)
        #expect(answer.content == recorded.content && answer.stopReason == "tool_use")
        // Replayed: no price of its own (the table prices it as a live call would be), and marked.
        #expect(answer.usage == LLMUsage(inputTokens: 12, outputTokens: 34, cost: nil, replayed: true))

        var other = request
        other.messages = [.user("Add SAML")]
        #expect(ReplayProvider.key(for: other) != ReplayProvider.key(for: request))
        await #expect {
            _ = try await replay.complete(other)
        } throws: { error in
            guard case LLMError.noRecording(let call, let key, let why, _) = error else { return false }
            return key == ReplayProvider.key(for: other) && call == "claude-sonnet-4-20250514: Add SAML" && why.contains("nothing was recorded")
        }
    }

    @Test func aChangedPromptIsAMissThatNamesTheCallAndThePartThatChanged() async throws {
        var request = LLMRequest(model: "m", system: "Plan well.", messages: [.user("Add OAuth")], purpose: "plan")
        try ReplayProvider.record(LLMResult(content: [.text("ok")], stopReason: "end_turn", usage: LLMUsage()), for: request, in: directory)
        let replay = ReplayProvider(directory: directory)
        #expect(try await replay.complete(request).text == "ok")
        request.system = "Plan very well."
        await #expect {
            _ = try await replay.complete(request)
        } throws: { error in
            guard case LLMError.noRecording(let call, _, let why, _) = error else { return false }
            return call == "plan" && why.contains("the system prompt changed") && !why.contains("message 1")
                && String(describing: error).contains("no recorded answer for the call “plan”")
        }
        request.system = "Plan well."
        request.messages = [.user("Add SAML")]
        await #expect {
            _ = try await replay.complete(request)
        } throws: { error in
            guard case LLMError.noRecording(_, _, let why, _) = error else { return false }
            return why.contains("message 1 changed") && !why.contains("system prompt")
        }
    }

    @Test func theKeyIsStableAndCoversWhatShapesTheAnswer() {
        let a = LLMRequest(model: "m", system: "s", messages: [.user("q")])
        #expect(ReplayProvider.key(for: a) == ReplayProvider.key(for: a))
        var b = a
        b.system = "t"
        #expect(ReplayProvider.key(for: a) != ReplayProvider.key(for: b))
        var c = a
        c.tools = [LLMTool(name: "x", description: "", inputSchema: .object([:]))]
        #expect(ReplayProvider.key(for: a) != ReplayProvider.key(for: c))
        #expect(ReplayProvider.key(for: a).count == 16)
    }
}

@Suite struct RecordingProviderTests {
    /// A provider answering once, to be recorded.
    struct Once: LLMProvider {
        func stream(_ request: LLMRequest) -> AsyncThrowingStream<LLMStreamEvent, any Error> {
            AsyncThrowingStream { continuation in
                continuation.yield(.toolUse(id: "toolu_1", name: "submit_plan", input: .object(["summary": .string("recorded")])))
                continuation.yield(.finished(stopReason: "tool_use", usage: LLMUsage(inputTokens: 10, outputTokens: 3, cost: nil)))
                continuation.finish()
            }
        }
    }

    @Test func whatIsRecordedIsReplayedAndNothingElse() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tower-record-\(UUID().uuidString.prefix(6))")
        defer { try? FileManager.default.removeItem(at: directory) }
        let request = LLMRequest(
            model: "claude-sonnet-4-20250514", system: "plan", messages: [.user("ticket")],
            tools: [LLMTool(name: "submit_plan", description: "d", inputSchema: .object(["type": .string("object")]))], toolChoice: .tool("submit_plan"))
        let live = try await RecordingProvider(recording: Once(), into: directory).complete(request)
        let replayed = try await ReplayProvider(directory: directory).complete(request)
        #expect(replayed.content == live.content)
        #expect(replayed.usage.inputTokens == 10)
        var changed = request
        changed.toolChoice = .any
        await #expect(throws: LLMError.self) { try await ReplayProvider(directory: directory).complete(changed) }
    }
}
