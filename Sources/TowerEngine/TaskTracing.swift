import Foundation
import TowerCore
import Tracing

/// A task's trace across steps, processes and crashes. The engine that begins a task's first step
/// starts its root span and stores the root's W3C `traceparent` with the task; every step after,
/// in whichever process runs it, is a child of that root. With no tracer bootstrapped (no
/// collector configured) every function here returns at its first line.
public enum TaskTracing {
    /// Whether spans go anywhere: a tracer other than the no-op one is bootstrapped.
    public static var isTracing: Bool { !(InstrumentationSystem.tracer is NoOpTracer) }

    /// A context whose current span is the one `traceParent` names, for starting its children.
    public static func context(traceParent: String?) -> ServiceContext {
        var context = ServiceContext.topLevel
        guard let traceParent else { return context }
        InstrumentationSystem.instrument.extract(["traceparent": traceParent], into: &context, using: HeaderExtractor())
        return context
    }

    /// The `traceparent` naming the span current in `context`, or `nil` when nothing is traced.
    public static func traceParent(of context: ServiceContext) -> String? {
        var carrier: [String: String] = [:]
        InstrumentationSystem.instrument.inject(context, into: &carrier, using: HeaderInjector())
        return carrier["traceparent"]
    }

    /// Starts and ends the task's root span, which covers its wait from creation to its first
    /// step, links to the webhook that started it, and returns the root's `traceparent` to store.
    static func root(for task: TowerTask, now: Date) -> String? {
        guard isTracing else { return nil }
        let span = startSpan("tower.task", at: DateInstant(task.createdAt), context: .topLevel, ofKind: .internal)
        span.attributes["tower.task.id"] = task.id
        if let ticket = task.ticketId { span.attributes["tower.ticket.id"] = ticket }
        span.attributes["tower.task.source"] = task.source.rawValue
        if let origin = task.originTraceParent, TraceParent.isValid(origin) {
            span.addLink(SpanLink(context: context(traceParent: origin), attributes: ["tower.link": "webhook"]))
        }
        span.end(at: DateInstant(max(now, task.createdAt)))
        return traceParent(of: span.context)
    }

    /// Runs a step's attempt inside a span that is a child of the task's root: named by the step,
    /// marked when it resumes an attempt a stopped engine left, its outcome a status. An error
    /// is recorded by its type only: its text may quote a service's answer.
    static func step<T: Sendable>(
        _ task: TowerTask, step: StepKind, attempt: Int, resumedFrom: String?, _ body: () async throws -> T
    ) async throws -> T {
        guard isTracing, task.traceParent != nil else { return try await body() }
        let span = startSpan("step \(step.rawValue)", context: context(traceParent: task.traceParent), ofKind: .internal)
        span.attributes["tower.task.id"] = task.id
        if let ticket = task.ticketId { span.attributes["tower.ticket.id"] = ticket }
        span.attributes["tower.step"] = step.rawValue
        span.attributes["tower.step.attempt"] = attempt
        span.attributes["tower.step.cycle"] = task.cycle
        if resumedFrom != nil { span.attributes["tower.step.resumed"] = true }
        defer { span.end() }
        do {
            let result = try await ServiceContext.withValue(span.context) { try await body() }
            span.attributes["tower.step.outcome"] = "completed"
            return result
        } catch let later as ResumeLater {
            span.attributes["tower.step.outcome"] = "parked"
            throw later
        } catch {
            span.attributes["tower.step.outcome"] = Task.isCancelled ? "stopped" : "failed"
            span.attributes["error.type"] = String(describing: type(of: error))
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }
}

extension TaskTracing {
    /// Runs a scheduled job, as a trace of its own when it asks to be traced.
    static func job(_ job: any ScheduledJob) async throws {
        guard isTracing, job.traced else { return try await job.run() }
        let span = startSpan("job \(job.name)", context: .topLevel, ofKind: .internal)
        span.attributes["tower.job"] = job.name
        defer { span.end() }
        do {
            try await ServiceContext.withValue(span.context) { try await job.run() }
        } catch {
            span.attributes["error.type"] = String(describing: type(of: error))
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }
}

/// A `Date` as the tracing API's instant: a root span starts when its task was created.
struct DateInstant: TracerInstant {
    let nanosecondsSinceEpoch: UInt64

    init(_ date: Date) { nanosecondsSinceEpoch = UInt64(max(0, date.timeIntervalSince1970) * 1_000_000_000) }

    static func < (lhs: DateInstant, rhs: DateInstant) -> Bool { lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch }
}

/// Reads a header from a dictionary carrier (a stored `traceparent`).
struct HeaderExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
}

/// Writes a header into a dictionary carrier.
struct HeaderInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
}
