import ArgumentParser
import Foundation
import Logging
import TowerConfig
import TowerEngine
import TowerTelemetry

extension LogFormat: ExpressibleByArgument {}

/// What a command that runs work sets up before its engine: the trace exporter (only when a
/// collector is configured) and the log format. ``around(_:)`` exports the spans still queued.
struct Observability {
    let traces: TraceExport?
    let format: LogFormat
    /// The JSON lines' writer, in `json` format.
    let sink: JSONLineSink?

    /// `option` is the command's `--log-format`; without it `TOWER_LOG_FORMAT` decides. A full-screen
    /// command (`console`) passes `screen`: nothing may be written to its terminal, so the
    /// exporter's own warnings are dropped and the format is text.
    static func start(_ config: Configuration, format option: LogFormat?, screen: Bool = false) throws -> Observability {
        let format = screen ? .text : option ?? LogFormat(rawValue: (config["TOWER_LOG_FORMAT"] ?? "text").lowercased()) ?? .text
        let sink = format == .json ? JSONLineSink(descriptor: 1, secrets: config.secretValues) : nil
        let diagnostics: Logger
        if screen {
            diagnostics = Logger(label: "tower.traces", factory: { _ in SwiftLogNoOpLogHandler() })
        } else if let sink {
            diagnostics = Logger(label: "tower.traces", factory: { _ in JSONLogHandler(sink: sink) })
        } else {
            diagnostics = Logger(label: "tower.traces", factory: { StreamLogHandler.standardError(label: $0) })
        }
        do {
            return Observability(traces: try TraceExport.start(config, diagnostics: diagnostics), format: format, sink: sink)
        } catch {
            // The exporter's words may quote a setting; OTEL_EXPORTER_OTLP_HEADERS holds keys.
            let why = config.secretValues.filter { $0.count >= 4 }.reduce(String(describing: error)) { $0.replacingOccurrences(of: $1, with: "[redacted]") }
            throw CLIError.failure("traces cannot be exported as OTEL_* says: \(why)")
        }
    }

    /// The engine's structured log, in `json` format.
    var engineLog: EngineLog? {
        sink.map { sink in EngineLog(Logger(label: "tower.engine", factory: { _ in JSONLogHandler(sink: sink) })) }
    }

    /// A message of the command itself (`listening on …`): a line for people in text, an event
    /// with the same words in JSON.
    func say(_ event: String, _ text: String, _ fields: Logger.Metadata = [:]) {
        guard let sink else {
            print(text)
            Format.flush()
            return
        }
        var metadata = fields
        metadata["message"] = .string(text)
        Logger(label: "tower", factory: { _ in JSONLogHandler(sink: sink) }).info(Logger.Message(stringLiteral: event), metadata: metadata)
    }

    /// Runs `body`, then exports what is queued and stops the exporter, however `body` ends.
    func around<T>(_ body: () async throws -> T) async throws -> T {
        do {
            let result = try await body()
            await traces?.shutdown()
            return result
        } catch {
            await traces?.shutdown()
            throw error
        }
    }
}
