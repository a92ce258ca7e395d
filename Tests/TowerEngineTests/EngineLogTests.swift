import Foundation
import Logging
import Testing
import TowerCore
import TowerStore
@testable import TowerEngine

/// The engine's structured log as a handler receives it: the events the original names, each with
/// the task, its ticket, the step and the trace it belongs to.
@Suite struct EngineLogTests {
    /// Keeps every event logged through it.
    final class Captured: LogHandler, @unchecked Sendable {
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        private let lock = NSLock()
        private var kept: [(String, Logger.Metadata)] = []
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { lock.withLock { kept.append(("\(event.message)", event.metadata ?? [:])) } }
        var events: [(String, Logger.Metadata)] { lock.withLock { kept } }
    }

    func journal() -> (EngineLog, Captured) {
        let captured = Captured()
        return (EngineLog(Logger(label: "test", factory: { _ in captured })), captured)
    }

    @Test func aCompletedWorkflowSaysHowLongItTookWithItsTaskTicketAndTrace() throws {
        let (log, captured) = journal()
        var task = TowerTask.new(ticketId: "OPS-9", title: "t", description: "", source: .jira, now: Date(timeIntervalSince1970: 1_000))
        task.traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        task.status = .completed
        log.committed(from: .ciMonitoring, to: task, finished: .ciMonitoring, seconds: 2.5, now: Date(timeIntervalSince1970: 1_090))
        #expect(captured.events.map(\.0) == ["step_completed", "workflow_completed"])
        let (_, step) = captured.events[0]
        #expect(step["step"] == "ci_monitoring" && step["duration_seconds"]?.description == "2.5")
        let (_, done) = captured.events[1]
        #expect(done["task_id"]?.description == task.id && done["ticket_id"] == "OPS-9" && done["duration_seconds"]?.description == "90")
        #expect(done["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736" && done["span_id"] == "00f067aa0ba902b7")
    }

    @Test func theSweepSaysWhatItRemovedAndNothingWhenNothing() {
        let (log, captured) = journal()
        log.swept(SweepReport())
        #expect(captured.events.isEmpty)
        log.swept(SweepReport(tasks: 2, auditRows: 1))
        let (event, fields) = try! #require(captured.events.first)
        #expect(event == "sweep" && fields["tasks"]?.description == "2" && fields["audit_rows"]?.description == "1")
        #expect(fields["message"] == "swept 2 finished tasks, 1 audit row")
    }

    @Test func anUntracedTaskCarriesNoTraceIds() {
        let task = TowerTask.new(ticketId: nil, title: "t", description: "", source: .cli, now: Date())
        let metadata = EngineLog.context(task, step: .discovery)
        #expect(metadata["trace_id"] == nil && metadata["span_id"] == nil && metadata["ticket_id"] == nil && metadata["step"] == "discovery")
    }
}
