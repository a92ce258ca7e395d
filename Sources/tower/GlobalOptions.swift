import ArgumentParser
import Foundation
import TowerConfig
import TowerCore
import TowerEngine
import TowerStore

/// Options every command takes: where the state and the configuration are.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "State directory (default: $TOWER_HOME, else ~/.local/state/tower).")
    var stateDir: String?

    @Option(name: .long, help: "Config file (default: $TOWER_CONFIG, else ~/.config/tower/config.toml).")
    var config: String?

    @Option(name: .long, help: "A .env file (default: ./.env).")
    var envFile: String?

    /// The effective configuration, or a clean exit naming the file that is wrong.
    func loadConfiguration() throws -> Configuration {
        do {
            return try Configuration.load(environment: ProcessInfo.processInfo.environment, dotEnvPath: envFile, configPath: config)
        } catch {
            throw CLIError.failure(String(describing: error))
        }
    }

    /// The configuration for a command that runs work (`serve`, `run`, the console, the demo):
    /// a typed setting with a bad value stops it here, named, instead of becoming a default.
    func loadValidConfiguration() throws -> Configuration {
        let configuration = try loadConfiguration()
        if let message = configuration.invalidSettingsMessage { throw CLIError.failure(message + "; tower config shows every setting") }
        return configuration
    }

    /// The store, or a clean exit saying why it cannot be opened: PostgreSQL when
    /// `TOWER_STORE_URL` names one, else the SQLite file in the state directory.
    func openStore() async throws -> any Store {
        let configuration = try loadConfiguration()
        do {
            if let url = configuration["TOWER_STORE_URL"], !url.isEmpty {
                guard PostgresLocation.isPostgres(url) else {
                    throw CLIError.failure("TOWER_STORE_URL must be a postgres:// URL (\(PostgresLocation.redacted(url))); unset it to use SQLite")
                }
                return try await PostgresStore.open(url: url)
            }
            let directory = StateDirectory.resolve(explicit: stateDir, configuration: configuration, environment: ProcessInfo.processInfo.environment)
            return try SQLiteStore(directory: directory.url)
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError.failure(String(describing: error))
        }
    }
}

/// A failure with a message for the operator and an exit status.
enum CLIError: Error, CustomStringConvertible {
    /// Exit 1: the command could not be done.
    case failure(String)
    /// Exit 3: a decision was already taken by someone else.
    case alreadyDecided(String)

    var description: String {
        switch self {
        case .failure(let message), .alreadyDecided(let message): message
        }
    }

    var exitCode: Int32 {
        switch self {
        case .failure: 1
        case .alreadyDecided: 3
        }
    }
}

extension AsyncParsableCommand {
    /// Runs `body`, turning store and CLI errors into a message on stderr and an exit status.
    func reportingErrors(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as CLIError {
            FileHandle.standardError.write(Data("tower: \(error.description)\n".utf8))
            throw ExitCode(error.exitCode)
        } catch let error as StoreError {
            FileHandle.standardError.write(Data("tower: \(error.description)\n".utf8))
            throw ExitCode(1)
        }
    }
}
