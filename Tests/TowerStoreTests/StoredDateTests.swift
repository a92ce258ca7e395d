import Foundation
import GRDB
import Testing

@testable import TowerStore

/// The store writes dates itself, faster than GRDB's `DateFormatter`; the text must be GRDB's to
/// the character, or rows written before and after would compare wrongly in SQL.
@Suite struct StoredDateTests {
    @Test func theTextIsGRDBsForEveryDate() async {
        var generator = SystemRandomNumberGenerator()
        var dates: [Date] = [
            Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 0.0009), Date(timeIntervalSince1970: 0.001),
            Date(timeIntervalSince1970: 951_782_400),  // 2000-02-29, a leap day of a century
            Date(timeIntervalSince1970: 4_107_542_399.999),  // 2100-02-28 23:59:59.999, no leap day
            Date(timeIntervalSince1970: 253_402_300_799.999),  // the last millisecond of 9999
            Date(timeIntervalSince1970: -1.5), Date(timeIntervalSince1970: -86_400 * 365 * 100),  // before 1970
            Date(timeIntervalSince1970: 1_234.4999999), Date(timeIntervalSince1970: 1_700_000_000.9995),
            Date.distantFuture, Date.distantPast, Date(),
        ]
        for _ in 0..<25_000 {
            // Anywhere from 1970 to 2200, with sub-millisecond fractions that round either way.
            dates.append(Date(timeIntervalSince1970: Double.random(in: 0..<7_258_118_400, using: &generator)))
        }
        for _ in 0..<5_000 {
            // Exact milliseconds, as dates read back from the store are.
            dates.append(Date(timeIntervalSince1970: Double(Int64.random(in: 0..<7_258_118_400_000, using: &generator)) / 1000))
        }
        var mismatches: [String] = []
        // GRDB formats through ICU, slowly in a debug build: the loop yields now and then, so that
        // it does not hold a thread of the test process's small pool from the other tests.
        for (i, date) in dates.enumerated() {
            if i % 500 == 0 { await Task.yield() }
            let grdb = String.fromDatabaseValue(date.databaseValue)
            if date.stored != grdb { mismatches.append("\(date.timeIntervalSince1970): \(date.stored) ≠ \(grdb ?? "nil")") }
        }
        #expect(mismatches.count == 0, "e.g. \(mismatches.prefix(5))")
    }

    @Test func aStoredDateReadsBackAsGRDBReadsItsOwn() throws {
        let queue = try DatabaseQueue()
        for seconds in [0, 1_700_000_000.123, 1_700_000_000.9999, 4_102_444_800.5] {
            let date = Date(timeIntervalSince1970: seconds)
            let (mine, theirs) = try queue.read { db in
                (try Date.fetchOne(db, sql: "SELECT ?", arguments: [date.stored]), try Date.fetchOne(db, sql: "SELECT ?", arguments: [date]))
            }
            #expect(mine == theirs)
        }
    }
}
