import ArgumentParser
import Foundation
import TowerCore
import TowerEngine
import TowerStore

extension AgentCommand {
    /// `tower agent pause TARGET`: a task or a repository stops before its next outside effect,
    /// beside the global freeze. Without a target, the pauses in force.
    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pause a task (t-…) or a repository (owner/name) before its next outside effect; alone, list the pauses.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var who: ActorOptions
        @Argument(help: "A task id or owner/name.") var target: String?

        func run() async throws {
            try await reportingErrors {
                let commands = OperatorCommands(store: try await global.openStore())
                guard let target else {
                    let halts = try await commands.halts()
                    print(halts.isEmpty ? "Nothing is paused." : halts.map { Format.halt($0, now: Date()) }.joined(separator: "\n"))
                    return
                }
                do {
                    let halt = try await commands.pause(target, by: who.actor)
                    print("⏸ paused \(halt.scope == .task ? "task " : "")\(halt.name) (by \(halt.by) via \(halt.channel)): it stops before its next outside effect")
                } catch let error as HaltTargetError {
                    throw ValidationError(error.description)
                }
            }
        }
    }

    /// `tower agent resume TARGET`: the pause comes off and the tasks it held go on where they stopped.
    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let a paused task or repository go on where it stopped.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var who: ActorOptions
        @Argument(help: "A task id or owner/name.") var target: String

        func run() async throws {
            try await reportingErrors {
                do {
                    let outcome = try await OperatorCommands(store: try await global.openStore()).resume(target, by: who.actor)
                    if outcome.removed.isEmpty {
                        print("\(target) was not paused")
                    } else {
                        print("▶ resumed \(target) (by \(who.actor.user))" + (outcome.tasks.isEmpty ? "" : ": \(outcome.tasks.joined(separator: ", ")) go on"))
                    }
                } catch let error as HaltTargetError {
                    throw ValidationError(error.description)
                }
            }
        }
    }
}
