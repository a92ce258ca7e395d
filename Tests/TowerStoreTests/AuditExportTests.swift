import Foundation
import Testing

@testable import TowerStore

/// `tower audit`'s formats: JSON Lines any JSON parser reads, CSV a spreadsheet opens without
/// running a note as a formula, and `--since` as people write it.
@Suite struct AuditExportTests {
    let at = Date(timeIntervalSince1970: 1_796_000_000.25)

    func record(note: String?) -> AuditRecord {
        AuditRecord(
            sequence: 7, at: at, kind: .decision, action: "reject", taskId: "t-1", user: "U1", channel: "slack_command", note: note,
            planVersion: "9f8e7d", key: nil, detail: nil)
    }

    @Test func jsonLinesParseAndKeepEveryCharacterOfANote() throws {
        let note = "no \"quotes\", back\\slash, tab\t, newline\nand \u{2028} and \u{1}"
        let line = AuditExport.render([record(note: note)], as: .jsonl)
        #expect(line.hasSuffix("\n") && line.dropLast().contains("\n") == false)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["note"] as? String == note)
        #expect(object["seq"] as? Int == 7 && object["key"] is NSNull)
        #expect(object["at"] as? String == "2026-11-30T00:53:20.250Z")
        #expect(Array(object.keys).sorted() == AuditExport.columns.sorted())
    }

    @Test func csvQuotesWhatItMustAndDefusesFormulas() {
        #expect(AuditExport.csvField("plain") == "plain")
        #expect(AuditExport.csvField("a, b") == "\"a, b\"")
        #expect(AuditExport.csvField("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(AuditExport.csvField("two\nlines") == "\"two\nlines\"")
        // A note from chat that a spreadsheet would run.
        #expect(AuditExport.csvField("=HYPERLINK(\"http://evil\",\"x\")") == "\"'=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\"")
        #expect(AuditExport.csvField("+1") == "'+1" && AuditExport.csvField("-2") == "'-2" && AuditExport.csvField("@SUM(A1)") == "'@SUM(A1)")
        #expect(AuditExport.csvField(nil) == "")
        let csv = AuditExport.render([record(note: "=1+1")], as: .csv)
        #expect(csv == "seq,at,kind,action,task_id,user,channel,note,plan_version,key,detail\r\n7,2026-11-30T00:53:20.250Z,decision,reject,t-1,U1,slack_command,'=1+1,9f8e7d,,\r\n")
    }

    @Test func sinceTakesDurationsAndDates() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(AuditExport.since("90m", now: now) == now.addingTimeInterval(-5_400))
        #expect(AuditExport.since("12h", now: now) == now.addingTimeInterval(-43_200))
        #expect(AuditExport.since("30d", now: now) == now.addingTimeInterval(-2_592_000))
        #expect(AuditExport.since("2026-12-01", now: now) == Date(timeIntervalSince1970: 1_796_083_200))
        #expect(AuditExport.since("2026-12-01T08:00:00Z", now: now) == Date(timeIntervalSince1970: 1_796_112_000))
        #expect(AuditExport.since("yesterday", now: now) == nil)
        #expect(AuditExport.since("-5h", now: now) == nil)
    }
}
