import Foundation
#if canImport(Glibc)
    import Glibc
#endif
import HTTPTypes
import Hummingbird
import NIOCore
import Testing
import TowerCore
import TowerHTTPTestSupport
import TowerTestLog

@testable import TowerNet

private let fast = RetryPolicy(maxAttempts: 3, backoff: RetryBackoff(base: 0.01, multiplier: 2, maximum: 0.05, jitter: 0), maximumWait: 5)

/// Records the waits the client would have made.
private final class Waits: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [TimeInterval] = []
    func add(_ value: TimeInterval) { lock.withLock { values.append(value) } }
    var all: [TimeInterval] { lock.withLock { values } }
}

private func client(log: (@Sendable (String) -> Void)? = nil, waits: Waits = Waits()) -> HTTPClient {
    HTTPClient(transport: .shared, policy: fast, log: { line in
        log?(line)
        RunLog.record(line, from: "net-tests")
    }, sleep: { waits.add($0) })
}

@Suite struct CurlTransportTests {
    @Test func sendsMethodHeadersAndBodyAndReadsTheAnswer() async throws {
        let seen = Counter()
        let server = try await TestServer.start { router in
            router.post("/echo") { request, context -> Response in
                let body = try await request.body.collect(upTo: 1 << 20)
                seen.add("\(request.method) \(request.headers[.authorization] ?? "-") \(request.headers[.contentType] ?? "-") \(request.headers[HTTPField.Name("Idempotency-Key")!] ?? "-") \(String(buffer: body))")
                return Response(status: .created, headers: [.contentType: "application/json", HTTPField.Name("x-request-id")!: "r-1"], body: .init(byteBuffer: ByteBuffer(string: #"{"ok":true}"#)))
            }
        }
        defer { server.stop() }
        var headers = HTTPFields()
        headers[.authorization] = "Bearer ghp_tst0secret_value_1"
        headers[.contentType] = "application/json"
        let response = try await client().send(
            HTTPClientRequest(method: .post, url: server.url("/echo"), headers: headers, body: Data(#"{"a":1}"#.utf8), idempotencyKey: "t-1/planning/0"))
        #expect(response.status == .created)
        #expect(response.headers[HTTPField.Name("x-request-id")!] == "r-1")
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"ok":true}"#)
        #expect(seen.all == [#"POST Bearer ghp_tst0secret_value_1 application/json t-1/planning/0 {"a":1}"#])
    }

    @Test func aServerErrorThenSuccessSucceeds() async throws {
        let seen = Counter()
        let server = try await TestServer.start { router in
            router.get("/flaky") { _, _ -> Response in
                seen.add("hit")
                return seen.count == 1 ? Response(status: .internalServerError) : Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "fine")))
            }
        }
        defer { server.stop() }
        let response = try await client().send(HTTPClientRequest(url: server.url("/flaky")))
        #expect(response.status == .ok && seen.count == 2)
    }

    @Test func tooManyRequestsIsWaitedOutAsRetryAfterSays() async throws {
        let seen = Counter()
        let waits = Waits()
        let server = try await TestServer.start { router in
            router.get("/limited") { _, _ -> Response in
                seen.add("hit")
                return seen.count == 1 ? Response(status: .tooManyRequests, headers: [.retryAfter: "1"]) : Response(status: .ok)
            }
        }
        defer { server.stop() }
        let response = try await client(waits: waits).send(HTTPClientRequest(url: server.url("/limited")))
        #expect(response.status == .ok && seen.count == 2)
        #expect(waits.all == [1])
    }

    @Test func gitHubsSecondaryRateLimitWithoutRetryAfterWaitsAMinute() async throws {
        let seen = Counter()
        let waits = Waits()
        let server = try await TestServer.start { router in
            router.post("/repos/acme/web/issues/1/comments") { _, _ -> Response in
                seen.add("hit")
                guard seen.count == 1 else { return Response(status: .created) }
                return Response(
                    status: .forbidden, headers: [.contentType: "application/json", HTTPField.Name("x-ratelimit-remaining")!: "4990"],
                    body: .init(byteBuffer: ByteBuffer(string: #"{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.","status":"403"}"#)))
            }
        }
        defer { server.stop() }
        let patient = HTTPClient(transport: .shared, policy: RetryPolicy(maxAttempts: 2, maximumWait: 600), log: nil, sleep: { waits.add($0) })
        let response = try await patient.send(HTTPClientRequest(method: .post, url: server.url("/repos/acme/web/issues/1/comments"), body: Data("{}".utf8)))
        #expect(response.status == .created && seen.count == 2)
        #expect(waits.all == [60])
    }

    /// Regression: cancelling an exchange that had already finished (its body stream going
    /// away late does that) removed whichever exchange libcurl had since given the same freed
    /// and reused handle, and that one's caller waited forever. Twenty rounds make the reuse of
    /// the handle's memory all but certain.
    @Test func cancellingAFinishedExchangeLeavesTheNextOneAlone() async throws {
        let (acks, acknowledge) = AsyncStream<Void>.makeStream()
        let server = try await TestServer.start { router in
            router.get("/empty") { _, _ -> Response in Response(status: .noContent) }
            router.get("/held") { _, _ -> Response in
                Response(
                    status: .ok,
                    body: ResponseBody { writer in
                        try await writer.write(ByteBuffer(string: "first "))
                        var waiting = acks.makeAsyncIterator()
                        _ = await waiting.next()
                        try await writer.write(ByteBuffer(string: "rest"))
                        try await writer.finish(nil)
                    })
            }
        }
        defer { server.stop() }
        let (empty, held) = (server.url("/empty"), server.url("/held"))
        let (results, sink) = AsyncStream<Int?>.makeStream()
        let work = Task {
            let transport = CurlTransport.shared
            var rounds = 0
            for _ in 0..<20 {
                let done = try Transfer(HTTPClientRequest(url: empty, timeout: 10))
                for try await _ in try await transport.start(done).1 {}
                let (_, next) = try await transport.start(try Transfer(HTTPClientRequest(url: held, timeout: 10)))
                var chunks = next.makeAsyncIterator()
                var text = String(decoding: try await chunks.next() ?? Data(), as: UTF8.self)  // under way: its handle is with libcurl
                transport.cancel(done)
                acknowledge.yield()
                while let chunk = try await chunks.next() { text += String(decoding: chunk, as: UTF8.self) }
                guard text == "first rest" else { break }
                rounds += 1
            }
            sink.yield(rounds)
        }
        // A lost exchange never comes back: fail after a minute rather than hang the run.
        let deadline = Task {
            try? await Task.sleep(nanoseconds: 60_000_000_000)
            sink.yield(nil)
        }
        var first = results.makeAsyncIterator()
        let rounds = await first.next() ?? nil
        work.cancel()
        deadline.cancel()
        #expect(rounds == 20)
    }

    @Test func aRequestFromACancelledTaskIsNeverSent() async throws {
        let seen = Counter()
        let server = try await TestServer.start { router in
            router.get("/x") { _, _ -> Response in
                seen.add("hit")
                return Response(status: .ok)
            }
        }
        defer { server.stop() }
        let url = server.url("/x")
        let outcome = await Task { () async throws -> HTTPClientResponse in
            withUnsafeCurrentTask { $0?.cancel() }
            return try await CurlTransport.shared.send(HTTPClientRequest(url: url))
        }.result
        #expect(throws: CancellationError.self) { try outcome.get() }
        // A later request on the same connection pool is answered: nothing was left half-sent.
        #expect(try await CurlTransport.shared.send(HTTPClientRequest(url: url)).status == .ok)
        #expect(seen.all == ["hit"])
    }

    @Test func cancellingTheCallerStopsAnExchangeThatIsWaiting() async throws {
        let (arrived, arrival) = AsyncStream<Void>.makeStream()
        let server = try await TestServer.start { router in
            router.get("/slow") { _, _ -> Response in
                arrival.yield()
                try await Task.sleep(nanoseconds: 20_000_000_000)
                return Response(status: .ok)
            }
        }
        defer { server.stop() }
        let url = server.url("/slow")
        let call = Task { try await CurlTransport.shared.send(HTTPClientRequest(url: url, timeout: 30)) }
        var waiting = arrived.makeAsyncIterator()
        _ = await waiting.next()
        call.cancel()
        // Cancelled, not timed out: a transport that ignored the cancellation would end in
        // `timedOut` after 30 s, or never.
        let result = await call.result
        #expect(throws: CancellationError.self) { try result.get() }
    }

    @Test func walkingAwayFromABodyClosesTheExchange() async throws {
        let (ended, ending) = AsyncStream<String>.makeStream()
        let server = try await TestServer.start { router in
            router.get("/endless") { _, _ -> Response in
                Response(
                    status: .ok,
                    body: ResponseBody { writer in
                        do {
                            for _ in 0..<6000 {
                                try await writer.write(ByteBuffer(string: String(repeating: "x", count: 1024) + "\n"))
                                try await Task.sleep(nanoseconds: 5_000_000)
                            }
                            ending.yield("sent all 6,000 chunks")
                            try await writer.finish(nil)
                        } catch {
                            ending.yield("the client hung up")  // writing failed
                            throw error
                        }
                    })
            }
        }
        defer { server.stop() }
        do {
            let (_, body) = try await CurlTransport.shared.stream(HTTPClientRequest(url: server.url("/endless"), timeout: 60))
            for try await _ in body { break }
        }  // the body stream goes away here, unfinished
        var outcome = ended.makeAsyncIterator()
        #expect(await outcome.next() == "the client hung up")
    }

    @Test func anAnswerLargerThanTheLimitIsRefusedNotHeld() async throws {
        let server = try await TestServer.start { router in
            router.get("/big") { _, _ -> Response in
                Response(
                    status: .ok,
                    body: ResponseBody { writer in
                        for _ in 0..<32 { try await writer.write(ByteBuffer(repeating: 0x61, count: 64 << 10)) }  // 2 MB, chunked
                        try await writer.finish(nil)
                    })
            }
        }
        defer { server.stop() }
        var request = HTTPClientRequest(url: server.url("/big"), maxResponseBytes: 1 << 20)
        await #expect(throws: HTTPClientError.tooLarge(host: "127.0.0.1", limit: 1 << 20)) {
            _ = try await client().send(request)
        }
        #expect(HTTPClientError.tooLarge(host: "127.0.0.1", limit: 1 << 20).description == "127.0.0.1 answered with more than 1 MB; the rest was not read")
        request.maxResponseBytes = 4 << 20
        #expect(try await client().send(request).body.count == 2 << 20)
    }

    @Test func aPostIsNotBlindlyRetried() async throws {
        let seen = Counter()
        let server = try await TestServer.start { router in
            router.post("/create") { _, _ -> Response in
                seen.add("hit")
                return Response(status: .badGateway)
            }
        }
        defer { server.stop() }
        let response = try await client().send(HTTPClientRequest(method: .post, url: server.url("/create"), body: Data("x".utf8)))
        #expect(response.status == .badGateway && seen.count == 1)
    }

    @Test func aServerThatNeverAnswersTimesOutWithAClearError() async throws {
        let server = try await TestServer.start { router in
            router.post("/slow") { _, _ -> Response in
                try await Task.sleep(nanoseconds: 5_000_000_000)
                return Response(status: .ok)
            }
        }
        defer { server.stop() }
        let start = Date()
        await #expect(throws: HTTPClientError.timedOut(host: "127.0.0.1", after: 0.3)) {
            _ = try await client().send(HTTPClientRequest(method: .post, url: server.url("/slow"), timeout: 0.3))
        }
        #expect(Date().timeIntervalSince(start) < 4.5)
        #expect(HTTPClientError.timedOut(host: "127.0.0.1", after: 0.3).description == "127.0.0.1 did not answer within 300 ms")
    }

    @Test func nothingListeningIsCouldNotConnect() async throws {
        // A port bound but not listening: refused, and no other test's server can take it
        // meanwhile (a stopped server's port could be reused by one started in parallel).
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        #expect(bound)
        let url = URL(string: "http://127.0.0.1:\(UInt16(bigEndian: address.sin_port))/x")!
        do {
            _ = try await HTTPClient(transport: .shared, policy: RetryPolicy(maxAttempts: 1), log: nil, sleep: { _ in }).send(HTTPClientRequest(url: url))
            Issue.record("expected a connection error")
        } catch let error as HTTPClientError {
            guard case .couldNotConnect(let host, _) = error else { Issue.record("\(error)"); return }
            #expect(host == "127.0.0.1")
        }
    }

    @Test func theFirstChunkArrivesWhileTheServerIsStillSending() async throws {
        let (ack, acknowledge) = AsyncStream<Void>.makeStream()
        let server = try await TestServer.start { router in
            router.get("/stream") { _, _ -> Response in
                Response(
                    status: .ok, headers: [.contentType: "text/event-stream"],
                    body: ResponseBody { writer in
                        try await writer.write(ByteBuffer(string: "event: first\ndata: 1\n\n"))
                        var waiting = ack.makeAsyncIterator()
                        _ = await waiting.next()  // hold the rest back until the client has the first
                        try await writer.write(ByteBuffer(string: "event: second\ndata: 2\n\n"))
                        try await writer.finish(nil)
                    })
            }
        }
        defer { server.stop() }
        let (head, body) = try await CurlTransport.shared.stream(HTTPClientRequest(url: server.url("/stream"), timeout: 10))
        #expect(head.status == .ok)
        var decoder = ServerSentEventDecoder()
        var events: [ServerSentEvent] = []
        for try await chunk in body {
            let new = decoder.feed(chunk)
            events += new
            if new.contains(where: { $0.event == "first" }) { acknowledge.yield() }
        }
        #expect(events.map(\.event) == ["first", "second"])
    }

    @Test func attemptsAreLoggedWithoutSecrets() async throws {
        let lines = Counter()
        let server = try await TestServer.start { router in
            router.get("/x") { _, _ -> Response in Response(status: .serviceUnavailable) }
        }
        defer { server.stop() }
        var headers = HTTPFields()
        headers[.authorization] = "token ghp_tst0secret_do_not_log_42"
        _ = try await client(log: { lines.add($0) }).send(HTTPClientRequest(url: server.url("/x?access_token=ghp_tst0secret_do_not_log_42"), headers: headers))
        #expect(lines.count >= 3)
        #expect(lines.all.allSatisfy { !$0.contains("ghp_tst0secret_do_not_log_42") })
        #expect(lines.all.first?.contains("access_token=***") == true)
    }
}

@Suite struct PaginationAndConditionalTests {
    @Test func followsLinkHeadersOverThreePages() async throws {
        let seen = Counter()
        let holder = BaseHolder()
        let server = try await TestServer.start { router in
            router.get("/items") { request, _ -> Response in
                let page = Int(request.uri.queryParameters["page"].map(String.init) ?? "1") ?? 1
                seen.add("page \(page)")
                var headers: HTTPFields = [.contentType: "application/json"]
                if page < 3 { headers[HTTPField.Name("Link")!] = "<\(holder.base)/items?page=\(page + 1)>; rel=\"next\", <\(holder.base)/items?page=3>; rel=\"last\"" }
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: "[\(page)]")))
            }
        }
        defer { server.stop() }
        holder.base = server.base.absoluteString
        let pages = try await client().allPages(HTTPClientRequest(url: server.url("/items")))
        #expect(pages.map { String(decoding: $0.body, as: UTF8.self) } == ["[1]", "[2]", "[3]"])
        #expect(seen.all == ["page 1", "page 2", "page 3"])
    }

    @Test func aNotModifiedAnswerIsUnchanged() async throws {
        let seen = Counter()
        let server = try await TestServer.start { router in
            router.get("/runs") { request, _ -> Response in
                seen.add(request.headers[.ifNoneMatch] ?? "none")
                if request.headers[.ifNoneMatch] == "\"v1\"" { return Response(status: .notModified, headers: [.eTag: "\"v1\""]) }
                return Response(status: .ok, headers: [.eTag: "\"v1\""], body: .init(byteBuffer: ByteBuffer(string: "runs")))
            }
        }
        defer { server.stop() }
        let cache = ETagCache()
        let first = try await client().conditionalGet(HTTPClientRequest(url: server.url("/runs")), cache: cache)
        let second = try await client().conditionalGet(HTTPClientRequest(url: server.url("/runs")), cache: cache)
        #expect(!first.unchanged && second.unchanged)
        #expect(String(decoding: second.response.body, as: UTF8.self) == "runs")
        #expect(seen.all == ["none", "\"v1\""])
    }
}

/// The server's own address, known only once it listens.
private final class BaseHolder: @unchecked Sendable {
    private let lock = NSLock()
    private var value = ""
    var base: String {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}
