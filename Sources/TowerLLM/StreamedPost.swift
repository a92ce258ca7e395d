import Foundation
import HTTPTypes
import TowerCore
import TowerNet

/// A model call's streamed POST, as every provider sends it: each attempt logged in the HTTP
/// log; a lost connection or a timeout tried again with the retry policy (a model call changes
/// nothing on the server, so repeating it is safe; at worst an answer never received is billed);
/// an error answer read (up to 64 KB) and handed to the provider, which says whether to wait
/// and try again. The first answer that is not tried again is returned.
struct StreamedPost: Sendable {
    /// A 200 answer's body as it streams, or an error answer whole.
    enum Answer {
        case stream(AsyncThrowingStream<Data, any Error>)
        case refused(HTTPClientHead, Data)
    }

    let transport: CurlTransport
    let policy: RetryPolicy
    let http: HTTPClient
    let sleep: @Sendable (TimeInterval) async throws -> Void

    /// `request` builds each attempt (a signed request is signed again). `retry` gets an error
    /// answer and the attempt number, and returns the wait before the next attempt, or nil to
    /// stop; it may throw (a wait too long becomes ``ResumeLater``).
    func send(_ request: () async throws -> HTTPClientRequest, retry: (HTTPClientHead, Data, Int) throws -> TimeInterval?) async throws -> Answer {
        var attempt = 0
        while true {
            attempt += 1
            let call = try await request()
            let started = Date()
            let head: HTTPClientHead
            let body: AsyncThrowingStream<Data, any Error>
            do {
                (head, body) = try await transport.stream(call)
                http.note(call, attempt: attempt, head.status.code == 200 ? "200, streaming" : "\(head.status.code)", since: started, response: head)
            } catch let error as HTTPClientError {
                http.note(call, attempt: attempt, "failed: \(error)", since: started)
                guard let failure = error.transportFailure,
                    case .retry(let wait, _) = policy.decide(
                        method: .post, safeToRepeat: true, outcome: .transport(failure), attempt: attempt, now: Date(), random: .random(in: 0..<1))
                else { throw error }
                try await sleep(wait)
                continue
            }
            guard head.status.code == 200 else {
                var data = Data()
                for try await chunk in body where data.count < 64 << 10 { data.append(chunk) }
                if let wait = try retry(head, data, attempt) {
                    try await sleep(wait)
                    continue
                }
                return .refused(head, data)
            }
            return .stream(body)
        }
    }

    /// The policy's word on an error answer: the wait before trying again, nil to stop, or
    /// ``ResumeLater`` when the server asks for longer than a call may wait.
    func policyWait(_ head: HTTPClientHead, attempt: Int, host: String?) throws -> TimeInterval? {
        switch policy.decide(method: .post, safeToRepeat: true, outcome: .response(head.status, head.headers), attempt: attempt, now: Date(), random: .random(in: 0..<1)) {
        case .retry(let wait, _): return wait
        case .resumeLater(let wait, let reason): throw ResumeLater(after: wait, waitingFor: "\(reason) at \(host ?? "the model server")")
        default: return nil
        }
    }
}

/// A provider's `stream(_:)` as a task feeding the stream, cancelled when the caller stops
/// reading.
func providerStream(_ run: @escaping @Sendable (AsyncThrowingStream<LLMStreamEvent, any Error>.Continuation) async throws -> Void)
    -> AsyncThrowingStream<LLMStreamEvent, any Error>
{
    AsyncThrowingStream { continuation in
        let task = Task {
            do {
                try await run(continuation)
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        continuation.onTermination = { _ in task.cancel() }
    }
}
