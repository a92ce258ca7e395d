import ArgumentParser
import Foundation
import TowerStore

/// `tower store migrate`: brings the store's schema up to date before workers start, from any
/// host. On PostgreSQL several hosts may run it at once (an advisory lock lets one migrate and
/// the others find nothing to do); on SQLite opening the file migrates it.
struct StoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "The store's schema.", subcommands: [Migrate.self])

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply the schema migrations the store lacks (PostgreSQL: safe from several hosts at once).")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await reportingErrors {
                let configuration = try global.loadConfiguration()
                if let url = configuration["TOWER_STORE_URL"], !url.isEmpty {
                    let location = try PostgresLocation(url: url)
                    do {
                        let applied = try await PostgresStore.migrate(url: url)
                        print(applied.isEmpty ? "store \(location): the schema is current" : "store \(location): applied \(applied.joined(separator: ", "))")
                    } catch {
                        throw CLIError.failure(String(describing: error))
                    }
                    return
                }
                let store = try await global.openStore()
                let path = (store as? SQLiteStore)?.path ?? "the state directory"
                print("store \(path): the schema is current (SQLite migrates when it is opened)")
            }
        }
    }
}
