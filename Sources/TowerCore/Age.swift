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
}
