import Foundation
import Logging
import TowerConfig

/// How `serve` and `run` write their log: lines for people, or one JSON object per line for a
/// log pipeline (`--log-format json`, `TOWER_LOG_FORMAT=json`).
public enum LogFormat: String, Sendable, CaseIterable {
    case text, json
}

/// swift-log's handler for `--log-format json`: one JSON object per line, written whole with one
/// `write`, so lines from several tasks never interleave. Fields come in a fixed order (`time`,
/// `level`, `event`, then `task_id`, `ticket_id`, `step`, `trace_id`, `span_id`, then the rest
/// by name), and every configured secret's value is replaced in every string before it is written.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let sink: JSONLineSink

    /// Writes to `sink` (standard output by default), hiding `secrets`.
    public init(sink: JSONLineSink) { self.sink = sink }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        sink.write(JSONLine.render(time: Date(), level: event.level, event: "\(event.message)", metadata: merged, redact: sink.redact))
    }
}

/// Where JSON lines go, with the secrets they must never show.
public final class JSONLineSink: Sendable {
    let descriptor: Int32
    let secrets: [String]
    private let lock = NSLock()

    /// `descriptor`: 1 for standard output, 2 for standard error. `secrets`: values to hide
    /// (the configuration's secret settings), longest first so a secret containing another is
    /// hidden whole.
    public init(descriptor: Int32 = 1, secrets: [String]) {
        self.descriptor = descriptor
        self.secrets = secrets.filter { $0.count >= 4 }.sorted { $0.count > $1.count }
    }

    /// `text` with every secret replaced, and any password in a URL.
    public func redact(_ text: String) -> String {
        var text = Redaction.redactingURLCredentials(text)
        for secret in secrets where text.contains(secret) { text = text.replacingOccurrences(of: secret, with: "[redacted]") }
        return text
    }

    func write(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        lock.lock()
        defer { lock.unlock() }
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
            if written <= 0 { return }
            offset += written
        }
    }
}

/// One log event as a JSON object on one line.
public enum JSONLine {
    /// The fields that lead, in this order, after `time`, `level` and `event`.
    static let leading = ["task_id", "ticket_id", "step", "trace_id", "span_id"]

    public static func render(
        time: Date, level: Logger.Level, event: String, metadata: Logger.Metadata, redact: (String) -> String = { $0 }
    ) -> String {
        var out = "{\"time\":" + quote(timestamp(time)) + ",\"level\":" + quote(level.rawValue) + ",\"event\":" + quote(redact(event))
        let rest = metadata.keys.filter { !leading.contains($0) }.sorted()
        for key in leading.filter({ metadata[$0] != nil }) + rest {
            out += "," + quote(key) + ":" + value(metadata[key]!, redact)
        }
        return out + "}"
    }

    static func value(_ value: Logger.MetadataValue, _ redact: (String) -> String) -> String {
        switch value {
        case .string(let text): return quote(redact(text))
        case .stringConvertible(let convertible):
            switch convertible {
            case let number as Int: return String(number)
            case let number as Double where number.isFinite: return String(number)
            case let flag as Bool: return flag ? "true" : "false"
            default: return quote(redact(convertible.description))
            }
        case .array(let values): return "[" + values.map { Self.value($0, redact) }.joined(separator: ",") + "]"
        case .dictionary(let fields):
            return "{" + fields.keys.sorted().map { quote($0) + ":" + Self.value(fields[$0]!, redact) }.joined(separator: ",") + "}"
        }
    }

    /// A JSON string: quotes, backslashes and control characters escaped, the rest as is.
    static func quote(_ text: String) -> String {
        var out = "\""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// RFC 3339 in UTC with milliseconds: `2026-12-03T15:41:12.123Z`.
    static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        let millis = Int((date.timeIntervalSince1970 - Double(seconds)) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour),
            Int(parts.tm_min), Int(parts.tm_sec), millis)
    }
}
