import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import TowerNet
import TowerServices

/// The gateway's own costs on loopback, with a Hummingbird server in this process: requests
/// per second and latency through HTTPClient (libcurl's multi interface) one at a time and 32
/// at once; Server-Sent Events decoded per second; the cost of starting a sandboxed command.
func gatewayBench() async throws {
    let requests = Int(option("--requests", "5000")) ?? 5000
    let router = Router()
    router.get("/repo") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: #"{"name":"auth-service","full_name":"acme/auth-service","default_branch":"main","private":true}"#)))
    }
    let events = 20_000
    let frame = "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"token \"}}\n\n"
    router.get("/stream") { _, _ in
        Response(status: .ok, headers: [.contentType: "text/event-stream"], body: .init(byteBuffer: ByteBuffer(string: String(repeating: frame, count: events))))
    }
    let (portStream, portContinuation) = AsyncStream<Int>.makeStream()
    var logger = Logger(label: "bench")
    logger.logLevel = .critical
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in
            portContinuation.yield(channel.localAddress?.port ?? 0)
            portContinuation.finish()
        }, logger: logger)
    let server = Task { try await app.runService(gracefulShutdownSignals: []) }
    defer { server.cancel() }
    var ports = portStream.makeAsyncIterator()
    guard let port = await ports.next() else { return }
    let base = "http://127.0.0.1:\(port)"
    let http = HTTPClient(policy: RetryPolicy(maxAttempts: 1))
    let request = HTTPClientRequest(url: URL(string: base + "/repo")!)

    for concurrency in [1, 32] {
        _ = try await http.send(request)  // warm the connection pool
        let started = Date()
        let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var mine: [Double] = []
                    for _ in stride(from: worker, to: requests, by: concurrency) {
                        let t = Date()
                        let response = try await http.send(request)
                        precondition(response.status == .ok)
                        mine.append(Date().timeIntervalSince(t) * 1000)
                    }
                    return mine
                }
            }
            var all: [Double] = []
            for try await part in group { all += part }
            return all
        }
        let seconds = Date().timeIntervalSince(started)
        print(String(format: "http GET, %2d at once: %7.0f requests/s  p50 %.2f ms  p99 %.2f ms  (%d requests)", concurrency, Double(requests) / seconds,
                     percentile(latencies, 0.5), percentile(latencies, 0.99), requests))
    }

    let streamStart = Date()
    let (head, body) = try await CurlTransport.shared.stream(HTTPClientRequest(url: URL(string: base + "/stream")!))
    precondition(head.status == .ok)
    var decoder = ServerSentEventDecoder()
    var decoded = 0
    for try await chunk in body { decoded += decoder.feed(chunk).count }
    let streamSeconds = Date().timeIntervalSince(streamStart)
    print(String(format: "SSE: %d events decoded in %.0f ms: %.0f events/s", decoded, streamSeconds * 1000, Double(decoded) / streamSeconds))

    let sandbox = try Sandbox(root: FileManager.default.temporaryDirectory.appendingPathComponent("tower-bench-sandbox-\(getpid())"))
    defer { try? FileManager.default.removeItem(at: sandbox.root) }
    var starts: [Double] = []
    for _ in 0..<30 {
        let t = Date()
        let run = try await sandbox.execute("true")
        precondition(run.succeeded, run.output)
        starts.append(Date().timeIntervalSince(t) * 1000)
    }
    var plain: [Double] = []
    for _ in 0..<30 {
        let t = Date()
        _ = try await ProcessRunner().run("/bin/sh", ["-c", "true"])
        plain.append(Date().timeIntervalSince(t) * 1000)
    }
    print(String(format: "sandboxed `true`: p50 %.1f ms  p99 %.1f ms  (unsandboxed sh -c true: p50 %.1f ms)", percentile(starts, 0.5), percentile(starts, 0.99),
                 percentile(plain, 0.5)))
}
