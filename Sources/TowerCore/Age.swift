import Foundation

/// How long ago, as the board and `tower agent list` show it: `42s`, `5m`, `3h`, `2d`.
public enum Age {
    public static func short(_ seconds: TimeInterval) -> String {
        let s = Int(max(0, seconds))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m" }
        if s < 86400 { return "\(s / 3600)h" }
        return "\(s / 86400)d"
    }

    /// A time of day as people read it in a log or on the board: `14:05 UTC`, with the date
    /// when it is not `now`'s day (UTC, as the log's times are).
    public static func clock(_ date: Date, now: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let time = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        let hhmm = String(format: "%02d:%02d UTC", time.hour ?? 0, time.minute ?? 0)
        guard !calendar.isDate(date, inSameDayAs: now) else { return hhmm }
        return String(format: "%04d-%02d-%02d ", time.year ?? 0, time.month ?? 0, time.day ?? 0) + hhmm
    }
}
