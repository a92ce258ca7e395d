import Tracing

/// Whether a span started here would belong to a trace: a tracer is bootstrapped and a span is
/// current (a task's step, a scheduled job). The spans of single operations (a service call, a
/// git command, a sandbox run, a model call) are only ever children: outside a task they would
/// each be a trace of their own, noise for whoever reads the collector.
public enum TraceScope {
    public static var inTrace: Bool {
        guard !(InstrumentationSystem.tracer is NoOpTracer), let context = ServiceContext.current else { return false }
        var carrier: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &carrier, using: CarrierInjector())
        return carrier["traceparent"] != nil
    }

    struct CarrierInjector: Injector {
        func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
    }
}
