import ArgumentParser
import Foundation
import TowerAgents
import TowerCore
import TowerEngine

extension AgentCommand {
    /// `tower agent budget ID +5`, `… ID stop`, `… today +20`: the answer to a task waiting for
    /// model budget, from any shell on the store's host.
    struct Budget: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Grant a task more model budget (it resumes where it stopped), stop it, or add to today's limit.",
            discussion: "tower agent budget t-1a2b +5 · tower agent budget t-1a2b stop · tower agent budget today +20")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var who: ActorOptions
        @Argument(help: "Task id, or `today` for the daily limit on all tasks.") var id: String
        @Argument(help: "+DOLLARS to grant, or `stop`.") var change: String

        func run() async throws {
            try await reportingErrors {
                let commands = OperatorCommands(store: try await global.openStore())
                if change.lowercased() == "stop" {
                    let task = try await commands.stopAtBudget(id, by: who.actor)
                    print("⏹ Task \(task.id) stopped at its budget (failed at \(task.failedStep?.rawValue ?? "its step"); retry resumes it)")
                    return
                }
                guard let amount = Dollars.parse(change) else { throw ValidationError("“\(change)” is not an amount: write +5, 2.50 or $10, or stop") }
                if id.lowercased() == "today" {
                    let (extra, woken) = try await commands.grantDailyBudget(amount: amount, by: who.actor)
                    print("💰 Today's model budget +\(Dollars.text(amount)) (+\(Dollars.text(extra)) today in all)" + (woken.isEmpty ? "" : "; \(woken.count) waiting task\(woken.count == 1 ? "" : "s") run on"))
                    return
                }
                let settings = BudgetSettings(try global.loadConfiguration())
                let task = try await commands.grantBudget(id, amount: amount, base: settings.task, by: who.actor)
                print("💰 Task \(task.id): model budget \(Dollars.text(task.budget ?? amount))" + (task.status.waitsForPerson ? "" : "; \(task.status.rawValue)"))
            }
        }
    }
}
