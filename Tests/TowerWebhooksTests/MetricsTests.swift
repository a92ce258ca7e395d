import CoreMetrics
import Foundation
import Testing

@testable import TowerWebhooks

@Suite struct MetricsTests {
    @Test func countersGaugesAndHistogramsInPrometheusTextFormat() {
        let registry = PrometheusMetrics()
        registry.makeCounter(label: "tower_webhook_deliveries_total", dimensions: [("source", "github"), ("outcome", "accepted")]).increment(by: 3)
        registry.makeCounter(label: "tower_webhook_deliveries_total", dimensions: [("outcome", "accepted"), ("source", "github")]).increment(by: 1)
        registry.makeMeter(label: "odd name-with.dots", dimensions: [("k", "a \"quoted\"\nvalue")]).set(2.5)
        let timer = registry.makeTimer(label: "tower_step_duration_seconds", dimensions: [("step", "discovery")])
        timer.recordNanoseconds(3_000_000)  // 3 ms
        timer.recordNanoseconds(2_000_000_000)  // 2 s
        let text = registry.render()
        #expect(text.contains("# TYPE tower_webhook_deliveries_total counter\ntower_webhook_deliveries_total{outcome=\"accepted\",source=\"github\"} 4\n"))
        #expect(text.contains("# TYPE odd_name_with_dots gauge\nodd_name_with_dots{k=\"a \\\"quoted\\\"\\nvalue\"} 2.5\n"))
        #expect(text.contains("tower_step_duration_seconds_bucket{step=\"discovery\",le=\"0.005\"} 1\n"))
        #expect(text.contains("tower_step_duration_seconds_bucket{step=\"discovery\",le=\"1\"} 1\n"))
        #expect(text.contains("tower_step_duration_seconds_bucket{step=\"discovery\",le=\"2.5\"} 2\n"))
        #expect(text.contains("tower_step_duration_seconds_bucket{step=\"discovery\",le=\"+Inf\"} 2\n"))
        #expect(text.contains("tower_step_duration_seconds_sum{step=\"discovery\"} 2.003\n"))
        #expect(text.contains("tower_step_duration_seconds_count{step=\"discovery\"} 2\n"))
    }
}
