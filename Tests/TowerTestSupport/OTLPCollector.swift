import Foundation
import TowerCore

/// The stand-in OpenTelemetry collector (scripts/otlp-collector.py) as a child process: it decodes
/// OTLP/HTTP protobuf with the OpenTelemetry project's own classes (opentelemetry-proto from
/// PyPI, installed by scripts/bootstrap) and keeps every span it received as a JSON line.
public final class OTLPCollector: @unchecked Sendable {
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` for the process under test.
    public let endpoint: String
    let child: ChildProcess
    let file: URL

    /// The Python that has opentelemetry-proto: `TOWER_TEST_OTLP_PYTHON` (scripts/test sets it).
    public static var python: String? {
        ProcessInfo.processInfo.environment["TOWER_TEST_OTLP_PYTHON"].flatMap { FileManager.default.isExecutableFile(atPath: $0) ? $0 : nil }
    }

    public init() async throws {
        guard let python = Self.python else {
            throw CollectorError("TOWER_TEST_OTLP_PYTHON names no Python with opentelemetry-proto; scripts/bootstrap installs one and scripts/test sets it")
        }
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/otlp-collector.py")
        file = TemporaryDirectory.make("otlp").appendingPathComponent("spans.jsonl")
        child = try ChildProcess(URL(fileURLWithPath: python), [script.path, file.path])
        guard await child.waitForLines(timeout: 30, where: { $0.hasPrefix("listening ") }),
            let port = child.output.first(where: { $0.hasPrefix("listening ") })?.split(separator: " ").last
        else {
            child.kill()
            throw CollectorError("the collector did not start: \(child.errorOutput)")
        }
        endpoint = "http://127.0.0.1:\(port)"
    }

    /// Every span received so far, as the collector decoded it.
    public func spans() throws -> [JSONValue] {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { try JSONValue.parse(Data($0.utf8)) }
    }

    public func stop() { child.kill() }

    deinit { child.kill() }

    public struct CollectorError: Error, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }
}
