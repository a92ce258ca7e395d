import Foundation
import Logging
import OTel
import ServiceLifecycle
import Tracing
import TowerConfig

/// The OTLP/HTTP trace exporter of one process: bootstrapped only when a collector is configured
/// (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), so a Tower without one
/// keeps the no-op tracer and pays nothing for the spans in its code.
public final class TraceExport: Sendable {
    private let group: ServiceGroup
    private let running: Task<Void, Never>

    private init(group: ServiceGroup, running: Task<Void, Never>) {
        self.group = group
        self.running = running
    }

    /// The OTEL_* settings Tower reads (environment, `.env` or config file), put into the process
    /// environment where swift-otel reads the standard variables.
    static let settings = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_SERVICE_NAME"]

    /// Whether `configuration` names a collector, and tracing is not switched off by the
    /// standard `OTEL_SDK_DISABLED` or `OTEL_TRACES_EXPORTER=none`.
    public static func isConfigured(_ configuration: Configuration) -> Bool {
        let named = ["OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"].contains { !(configuration[$0] ?? "").isEmpty }
        let disabled = configuration["OTEL_SDK_DISABLED"]?.lowercased() == "true" || configuration["OTEL_TRACES_EXPORTER"]?.lowercased() == "none"
        return named && !disabled
    }

    /// Starts exporting this process's spans when a collector is configured; `nil` when not.
    /// Call once per process (the tracer is process-global). `diagnostics` receives the
    /// exporter's own warnings (a collector that does not answer), never a span.
    public static func start(_ configuration: Configuration, diagnostics: Logger) throws -> TraceExport? {
        guard isConfigured(configuration) else { return nil }
        for key in settings { if let value = configuration[key], !value.isEmpty { setenv(key, value, 1) } }
        var settings = OTel.Configuration.default
        settings.serviceName = configuration["OTEL_SERVICE_NAME"] ?? "tower"
        settings.logs.enabled = false
        settings.metrics.enabled = false
        settings.traces.otlpExporter.protocol = .httpProtobuf
        // The specification's 2,048 queued spans drop spans in a burst (1,000 tasks a second
        // end about 4,000 spans a second; measured with tower-bench workflow): four times that,
        // unless OTEL_BSP_MAX_QUEUE_SIZE says otherwise.
        settings.traces.batchSpanProcessor.maxQueueSize = 8192
        settings.diagnosticLogger = .custom(diagnostics)
        settings.diagnosticLogLevel = .warning
        let backend = try OTel.makeTracingBackend(configuration: settings)
        InstrumentationSystem.bootstrap(backend.factory)
        let group = ServiceGroup(configuration: .init(services: [backend.service], logger: diagnostics))
        let running = Task {
            do { try await group.run() } catch { diagnostics.warning("trace export stopped: \(error)") }
        }
        return TraceExport(group: group, running: running)
    }

    /// Exports the spans still queued, then stops: call before the process exits.
    public func shutdown() async {
        await group.triggerGracefulShutdown()
        await running.value
    }
}
