import Foundation
import Testing

@testable import TowerConsole

/// The console's clock is arithmetic on the epoch (no ICU on the way to the first frame): it
/// must agree with the calendar on ordinary days, leap days, century years and before 1970.
@Suite struct ClockTests {
    @Test func timesAndDatesAgreeWithTheGregorianCalendarInUTC() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let samples: [TimeInterval] = [0, 59, 86_399, 86_400, 951_782_400, 951_868_799, 1_709_164_800, 4_107_542_399, -1, -86_401, -2_208_988_800, 1_796_040_000.75]
        for seconds in samples {
            let date = Date(timeIntervalSince1970: seconds)
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            func two(_ v: Int?) -> String { String(format: "%02d", v ?? -1) }
            #expect(Clock.time(date) == "\(two(c.hour)):\(two(c.minute)):\(two(c.second))", "\(seconds)")
            #expect(Clock.dateTime(date) == "\(c.year ?? 0)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute))", "\(seconds)")
        }
    }
}
