/// The original's thresholds: how many events in 24 hours make an unresolved Sentry issue worth
/// a Jira bug, by level (fatal 1+, error 10+, warning 50+, info 100+). A level not in the table
/// (debug) is never ticketed. `TOWER_SENTRY_THRESHOLDS` changes them
/// (`fatal=1,error=25,warning=50,info=100`); levels it does not name keep the original's.
public struct SentryThresholds: Sendable, Equatable {
    /// The least number of events in 24 h that files a bug, by level.
    public var minimum: [String: Int]

    public init(minimum: [String: Int]) { self.minimum = minimum }

    /// The original's table: fatal 1+, error 10+, warning 50+, info 100+.
    public static let original = SentryThresholds(minimum: ["fatal": 1, "error": 10, "warning": 50, "info": 100])

    /// The thresholds a `level=count,…` setting gives, or why it cannot be read.
    public static func parse(_ setting: String?) throws -> SentryThresholds {
        var thresholds = original
        guard let setting, !setting.trimmingCharacters(in: .whitespaces).isEmpty else { return thresholds }
        for part in setting.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, !pair[0].isEmpty, let count = Int(pair[1]), count >= 1 else {
                throw SentryMonitorError.configuration("TOWER_SENTRY_THRESHOLDS: \"\(part)\" is not level=count with a count of 1 or more")
            }
            thresholds.minimum[pair[0].lowercased()] = count
        }
        return thresholds
    }

    /// Whether `events` in 24 h at `level` reach the threshold.
    public func files(level: String, events: Int) -> Bool {
        guard let least = minimum[level.lowercased()] else { return false }
        return events >= least
    }

    /// `fatal 1+, error 10+, …` for logs and the console.
    public var description: String {
        let order = ["fatal", "error", "warning", "info"]
        let known = order.compactMap { level in minimum[level].map { "\(level) \($0)+" } }
        let others = minimum.keys.filter { !order.contains($0) }.sorted().map { "\($0) \(minimum[$0]!)+" }
        return (known + others).joined(separator: ", ")
    }
}

/// Why a Sentry pass could not run at all.
public enum SentryMonitorError: Error, Equatable, CustomStringConvertible {
    case configuration(String)
    /// Another process runs a pass now.
    case busy(String)

    public var description: String {
        switch self {
        case .configuration(let why), .busy(let why): why
        }
    }
}
