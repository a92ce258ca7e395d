import ArgumentParser
import Foundation
import TowerConfig
import TowerConsole
import TowerCore
import TowerEngine
import TowerStore
import TowerTerminal

/// `tower` (no arguments) or `tower console`: the full-screen console, with the engine embedded
/// unless another process runs it (then this one watches, and takes over if that one dies).
struct RunConsole: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console", abstract: "The full-screen console (the default command).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var who: AgentCommand.ActorOptions

    @Option(name: .long, help: "Colour theme: a name from themes/ (dark, light, high-contrast, mono).")
    var theme: String = "dark"

    @Flag(name: .long, help: "Only watch: run no engine in this process.")
    var noEngine = false

    @Flag(name: .long, help: "Do not ring the terminal bell when a task needs attention.")
    var noBell = false

    func run() async throws {
        try await reportingErrors {
            let env = ProcessInfo.processInfo.environment
            let config = try global.loadConfiguration()
            let store = try global.openStore()
            let engine: Engine? =
                noEngine
                ? nil
                : Engine(
                    store: store, workflow: WorkflowAssembly.workflow(configuration: config),
                    configuration: EngineConfiguration(
                        maxConcurrentTasks: config.integer("TOWER_MAX_CONCURRENT_TASKS", default: 4),
                        maxCIRetries: config.integer("TOWER_MAX_CI_RETRIES", default: 3)))
            let terminal: NcursesTerminal
            do {
                terminal = try NcursesTerminal(environment: env)
            } catch {
                throw CLIError.failure(String(describing: error))
            }
            let integrations = config.serviceReadiness().map { Health.Integration(name: $0.service, configured: $0.missing.isEmpty) }
            let runtime = ConsoleRuntime(
                store: store, engine: engine, terminal: terminal,
                themes: ThemeLibrary.standard(environment: env, executable: URL(fileURLWithPath: CommandLine.arguments[0])),
                options: ConsoleRuntime.Options(user: who.actor.user, themeName: theme, bell: !noBell),
                integrations: integrations, colorless: terminal.depth == .none)
            await runtime.run()
        }
    }
}
