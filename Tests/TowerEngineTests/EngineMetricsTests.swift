import Testing
import TowerCore

@testable import TowerEngine

/// Which of the original's counters a committed change of status moves.
@Suite struct EngineMetricsTests {
    @Test func eachOfTheOriginalsCountersMovesOnItsTransitionOnly() {
        #expect(EngineMetrics.counters(from: .started, to: .discovery) == [EngineMetrics.started])
        #expect(EngineMetrics.counters(from: .ciMonitoring, to: .completed) == [EngineMetrics.completed])
        #expect(EngineMetrics.counters(from: .executing, to: .failed) == [EngineMetrics.failed])
        #expect(EngineMetrics.counters(from: .started, to: .failed) == [EngineMetrics.started, EngineMetrics.failed])
        // A retry resumes at the failed step's running status: not a new start.
        #expect(EngineMetrics.counters(from: .failed, to: .discovery).isEmpty)
        #expect(EngineMetrics.counters(from: .discovery, to: .discovery).isEmpty)
        #expect(EngineMetrics.counters(from: .planning, to: .awaitingApproval).isEmpty)
    }
}
