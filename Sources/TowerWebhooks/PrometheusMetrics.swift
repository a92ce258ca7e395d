import CoreMetrics
import Foundation

/// swift-metrics' backend for `GET /metrics`: every counter, gauge, recorder and timer the
/// process records, in Prometheus's text exposition format. Names keep Prometheus's
/// conventions (`_total` counters, `_seconds` histograms); timers become histograms over
/// fixed buckets from 5 ms to 30 minutes (steps run from milliseconds to CI's half hour).
public final class PrometheusMetrics: MetricsFactory, @unchecked Sendable {
    /// Histogram buckets, in seconds.
    public static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800]

    final class Series: CounterHandler, FloatingPointCounterHandler, MeterHandler, RecorderHandler, TimerHandler, @unchecked Sendable {
        enum Kind { case counter, gauge, histogram }
        let kind: Kind
        let name: String
        let labels: String
        private let lock = NSLock()
        private var value: Double = 0
        private var counts: [Int]
        private var sum: Double = 0
        private var count = 0

        init(kind: Kind, name: String, labels: String) {
            self.kind = kind
            self.name = name
            self.labels = labels
            self.counts = Array(repeating: 0, count: PrometheusMetrics.buckets.count)
        }

        func increment(by amount: Int64) { lock.withLock { value += Double(amount) } }
        func increment(by amount: Double) { lock.withLock { value += amount } }
        func decrement(by amount: Double) { lock.withLock { value -= amount } }
        func reset() { lock.withLock { value = 0 } }
        func set(_ new: Int64) { lock.withLock { value = Double(new) } }
        func set(_ new: Double) { lock.withLock { value = new } }
        func record(_ sample: Int64) { record(Double(sample)) }
        func record(_ sample: Double) {
            lock.withLock {
                guard kind == .histogram else {
                    value = sample
                    return
                }
                observe(sample)
            }
        }
        func recordNanoseconds(_ duration: Int64) { lock.withLock { observe(Double(duration) / 1e9) } }
        func preferDisplayUnit(_ unit: TimeUnit) {}

        private func observe(_ sample: Double) {
            for (index, bound) in PrometheusMetrics.buckets.enumerated() where sample <= bound { counts[index] += 1 }
            sum += sample
            count += 1
        }

        /// This series' lines.
        func render() -> [String] {
            lock.withLock {
                switch kind {
                case .counter, .gauge:
                    return ["\(name)\(labels.isEmpty ? "" : "{\(labels)}") \(PrometheusMetrics.format(value))"]
                case .histogram:
                    var lines: [String] = []
                    let prefix = labels.isEmpty ? "" : labels + ","
                    for (index, bound) in PrometheusMetrics.buckets.enumerated() {
                        lines.append("\(name)_bucket{\(prefix)le=\"\(PrometheusMetrics.format(bound))\"} \(counts[index])")
                    }
                    lines.append("\(name)_bucket{\(prefix)le=\"+Inf\"} \(count)")
                    lines.append("\(name)_sum\(labels.isEmpty ? "" : "{\(labels)}") \(PrometheusMetrics.format(sum))")
                    lines.append("\(name)_count\(labels.isEmpty ? "" : "{\(labels)}") \(count)")
                    return lines
                }
            }
        }
    }

    private let lock = NSLock()
    private var series: [String: Series] = [:]

    public init() {}

    private func series(_ kind: Series.Kind, _ label: String, _ dimensions: [(String, String)]) -> Series {
        let name = Self.name(label)
        let labels = dimensions.sorted { $0.0 < $1.0 }.map { "\(Self.name($0.0))=\"\(Self.escape($0.1))\"" }.joined(separator: ",")
        return lock.withLock {
            let key = "\(name){\(labels)}"
            if let existing = series[key] { return existing }
            let made = Series(kind: kind, name: name, labels: labels)
            series[key] = made
            return made
        }
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> CounterHandler { series(.counter, label, dimensions) }
    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> FloatingPointCounterHandler { series(.counter, label, dimensions) }
    public func makeMeter(label: String, dimensions: [(String, String)]) -> MeterHandler { series(.gauge, label, dimensions) }
    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> RecorderHandler {
        series(aggregate ? .histogram : .gauge, label, dimensions)
    }
    public func makeTimer(label: String, dimensions: [(String, String)]) -> TimerHandler { series(.histogram, label, dimensions) }
    public func destroyCounter(_ handler: CounterHandler) {}
    public func destroyMeter(_ handler: MeterHandler) {}
    public func destroyFloatingPointCounter(_ handler: FloatingPointCounterHandler) {}
    public func destroyRecorder(_ handler: RecorderHandler) {}
    public func destroyTimer(_ handler: TimerHandler) {}

    /// Every series in the text format, `# TYPE` once per name, sorted for stable output.
    public func render() -> String {
        let all = lock.withLock { Array(series.values) }.sorted { ($0.name, $0.labels) < ($1.name, $1.labels) }
        var lines: [String] = []
        var typed: Set<String> = []
        for one in all {
            if typed.insert(one.name).inserted {
                lines.append("# TYPE \(one.name) \(one.kind == .counter ? "counter" : one.kind == .gauge ? "gauge" : "histogram")")
            }
            lines += one.render()
        }
        return lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
    }

    /// A metric or label name as Prometheus allows: `[a-zA-Z_:][a-zA-Z0-9_:]*`.
    static func name(_ text: String) -> String {
        var out = String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") ? $0 : "_" })
        if let first = out.first, first.isNumber { out = "_" + out }
        return out.isEmpty ? "_" : out
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        return value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
