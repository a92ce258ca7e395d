import Foundation
import GRDB

/// Dates as GRDB stores them, "yyyy-MM-dd HH:mm:ss.SSS" in UTC, written without GRDB's shared
/// `DateFormatter`: ICU formatting costs about ten microseconds a date behind one lock that the
/// writer and every reader share, and a task's step writes half a dozen dates. The text is the
/// same to the character (the tests compare the two over many dates), so stored rows, their
/// comparisons in SQL and GRDB's reading of them do not change.
extension Date {
    /// The date as its column stores it.
    var stored: String {
        // Milliseconds since 1970, rounded to the nearest, as GRDB's formatter writes them.
        let udate = ((timeIntervalSinceReferenceDate + 978_307_200.0) * 1000.0).rounded()
        guard udate.isFinite, udate >= 0, udate < 253_402_300_800_000 else {
            // Before 1970 or after 9999: GRDB's own formatting (never the engine's dates).
            return String.fromDatabaseValue(databaseValue) ?? ""
        }
        let ms = Int64(udate)
        let days = ms / 86_400_000
        var rest = ms % 86_400_000
        let (year, month, day) = Self.civil(fromDays: days)
        let hour = rest / 3_600_000
        rest %= 3_600_000
        let minute = rest / 60_000
        rest %= 60_000
        let second = rest / 1000
        let milli = rest % 1000
        return String(unsafeUninitializedCapacity: 23) { buffer in
            func put(_ value: Int64, _ width: Int, at offset: Int) {
                var value = value
                for i in stride(from: offset + width - 1, through: offset, by: -1) {
                    buffer[i] = UInt8(ascii: "0") + UInt8(value % 10)
                    value /= 10
                }
            }
            put(year, 4, at: 0)
            buffer[4] = UInt8(ascii: "-")
            put(month, 2, at: 5)
            buffer[7] = UInt8(ascii: "-")
            put(day, 2, at: 8)
            buffer[10] = UInt8(ascii: " ")
            put(hour, 2, at: 11)
            buffer[13] = UInt8(ascii: ":")
            put(minute, 2, at: 14)
            buffer[16] = UInt8(ascii: ":")
            put(second, 2, at: 17)
            buffer[19] = UInt8(ascii: ".")
            put(milli, 3, at: 20)
            return 23
        }
    }

    /// Year, month and day of a count of days since 1970-01-01 (proleptic Gregorian; H. Hinnant's
    /// `civil_from_days`, for days ≥ 0).
    private static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = z / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension Optional where Wrapped == Date {
    /// The date as its column stores it, or NULL.
    var stored: String? { map(\.stored) }
}
