#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TowerConfig

/// What the listener lets a client hold: how many connections, and for how long each part of a
/// request may take. The console embeds the listener, so a client on the internet must not be
/// able to take the process's descriptors or keep it from stopping.
public struct ListenerLimits: Sendable, Equatable {
    /// Connections held open at once; past it, new ones wait in the kernel's backlog.
    public var maxConnections: Int
    /// Seconds a new connection has to send its whole request head.
    public var headTimeout: Double
    /// Seconds a request has to send its whole body once its head has arrived.
    public var bodyTimeout: Double
    /// Seconds a kept-alive connection may wait for its next request.
    public var idleTimeout: Double
    /// Seconds SIGTERM waits for requests in flight before answering them 503 and stopping.
    public var shutdownTimeout: Double

    /// Descriptors kept for everything but clients: the store, git, the sandbox, the console.
    public static let reservedDescriptors = 256

    /// Limits as given (tests, embedders); the defaults are the configuration's.
    public init(maxConnections: Int = 1000, headTimeout: Double = 10, bodyTimeout: Double = 30, idleTimeout: Double = 60, shutdownTimeout: Double = 10) {
        self.maxConnections = maxConnections
        self.headTimeout = headTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.shutdownTimeout = shutdownTimeout
    }

    /// The configured limits (`TOWER_LISTEN_*`, `TOWER_SHUTDOWN_TIMEOUT`), the connection cap
    /// lowered to what `descriptorLimit` leaves after ``reservedDescriptors``.
    public init(_ config: Configuration, descriptorLimit: Int) {
        func seconds(_ name: String, _ fallback: Double) -> Double {
            guard let value = config[name].flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }), value > 0, value.isFinite else { return fallback }
            return value
        }
        let wanted = max(1, config.integer("TOWER_LISTEN_MAX_CONNECTIONS", default: 1000))
        self.init(
            maxConnections: Self.cap(wanted, descriptorLimit: descriptorLimit), headTimeout: seconds("TOWER_LISTEN_HEAD_TIMEOUT", 10),
            bodyTimeout: seconds("TOWER_LISTEN_BODY_TIMEOUT", 30), idleTimeout: seconds("TOWER_LISTEN_IDLE_TIMEOUT", 60),
            shutdownTimeout: seconds("TOWER_SHUTDOWN_TIMEOUT", 10))
    }

    /// `wanted`, but never more than the descriptors left after the reserve (at least 16).
    public static func cap(_ wanted: Int, descriptorLimit: Int) -> Int {
        min(wanted, max(16, descriptorLimit - reservedDescriptors))
    }

    /// One line for `tower config` and the start-up message.
    public var summary: String {
        func s(_ value: Double) -> String { value == value.rounded() ? "\(Int(value)) s" : "\(value) s" }
        return "at most \(maxConnections) connections; head \(s(headTimeout)), body \(s(bodyTimeout)), idle \(s(idleTimeout)), shutdown \(s(shutdownTimeout))"
    }

    /// Raises the soft limit on open descriptors to the hard limit (the usual soft limit, 1,024,
    /// is far below what a server needs) and returns the soft limit in force afterwards.
    @discardableResult
    public static func raiseDescriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Self.nofile, &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Self.nofile, &raised) == 0 { limit = raised }
        }
        return limit.rlim_cur >= rlim_t(Int32.max) ? Int(Int32.max) : Int(limit.rlim_cur)
    }

    #if canImport(Glibc)
    private static let nofile = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let nofile = RLIMIT_NOFILE
    #endif
}
