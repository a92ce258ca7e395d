import Foundation
import TowerCore
import TowerStore

/// The hand-off as lines, the same for the three places it is read: `tower digest` prints them,
/// the console's Digest screen draws them (headings styled), and the Slack post sends them as
/// mrkdwn.
public enum DigestText {
    /// One line of the hand-off: a section's heading, an entry, or the quiet note of an empty section.
    public struct Line: Sendable, Equatable {
        public enum Kind: Sendable, Equatable { case title, heading, entry, quiet }
        public var kind: Kind
        public var text: String
    }

    /// The hand-off's lines, times in UTC as the console shows them.
    public static func lines(_ digest: ShiftDigest, now: Date) -> [Line] {
        var out: [Line] = []
        func section(_ title: String, _ entries: [String], none: String) {
            out.append(Line(kind: .heading, text: "\(title) (\(entries.count))"))
            out += entries.isEmpty ? [Line(kind: .quiet, text: none)] : entries.map { Line(kind: .entry, text: $0) }
        }
        func ticket(_ task: TowerTask) -> String { "\(task.ticketId ?? task.id) \(task.title)" + (task.ticketId == nil ? "" : " (\(task.id))") }
        let hours = digest.until.timeIntervalSince(digest.since)
        out.append(
            Line(
                kind: .title,
                text: "Shift hand-off: \(stamp(digest.since)) – \(stamp(digest.until)) UTC (\(Age.short(hours))); model calls \(digest.cost.summary)"))
        section("Completed", digest.completed.map { "\(ticket($0.task)): \($0.detail)" }, none: "nothing completed")
        section(
            "Waiting for a person", digest.waiting.map { "\(ticket($0.task)): \($0.why), since \(stamp($0.since)) (\(Age.short(now.timeIntervalSince($0.since))))" },
            none: "nobody is waited for")
        section("Failed", digest.failed.map { "\(ticket($0.task)) \($0.detail)" }, none: "nothing failed")
        section("CI escalations", digest.escalations.map { "\(ticket($0.task)): \($0.detail)" }, none: "no escalation")
        section(
            "Sentry bugs filed", digest.sentryBugs.map { "\($0.ticketId ?? "?") \($0.level) \($0.project): \($0.title)" }, none: "no bug filed")
        section(
            "Decisions",
            digest.decisions.map { record in
                "\(stamp(record.at)) \(record.action) \(record.taskId ?? record.detail ?? "") by \(record.user) via \(record.channel)"
                    + (record.note.map { ": \($0)" } ?? "")
            }, none: "nobody decided anything")
        if !digest.halts.isEmpty {
            section("Paused now", digest.halts.map { "\($0.scope == .task ? "task" : "repository") \($0.name) by \($0.by) via \($0.channel) since \(stamp($0.at))" }, none: "")
        }
        return out
    }

    /// The lines as plain text (the CLI).
    public static func plain(_ digest: ShiftDigest, now: Date) -> String {
        lines(digest, now: now).map { line in
            switch line.kind {
            case .title, .heading: line.text
            case .entry: "  - " + line.text
            case .quiet: "  (" + line.text + ")"
            }
        }.joined(separator: "\n")
    }

    /// The lines as Slack mrkdwn (the scheduled post), longest sections cut so the message stays
    /// readable; the console and `tower digest` have the rest.
    public static func slack(_ digest: ShiftDigest, now: Date, perSection: Int = 15) -> String {
        var out: [String] = [], shown = 0, left = 0
        for line in lines(digest, now: now) {
            switch line.kind {
            case .title: out.append("*\(escape(line.text))*")
            case .heading:
                if left > 0 { out.append("… and \(left) more") }
                shown = 0
                left = 0
                out.append("*\(escape(line.text))*")
            case .entry:
                if shown < perSection {
                    out.append("• " + escape(line.text))
                    shown += 1
                } else {
                    left += 1
                }
            case .quiet: out.append("_\(escape(line.text))_")
            }
        }
        if left > 0 { out.append("… and \(left) more") }
        return out.joined(separator: "\n")
    }

    /// Slack's three control characters in text (its formatting docs: escape &, < and >).
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// `12-03 08:30`: a time in the hand-off.
    static func stamp(_ date: Date) -> String {
        let c = Calendar.utc.dateComponents([.month, .day, .hour, .minute], from: date)
        return String(format: "%02d-%02d %02d:%02d", c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }
}
