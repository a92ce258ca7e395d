import CoreMetrics
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle
import TowerCore
import TowerStore

/// The HTTP endpoints the outside world calls: one route per source, `GET /healthz`. A request
/// is verified on its raw bytes before anything reads it, its size is capped per route, and a
/// verified delivery is stored in the inbox *before* the 2xx answer, so nothing the sender was
/// told is received can be lost. The answer never waits for the engine: processing happens
/// from the inbox.
public struct Listener: Sendable {
    public let host: String
    public let port: Int
    let store: any Store
    let secrets: [WebhookSource: [String]]
    let counters: ListenerCounters
    /// Told when a new delivery is stored (the engine looks at once).
    let received: @Sendable () async -> Void
    /// `/healthz`'s body besides the store's state.
    let health: @Sendable () async -> [String: String]
    /// `/metrics`'s text, when metrics are kept.
    let metrics: (@Sendable () async -> String)?
    let log: @Sendable (String) -> Void
    let inbox: InboxWriter
    /// Connections, timeouts and the shutdown bound.
    public let limits: ListenerLimits

    public init(
        host: String, port: Int, store: any Store, secrets: [WebhookSource: [String]], counters: ListenerCounters = ListenerCounters(),
        received: @escaping @Sendable () async -> Void = {}, health: @escaping @Sendable () async -> [String: String] = { [:] },
        metrics: (@Sendable () async -> String)? = nil, limits: ListenerLimits = ListenerLimits(), log: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.limits = limits
        self.metrics = metrics
        self.host = host
        self.port = port
        self.store = store
        self.secrets = secrets
        self.counters = counters
        self.received = received
        self.health = health
        self.log = log
        self.inbox = InboxWriter(store: store)
    }

    /// `HOST:PORT` (`TOWER_LISTEN`), default `127.0.0.1:8001`.
    public static func address(_ setting: String?) -> (host: String, port: Int)? {
        let text = (setting ?? "").trimmingCharacters(in: .whitespaces)
        guard !text.isEmpty else { return ("127.0.0.1", 8001) }
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        let host = String(text[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }

    /// Serves until cancelled, or, with `signals`, until SIGTERM or SIGINT, after which the
    /// requests in flight are answered before it returns. `bound` gets the port (0 picks one).
    public func run(signals: Bool, bound: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let router = Router()
        for source in WebhookSource.allCases {
            router.post(RouterPath(stringLiteral: source.path)) { request, _ in await self.handle(source, request) }
        }
        router.get("/healthz") { _, _ in await self.healthz() }
        router.get("/metrics") { _, _ in
            guard let metrics = self.metrics else { return Self.text(404, "metrics are not kept in this process") }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: await metrics())))
        }
        var logger = Logger(label: "tower-listener")
        logger.logLevel = .critical
        let limits = self.limits
        let app = Application(
            router: router,
            server: .http1(configuration: .init(additionalChannelHandlers: [RequestDeadlineHandler(limits: limits)])),
            configuration: .init(
                address: .hostname(host, port: port), serverName: "tower", backlog: 1024,
                availableConnectionsDelegate: MaximumAvailableConnections(limits.maxConnections)),
            onServerRunning: { channel in bound(channel.localAddress?.port ?? 0) }, logger: logger)
        var group = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: signals ? [.sigterm, .sigint] : [], logger: logger)
        // Requests still arriving get what is left of the shutdown timeout (then 503); this bound
        // is for whatever else would hold the server past it.
        group.maximumGracefulShutdownDuration = Duration.milliseconds(Int64((limits.shutdownTimeout + 2) * 1000))
        group.maximumCancellationDuration = Duration.seconds(2)
        try await ServiceGroup(configuration: group).run()
    }

    func handle(_ source: WebhookSource, _ request: Request) async -> Response {
        let limit = source.bodyLimit
        if let length = request.headers[.contentLength], Self.exceeds(length, limit) {
            return refuse(source, 413, "a \(length.prefix(24))-byte body is over this route's \(limit) bytes")
        }
        let body: Data
        do {
            body = Data(buffer: try await request.body.collect(upTo: limit))
        } catch RequestCutOff.bodyTimeout {
            return refuse(source, 408, "the body did not arrive within \(limits.bodyTimeout) s of the head")
        } catch RequestCutOff.shuttingDown {
            return refuse(source, 503, "the listener is stopping; the body had not arrived")
        } catch {
            return refuse(source, 413, "the body is over this route's \(limit) bytes")
        }
        let decision = Intake.decide(source, body: body, header: { name in HTTPField.Name(name).flatMap { request.headers[$0] } }, secrets: secrets[source] ?? [], now: Date())
        switch decision {
        case .refused(let status, let reason):
            return refuse(source, status, reason)
        case .accepted(let delivery, let reply):
            let fresh: Bool
            do {
                fresh = try await inbox.store(delivery)
            } catch {
                // Not stored: the sender is told to try again, not that it was received.
                counters.count(source, "unavailable")
                log("\(source.rawValue) \(delivery.event) \(delivery.id): cannot store it: \(error)")
                return Self.text(503, "cannot store the delivery now; send it again")
            }
            counters.count(source, fresh ? "accepted" : "duplicate")
            if fresh { await received() }
            return answer(source, reply: reply, duplicate: !fresh)
        }
    }

    func refuse(_ source: WebhookSource, _ status: Int, _ reason: String) -> Response {
        counters.count(source, status == 401 ? "unverified" : "refused")
        counters.refused(source, status: status, reason: reason)
        log("\(source.rawValue): refused \(status): \(reason)")
        let text =
            switch status {
            case 401: "signature not verified"
            case 413: "body too large"
            case 408: "request body timed out"
            case 503: "shutting down; send it again"
            default: "malformed request"
            }
        var response = Self.text(status, text)
        // A body that is refused or cut off is not read to its end: the connection closes.
        if [408, 413, 503].contains(status) { response.headers[.connection] = "close" }
        return response
    }

    /// Whether a `Content-Length` is over `limit`, however many digits it has (a length past
    /// `Int.max` is over any limit, not unparsable).
    static func exceeds(_ length: String, _ limit: Int) -> Bool {
        let digits = length.trimmingCharacters(in: .whitespaces)
        guard !digits.isEmpty, digits.utf8.allSatisfy({ (48...57).contains($0) }) else { return false }
        return Int(digits).map { $0 > limit } ?? true
    }

    func answer(_ source: WebhookSource, reply: String, duplicate: Bool) -> Response {
        switch source {
        case .slack:
            // Slack shows this to the user alone, at once; the outcome follows by response_url.
            let text = duplicate ? "Already received." : reply
            return Self.json(["response_type": "ephemeral", "text": text])
        case .slackInteraction:
            return Response(status: .ok)
        default:
            return Self.text(200, duplicate ? "already received" : reply)
        }
    }

    func healthz() async -> Response {
        var body = await health()
        do {
            _ = try await store.freezeState()
            body["store"] = "ok"
        } catch {
            body["store"] = "unavailable: \(error)"
        }
        body["status"] = body["store"] == "ok" ? "ok" : "degraded"
        return Self.json(body, status: body["store"] == "ok" ? 200 : 503)
    }

    static func text(_ status: Int, _ text: String) -> Response {
        Response(
            status: HTTPResponse.Status(code: status), headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text + "\n")))
    }

    static func json(_ object: [String: String], status: Int = 200) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(data: data)))
    }
}

