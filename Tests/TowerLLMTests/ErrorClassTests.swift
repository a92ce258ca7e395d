import Testing

@testable import TowerLLM

/// `/metrics` counts failed model calls by class: a closed set, whatever a server answers.
@Suite struct ErrorClassTests {
    struct Unreachable: Error {}

    @Test func eachFailureHasItsClassAndAnUnknownTypeIsNoNewLabel() {
        #expect(LLMError.errorClass(of: LLMError.api(status: 529, type: "overloaded_error", message: "Overloaded")) == "overloaded_error")
        #expect(LLMError.errorClass(of: LLMError.api(status: 429, type: "ThrottlingException", message: "slow down")) == "ThrottlingException")
        #expect(LLMError.errorClass(of: LLMError.api(status: 400, type: "made_up_\(Int.random(in: 0..<1_000_000))", message: "")) == "other_api")
        #expect(LLMError.errorClass(of: LLMError.notConfigured("ANTHROPIC_API_KEY")) == "not_configured")
        #expect(LLMError.errorClass(of: LLMError.incomplete("stream ended")) == "incomplete")
        #expect(LLMError.errorClass(of: Unreachable()) == "transport")
        #expect(LLMError.errorClass(of: CancellationError()) == "cancelled")
    }
}
