import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Why a request's body stopped being read: it took too long, or the listener is stopping.
/// The route that was reading it answers 408 or 503 (``Listener``).
public enum RequestCutOff: Error, Equatable, Sendable {
    /// The body did not arrive within the body timeout of its head (408).
    case bodyTimeout
    /// SIGTERM came while the body was arriving, and the shutdown timeout passed (503).
    case shuttingDown
}

/// Deadlines on one connection, after HTTP decoding: the request head within the head timeout of
/// connecting (or within the idle timeout of the previous answer), the whole body within the
/// body timeout of its head. A late head closes the connection; a late body is cut off with
/// ``RequestCutOff`` so the route answers it. An answer that says `Connection: close` closes
/// the connection once written, so a refused body is never drained. On shutdown a body still
/// arriving gets what is left of the shutdown timeout, then a 503.
final class RequestDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private enum Phase { case awaitingHead, readingBody, responding }

    private let limits: ListenerLimits
    private var phase = Phase.awaitingHead
    private var timer: Scheduled<Void>?
    private var started = false
    private var closeAfterAnswer = false
    private var shuttingDown = false
    /// When the body must have arrived (for shortening it at shutdown).
    private var bodyDeadline: NIODeadline?

    init(limits: ListenerLimits) { self.limits = limits }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { cancelTimer() }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        context.fireChannelInactive()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        schedule(context, in: limits.headTimeout) { handler, context in handler.headLate(context) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            phase = .readingBody
            let deadline = NIODeadline.now() + Self.amount(limits.bodyTimeout)
            bodyDeadline = deadline
            schedule(context, at: shuttingDown ? min(deadline, .now() + Self.amount(limits.shutdownTimeout)) : deadline) { handler, context in
                handler.bodyLate(context)
            }
        case .body:
            break
        case .end:
            phase = .responding
            bodyDeadline = nil
            cancelTimer()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let response):
            if response.headerFields[.connection]?.lowercased() == "close" { closeAfterAnswer = true }
            context.write(data, promise: promise)
        case .body:
            context.write(data, promise: promise)
        case .end:
            guard closeAfterAnswer || shuttingDown else {
                context.write(data, promise: promise)
                // The answer may come before the body ends (a 413 on its length): the body's
                // deadline still runs; otherwise the next request has the idle timeout.
                if phase == .responding {
                    phase = .awaitingHead
                    schedule(context, in: limits.idleTimeout) { handler, context in handler.headLate(context) }
                }
                return
            }
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.cascade(to: promise)
            context.writeAndFlush(data, promise: written)
            written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            shuttingDown = true
            if phase == .readingBody, let deadline = bodyDeadline {
                schedule(context, at: min(deadline, .now() + Self.amount(limits.shutdownTimeout))) { handler, context in handler.bodyLate(context) }
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func headLate(_ context: ChannelHandlerContext) {
        guard phase == .awaitingHead else { return }
        context.close(promise: nil)
    }

    /// The route reading the body gets the error and answers; if it has not within a second, the
    /// connection is closed anyway.
    private func bodyLate(_ context: ChannelHandlerContext) {
        guard phase == .readingBody else { return }
        phase = .responding
        closeAfterAnswer = true
        context.fireErrorCaught(shuttingDown ? RequestCutOff.shuttingDown : RequestCutOff.bodyTimeout)
        schedule(context, in: 1) { _, context in context.close(promise: nil) }
    }

    private func schedule(_ context: ChannelHandlerContext, in seconds: Double, _ action: @escaping (RequestDeadlineHandler, ChannelHandlerContext) -> Void) {
        schedule(context, at: .now() + Self.amount(seconds), action)
    }

    private func schedule(_ context: ChannelHandlerContext, at deadline: NIODeadline, _ action: @escaping (RequestDeadlineHandler, ChannelHandlerContext) -> Void) {
        cancelTimer()
        let loop = context.eventLoop.assumeIsolated()
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = loop.scheduleTask(deadline: deadline) {
            let (handler, context) = bound.value
            handler.timer = nil
            action(handler, context)
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }

    private static func amount(_ seconds: Double) -> TimeAmount {
        .nanoseconds(Int64(min(seconds, 1e9) * 1e9))
    }
}
