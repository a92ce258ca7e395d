import Foundation
import TowerConfig
import TowerCore

/// The limits on model spending people set: per task and per UTC day, in US dollars.
public struct BudgetSettings: Sendable, Equatable {
    /// `TOWER_TASK_BUDGET`: what approving a plan grants, and the limit before approval.
    public var task: Double?
    /// `TOWER_DAILY_BUDGET`: all tasks' calls in one UTC day.
    public var daily: Double?

    /// What approving grants over the estimate when `TOWER_TASK_BUDGET` is not set: estimates
    /// are rough (attempts and CI fixes are guesses), and a budget that parks a task the plan
    /// costed fairly is noise.
    public static let margin = 1.5

    public init(task: Double? = nil, daily: Double? = nil) {
        self.task = task
        self.daily = daily
    }

    /// The settings as configured.
    public init(_ configuration: Configuration) {
        task = configuration["TOWER_TASK_BUDGET"].flatMap(Dollars.parse)
        daily = configuration["TOWER_DAILY_BUDGET"].flatMap(Dollars.parse)
    }

    /// The budget approving grants for an estimate: the configured one, else the estimate with
    /// the margin, rounded up to the cent; `nil` when neither is known.
    public func grant(forEstimate dollars: Double?) -> Double? {
        if let task { return task }
        return dollars.map { (($0 * Self.margin) * 100).rounded(.up) / 100 }
    }
}
