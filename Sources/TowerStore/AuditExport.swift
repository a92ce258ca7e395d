import Foundation

/// The audit trail as `tower audit` exports it: JSON Lines for tools, CSV for a spreadsheet (with
/// formula-looking cells defused, since notes come from chat), or a table to read.
public enum AuditExport {
    /// One of `jsonl`, `csv`, `text`.
    public enum Format: String, CaseIterable, Sendable {
        case jsonl, csv, text
    }

    /// The columns, in order, as both JSON keys and the CSV header.
    public static let columns = ["seq", "at", "kind", "action", "task_id", "user", "channel", "note", "plan_version", "key", "detail"]

    /// The records in `format`, one per line, oldest first.
    public static func render(_ records: [AuditRecord], as format: Format) -> String {
        switch format {
        case .jsonl:
            return records.map(jsonLine).map { $0 + "\n" }.joined()
        case .csv:
            let rows = [columns.joined(separator: ",")] + records.map { fields($0).map { csvField($0) }.joined(separator: ",") }
            return rows.map { $0 + "\r\n" }.joined()
        case .text:
            guard !records.isEmpty else { return "No audit records.\n" }
            return records.map { record in
                let who = "\(record.user) via \(record.channel)"
                let task = record.taskId.map { " \($0)" } ?? ""
                let extra = [record.note.map { "\"\($0)\"" }, record.planVersion.map { "plan \($0)" }, record.key.map { "key \($0)" }, record.detail]
                    .compactMap { $0 }.joined(separator: "; ")
                return "\(timestamp(record.at))  \(record.action)\(task)  \(who)\(extra.isEmpty ? "" : "  \(extra)")\n"
            }.joined()
        }
    }

    /// Where `--since` starts: `90m`, `12h`, `30d` before `now`, or an ISO 8601 date or time.
    public static func since(_ text: String, now: Date) -> Date? {
        if let seconds = duration(text) { return now.addingTimeInterval(-seconds) }
        let full = ISO8601DateFormatter()
        if let date = full.date(from: text) { return date }
        full.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = full.date(from: text) { return date }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        return day.date(from: text)
    }

    /// `90m`, `12h`, `30d` in seconds; nil for anything else.
    public static func duration(_ text: String) -> TimeInterval? {
        guard let unit = text.last, let amount = Double(text.dropLast()), amount >= 0, amount.isFinite else { return nil }
        switch unit {
        case "m": return amount * 60
        case "h": return amount * 3_600
        case "d": return amount * 86_400
        default: return nil
        }
    }

    static func fields(_ r: AuditRecord) -> [String?] {
        [r.sequence.map(String.init), timestamp(r.at), r.kind.rawValue, r.action, r.taskId, r.user, r.channel, r.note, r.planVersion, r.key, r.detail]
    }

    static func jsonLine(_ record: AuditRecord) -> String {
        let values = fields(record)
        let members = zip(columns, values).map { key, value -> String in
            guard let value else { return "\"\(key)\":null" }
            return key == "seq" ? "\"\(key)\":\(value)" : "\"\(key)\":\(jsonString(value))"
        }
        return "{" + members.joined(separator: ",") + "}"
    }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20 || c.value == 0x2028 || c.value == 0x2029: out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// RFC 4180 quoting; a cell a spreadsheet would run as a formula starts with `'`.
    static func csvField(_ value: String?) -> String {
        guard var value else { return "" }
        if let first = value.first, "=+-@\t\r".contains(first) { value = "'" + value }
        // By scalar: in a String, "\r\n" is one Character, and "\n" alone would not be found in it.
        guard value.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// UTC, to the millisecond.
    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }
}