/// Deliveries by source and outcome (accepted, duplicate, unverified, refused, unavailable),
/// the latest refusals with their reasons, and why the listener is not listening if it is not:
/// for the console's health line and Deliveries screen. Refusals are kept here, in memory and
/// bounded, never in the store: an unverified sender must not be able to write to it.
public final class ListenerCounters: @unchecked Sendable {
    public struct Refusal: Sendable, Equatable {
        public var at: Date
        public var source: String
        public var status: Int
        public var reason: String
    }

    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    private var refusals: [Refusal] = []
    private var failure: String?

    public init() {}

    /// The swift-metrics counters, made once per series (not on every request).
    private var metricCounters: [String: Counter] = [:]

    func count(_ source: WebhookSource, _ outcome: String) {
        let key = "\(source.rawValue) \(outcome)"
        let (delivered, failed) = lock.withLock { () -> (Counter, Counter?) in
            counts[key, default: 0] += 1
            let delivered = metricCounters[key] ?? Counter(label: "tower_webhook_deliveries_total", dimensions: [("source", source.rawValue), ("outcome", outcome)])
            metricCounters[key] = delivered
            guard outcome == "unverified" else { return (delivered, nil) }
            let failedKey = "\(source.rawValue) verification"
            let failed = metricCounters[failedKey] ?? Counter(label: "tower_webhook_verification_failures_total", dimensions: [("source", source.rawValue)])
            metricCounters[failedKey] = failed
            return (delivered, failed)
        }
        delivered.increment()
        failed?.increment()
    }

    func refused(_ source: WebhookSource, status: Int, reason: String) {
        lock.withLock {
            refusals.insert(Refusal(at: Date(), source: source.rawValue, status: status, reason: String(reason.prefix(200))), at: 0)
            if refusals.count > 20 { refusals.removeLast() }
        }
    }

    /// Records why the listener stopped or never started (the port is taken).
    public func fail(_ why: String) { lock.withLock { failure = why } }

    /// `"github accepted": 3`, …
    public var snapshot: [String: Int] { lock.withLock { counts } }
    /// The latest refusals, newest first.
    public var recentRefusals: [Refusal] { lock.withLock { refusals } }
    public var problem: String? { lock.withLock { failure } }

    /// Totals over every source: accepted, redelivered, refused (unverified, too large, malformed).
    public var totals: (accepted: Int, duplicates: Int, refused: Int) {
        let all = snapshot
        func sum(_ outcome: String) -> Int { all.filter { $0.key.hasSuffix(" \(outcome)") }.map(\.value).reduce(0, +) }
        return (sum("accepted"), sum("duplicate"), sum("unverified") + sum("refused"))
    }
}
