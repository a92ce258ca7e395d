import Foundation
import TowerCore

/// Agent log lines: time, level, agent and message, coloured by level, search matches marked.
enum LogWidget {
    static func line(_ event: TaskEvent, timestamps: Bool, search: String?) -> StyledLine {
        var spans: StyledLine = []
        if timestamps { spans.append(Span(Clock.time(event.at) + " ", Style(.muted))) }
        let level = event.level
        let label = ["debug": "DEBUG", "info": "INFO", "warning": "WARN", "error": "ERROR"][level.rawValue] ?? level.rawValue.uppercased()
        spans.append(Span(DisplayWidth.pad(label, to: 5) + " ", Style(.log(level.rawValue), bold: level >= .warning)))
        spans.append(Span(event.agent + ": ", Style(.muted)))
        spans += highlight(event.message, search, base: Style(level == .error ? .logError : .text))
        return spans
    }

    static func highlight(_ text: String, _ query: String?, base: Style) -> StyledLine {
        guard let query, !query.isEmpty else { return [Span(text, base)] }
        let sensitive = query.contains { $0.isUppercase }
        let haystack = sensitive ? text : text.lowercased()
        let needle = sensitive ? query : query.lowercased()
        var spans: StyledLine = []
        var index = haystack.startIndex
        while let range = haystack.range(of: needle, range: index..<haystack.endIndex) {
            if range.lowerBound > index { spans.append(Span(String(text[index..<range.lowerBound]), base)) }
            spans.append(Span(String(text[range]), Style(.searchMatch, reverse: true)))
            index = range.upperBound
        }
        if index < text.endIndex { spans.append(Span(String(text[index...]), base)) }
        return spans
    }
}

/// Times and ages as the console shows them (UTC, so every operator sees the same clock).
/// Plain arithmetic on the epoch: no calendar, time zone or format string, whose first use
/// loads ICU's data and code on the way to the first frame.
enum Clock {
    static func time(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let day = seconds - 86_400 * floorDivide(seconds, 86_400)
        return "\(two(day / 3600)):\(two(day / 60 % 60)):\(two(day % 60))"
    }

    static func dateTime(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let days = floorDivide(seconds, 86_400)
        let day = seconds - 86_400 * days
        let (year, month, dayOfMonth) = civil(days)
        return "\(year)-\(two(month))-\(two(dayOfMonth)) \(two(day / 3600)):\(two(day / 60 % 60))"
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    private static func floorDivide(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }

    /// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's
    /// `civil_from_days`).
    static func civil(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
