import Foundation
import TowerCore
import TowerLLM
import TowerStore

/// What a task's model calls should cost once its plan is known, from the plan and the calls
/// made so far. Pure: the numbers and the one-line reckoning people approve.
public enum CostEstimator {
    /// Calls a plan task takes on average: one, and a second for the failures tests catch.
    public static let attemptsPerTask = 1.5
    /// The CI fix a pull request may need.
    public static let ciFixCalls = 1.0
    /// Tokens a call is assumed to take when no call was measured yet.
    static let defaultInput = 8_000.0
    static let defaultOutput = 1_500.0

    /// The estimate for `tasks` plan tasks, given the task's calls so far and the price of the
    /// model Execution asks (nil: unknown). Input per call is the measured average of the calls
    /// so far (Planning's prompt carries the ticket and the code, as Execution's do); output is
    /// at least `defaultOutput`. Prompt caching is not counted: it only lowers the cost.
    public static func estimate(tasks: Int, calls: [LLMCallRecord], model: String, price: PriceTable.Price?, settings: BudgetSettings) -> CostEstimate {
        let spent = calls.compactMap(\.cost).reduce(0, +)
        let unpriced = calls.contains { $0.cost == nil }
        let measured = calls.filter { $0.error == nil || $0.outputTokens > 0 }
        let input = measured.isEmpty ? defaultInput : Double(measured.map { $0.inputTokens + $0.cacheWriteTokens + $0.cacheReadTokens }.reduce(0, +)) / Double(measured.count)
        let output = max(defaultOutput, measured.isEmpty ? 0 : Double(measured.map(\.outputTokens).reduce(0, +)) / Double(measured.count))
        let count = Double(tasks) * attemptsPerTask + ciFixCalls
        let name = ModelChoice(model).model
        let shape = "\(tasks) plan task\(tasks == 1 ? "" : "s") × \(attemptsPerTask) attempts + \(Int(ciFixCalls)) CI fix ≈ \(count.formatted1) calls × ~\(Int(input).grouped) tokens in, ~\(Int(output).grouped) out"
        guard let price, !unpriced else {
            let why = price == nil ? "\(name) has no price in the table" : "earlier calls have no price"
            return CostEstimate(dollars: nil, basis: "\(shape); \(why)", grant: settings.task)
        }
        let perCall = (input * price.input + output * price.output) / 1_000_000
        let dollars = spent + count * perCall
        let basis = "\(Dollars.text(spent)) spent so far + \(shape) at \(name)'s $\(price.input.trimmed)/$\(price.output.trimmed) per M"
        return CostEstimate(dollars: dollars, basis: basis, grant: settings.grant(forEstimate: dollars))
    }
}

extension Double {
    /// `5.5`, `4` (one decimal, none when whole).
    fileprivate var formatted1: String { self == rounded() ? String(Int(self)) : String(format: "%.1f", self) }
    /// `3`, `0.8` (a price as its table writes it).
    fileprivate var trimmed: String { self == rounded() ? String(Int(self)) : String(format: "%g", self) }
}

extension Int {
    /// `12,400`.
    fileprivate var grouped: String {
        let digits = String(self)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }
}
