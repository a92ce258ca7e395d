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
enum Clock {
    private static let calendar: Calendar = {
        var c = Calendar(identifier: .gregorian)
        c.timeZone = TimeZone(identifier: "UTC")!
        return c
    }()

    static func time(_ date: Date) -> String {
        let c = calendar.dateComponents([.hour, .minute, .second], from: date)
        return String(format: "%02d:%02d:%02d", c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }

    static func dateTime(_ date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }
}
