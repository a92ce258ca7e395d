import Foundation

/// One LLM call an agent made, kept with its task: what was asked, what came back, what it
/// cost and how long it took. The console's LLM tab and a bug report read these.
public struct LLMCallRecord: Sendable, Equatable {
    public var id: Int64?
    public var taskId: String?
    public var step: String
    /// The structured shape asked for (`plan`, `discovery_keywords`, …) and the try (`repair`).
    public var purpose: String
    public var model: String
    public var system: String
    /// The messages sent, as the provider's JSON.
    public var prompt: String
    /// The answer: the tool call's input as JSON, or the text.
    public var answer: String
    /// Why the answer was refused (validation) or the call failed.
    public var error: String?
    public var inputTokens: Int
    public var outputTokens: Int
    /// Input written to and read from the prompt cache (apart from `inputTokens`).
    public var cacheWriteTokens: Int
    public var cacheReadTokens: Int
    /// US dollars, when the model's price is known.
    public var cost: Double?
    public var durationMs: Int
    public var at: Date
    /// Answered from a recording: `cost` is what the call would have cost live.
    public var replayed: Bool

    public init(
        id: Int64? = nil, taskId: String?, step: String, purpose: String, model: String, system: String, prompt: String, answer: String,
        error: String? = nil, inputTokens: Int, outputTokens: Int, cacheWriteTokens: Int = 0, cacheReadTokens: Int = 0, cost: Double?, durationMs: Int, at: Date, replayed: Bool = false
    ) {
        self.replayed = replayed
        self.cacheWriteTokens = cacheWriteTokens
        self.cacheReadTokens = cacheReadTokens
        self.id = id
        self.taskId = taskId
        self.step = step
        self.purpose = purpose
        self.model = model
        self.system = system
        self.prompt = prompt
        self.answer = answer
        self.error = error
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cost = cost
        self.durationMs = durationMs
        self.at = at
    }
}

/// What model calls cost, for a task or a day: the priced sum, and how many calls had no price
/// (a model missing from the price table), which are never counted as $0.
public struct Spend: Sendable, Equatable {
    public var dollars: Double
    public var calls: Int
    public var unpriced: Int
    /// Calls answered from recordings, whose dollars are what they would have cost.
    public var replayed: Int

    public init(dollars: Double = 0, calls: Int = 0, unpriced: Int = 0, replayed: Int = 0) {
        self.dollars = dollars
        self.calls = calls
        self.unpriced = unpriced
        self.replayed = replayed
    }

    /// `$0.0412 (12 calls)`, `$0.0412 + 2 unpriced (14 calls)`, `price unknown (3 calls)`,
    /// `$0.0412 if live (12 calls, replayed)`.
    public var summary: String {
        guard calls > 0 else { return "no model calls" }
        let replay = replayed == 0 ? "" : replayed == calls ? ", replayed" : ", \(replayed) replayed"
        let count = "(\(calls) call\(calls == 1 ? "" : "s")\(replay))"
        if unpriced == calls { return "price unknown \(count)" }
        return String(format: "$%.4f", dollars) + (replayed > 0 ? " if live" : "") + (unpriced > 0 ? " + \(unpriced) unpriced" : "") + " " + count
    }

    /// The columns a spend is summed into from `llm_calls` (`d`, `n`, `u`, `r`).
    static let sums = "COALESCE(SUM(cost), 0) AS d, COUNT(*) AS n, COALESCE(SUM(cost IS NULL), 0) AS u, COALESCE(SUM(replayed), 0) AS r"
}

extension Calendar {
    /// A day as keys name it (`2026-12-03`), in this calendar's time zone.
    public func dayKey(_ date: Date) -> String {
        let parts = dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// The Gregorian calendar in UTC: where a day's spend starts, on every host alike.
    public static var utc: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }
}
