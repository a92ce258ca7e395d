import Foundation

/// What a task's model calls should cost, estimated when its plan is made, and the budget that
/// approving the plan grants. People approve the cost with the plan, so the budget is theirs.
public struct CostEstimate: Codable, Sendable, Equatable {
    /// US dollars for the whole task, spent so far included; `nil` when a model's price is unknown.
    public var dollars: Double?
    /// How it was reckoned, in one line ("3 plan tasks × 1.5 attempts × ~9,800 tokens in …").
    public var basis: String
    /// The budget approving grants: `TOWER_TASK_BUDGET` when set, else the estimate with its
    /// margin; `nil` when neither is known (then only the daily limit applies).
    public var grant: Double?

    public init(dollars: Double?, basis: String, grant: Double?) {
        self.dollars = dollars
        self.basis = basis
        self.grant = grant
    }

    /// "Estimated model cost $0.09 (…); approving grants a budget of $0.14."
    public var summary: String {
        let cost = dollars.map { "Estimated model cost \(Dollars.text($0)) (\(basis))" } ?? "Model cost cannot be estimated (\(basis))"
        return cost + (grant.map { "; approving grants a budget of \(Dollars.text($0))." } ?? "; no task budget applies.")
    }
}

/// Dollar amounts as people read them: cents for dollars, four places for fractions of a cent.
public enum Dollars {
    public static func text(_ amount: Double) -> String {
        String(format: amount >= 1 ? "$%.2f" : "$%.4f", amount)
    }

    /// `+5`, `5`, `$5`, `+$2.50` as dollars; nil for anything else, zero or negative.
    public static func parse(_ text: String) -> Double? {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        if rest.hasPrefix("+") { rest = rest.dropFirst() }
        if rest.hasPrefix("$") { rest = rest.dropFirst() }
        guard let value = Double(rest), value.isFinite, value > 0, value < 1_000_000 else { return nil }
        return value
    }
}

/// A model call that would pass the task's granted budget: the step stops before it, and the
/// engine parks the task at `awaiting_budget` with the step kept. Not a failure.
public struct BudgetExceeded: Error, Equatable, Sendable, CustomStringConvertible {
    /// What the task's calls cost so far, what the next is expected to cost, and the budget.
    public var spent: Double
    public var next: Double
    public var budget: Double

    public init(spent: Double, next: Double, budget: Double) {
        self.spent = spent
        self.next = next
        self.budget = budget
    }

    public var description: String {
        "the next model call (≈\(Dollars.text(next))) would pass the task's budget: \(Dollars.text(spent)) of \(Dollars.text(budget)) spent"
    }
}

/// What a "grant more" button, key or notice offers by default.
public enum BudgetDefaults {
    /// Half the budget, in whole dollars, at least one.
    public static func grant(budget: Double?) -> Double {
        max(1, ((budget ?? 0) * 0.5).rounded(.up))
    }
}

/// The limit on all tasks' model calls in one UTC day (`TOWER_DAILY_BUDGET`): reaching it parks
/// each task before its next call until the next day, or until a person adds to the day's limit.
public enum DailyBudget {
    /// How a parked task's wait begins, so that a grant for the day finds the tasks to wake.
    public static let waitingFor = "the daily model budget"
}
