import CCurl
import Foundation
import HTTPTypes

/// HTTP over libcurl's multi interface, on one dedicated thread: many exchanges at once over
/// reused connections, TLS verified, the proxy variables jump hosts use (`HTTPS_PROXY`,
/// `NO_PROXY`) honoured by libcurl itself, bodies delivered as they arrive.
public final class CurlTransport: @unchecked Sendable {
    private let multi: UnsafeMutableRawPointer
    private let lock = NSLock()
    private var queued: [Transfer] = []
    private var cancelled: [Transfer] = []
    private var active: [UnsafeMutableRawPointer: Transfer] = [:]
    private var running = true
    private var thread: Thread?

    /// The process's transport: one curl thread and one connection cache serve every client.
    public static let shared = CurlTransport()

    /// Private: the curl thread lives as long as the process, so a transport is never released.
    private init() {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        multi = curl_multi_init()!
        let thread = Thread { [unowned self] in self.loop() }
        thread.name = "tower-curl"
        self.thread = thread
        thread.start()
    }

    /// Sends a request; returns the head once it arrives and the body as a stream of chunks.
    public func stream(_ request: HTTPClientRequest) async throws -> (HTTPClientHead, AsyncThrowingStream<Data, any Error>) {
        try await start(try Transfer(request))
    }

    /// Hands `transfer` to the curl thread; returns its head once it arrives and its body.
    func start(_ transfer: Transfer) async throws -> (HTTPClientHead, AsyncThrowingStream<Data, any Error>) {
        let (body, bodyContinuation) = AsyncThrowingStream<Data, any Error>.makeStream()
        // Set before the transfer can finish, so a finished stream reports `.finished`, and only
        // a caller that walks away from an unfinished body cancels the exchange.
        bodyContinuation.onTermination = { [weak self, weak transfer] reason in
            guard case .cancelled = reason, let self, let transfer else { return }
            self.cancel(transfer)
        }
        transfer.body = bodyContinuation
        return try await withTaskCancellationHandler {
            let head: HTTPClientHead = try await withCheckedThrowingContinuation { continuation in
                transfer.headContinuation = continuation
                lock.withLock { queued.append(transfer) }
                curl_multi_wakeup(multi)
            }
            return (head, body)
        } onCancel: {
            self.cancel(transfer)
        }
    }

    /// Sends a request and collects the whole body.
    public func send(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        let (head, body) = try await stream(request)
        var data = Data()
        for try await chunk in body { data.append(chunk) }
        return HTTPClientResponse(head: head, body: data)
    }

    /// Stops `transfer` if it is still under way; a finished one is left as it is.
    func cancel(_ transfer: Transfer) {
        lock.withLock {
            transfer.cancelRequested = true
            cancelled.append(transfer)
        }
        curl_multi_wakeup(multi)
    }

    // MARK: The curl thread

    private func loop() {
        var stillRunning: Int32 = 0
        while lock.withLock({ running }) {
            let (adding, removing) = lock.withLock { () -> ([Transfer], [Transfer]) in
                defer {
                    queued = []
                    cancelled = []
                }
                return (queued, cancelled)
            }
            for transfer in adding {
                // Cancelled before the curl thread saw it: answer without sending.
                guard !lock.withLock({ transfer.cancelRequested }) else {
                    transfer.finish(error: CancellationError())
                    continue
                }
                active[transfer.easy] = transfer
                curl_multi_add_handle(multi, transfer.easy)
            }
            // Only a transfer still under way is stopped. A handle's address names one transfer
            // for as long as that transfer lives, so a late cancellation of a finished one
            // cannot reach the exchange that came after it.
            for transfer in removing where active[transfer.easy] === transfer {
                curl_multi_remove_handle(multi, transfer.easy)
                active[transfer.easy] = nil
                transfer.finish(error: CancellationError())
            }
            curl_multi_perform(multi, &stillRunning)
            var remaining: Int32 = 0
            while let message = curl_multi_info_read(multi, &remaining) {
                guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle, let transfer = active[easy] else { continue }
                let result = tower_curl_message_result(message)
                curl_multi_remove_handle(multi, easy)
                active[easy] = nil
                transfer.complete(result)
            }
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
    }
}

/// One exchange: the easy handle, what goes out, and where what comes back goes. The handle
/// lives exactly as long as the transfer, so no other transfer can be given its address while
/// anything can still name this one.
final class Transfer: @unchecked Sendable {
    let easy: UnsafeMutableRawPointer
    /// Set under the transport's lock by a cancellation, read by the curl thread.
    var cancelRequested = false
    let request: HTTPClientRequest
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private let requestBody: Data?
    private var unmanaged: Unmanaged<Transfer>?
    var headContinuation: CheckedContinuation<HTTPClientHead, any Error>?
    var body: AsyncThrowingStream<Data, any Error>.Continuation?
    private var status = 0
    private var headers = HTTPFields()
    private var receivedBytes = 0
    private var overLimit = false
    private var finished = false

    init(_ request: HTTPClientRequest) throws {
        guard let scheme = request.url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw HTTPClientError.invalidRequest("only http and https URLs are supported")
        }
        guard let easy = curl_easy_init() else { throw HTTPClientError.invalidRequest("libcurl could not make a handle") }
        self.easy = easy
        self.request = request
        self.requestBody = request.body
        let me = Unmanaged.passRetained(self)
        unmanaged = me
        tower_curl_set_string(easy, CURLOPT_URL, request.url.absoluteString)
        tower_curl_set_long(easy, CURLOPT_NOSIGNAL, 1)
        tower_curl_set_long(easy, CURLOPT_FOLLOWLOCATION, 1)
        tower_curl_set_long(easy, CURLOPT_MAXREDIRS, 5)
        tower_curl_set_long(easy, CURLOPT_SSL_VERIFYPEER, 1)
        tower_curl_set_long(easy, CURLOPT_SSL_VERIFYHOST, 2)
        tower_curl_set_long(easy, CURLOPT_TIMEOUT_MS, max(1, Int(request.timeout * 1000)))
        tower_curl_set_long(easy, CURLOPT_CONNECTTIMEOUT_MS, max(1, Int(request.connectTimeout * 1000)))
        tower_curl_set_string(easy, CURLOPT_ACCEPT_ENCODING, "")
        tower_curl_set_string(easy, CURLOPT_USERAGENT, "tower/1")
        switch request.method {
        case .get: tower_curl_set_long(easy, CURLOPT_HTTPGET, 1)
        case .head: tower_curl_set_long(easy, CURLOPT_NOBODY, 1)
        default: tower_curl_set_string(easy, CURLOPT_CUSTOMREQUEST, request.method.rawValue)
        }
        if let body = request.body {
            tower_curl_set_offset(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            body.withUnsafeBytes { raw in
                // COPYPOSTFIELDS copies the bytes, so the Data may go away.
                _ = tower_curl_set_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
            }
        }
        var fields = request.headers
        if let key = request.idempotencyKey { fields[HTTPField.Name("Idempotency-Key")!] = key }
        for field in fields { headerList = curl_slist_append(headerList, "\(field.name.rawName): \(field.value)") }
        // Blanking a header ("Name:") stops libcurl adding its own (a SigV4 signature covers
        // only the headers Tower chose).
        if request.body != nil && fields[.contentType] == nil { headerList = curl_slist_append(headerList, "Content-Type:") }
        headerList = curl_slist_append(headerList, "Expect:")
        tower_curl_set_slist(easy, CURLOPT_HTTPHEADER, headerList)
        tower_curl_set_pointer(easy, CURLOPT_WRITEDATA, me.toOpaque())
        tower_curl_set_pointer(easy, CURLOPT_HEADERDATA, me.toOpaque())
        tower_curl_set_write(easy) { data, size, count, context in
            guard let context, let data else { return 0 }
            let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
            return transfer.received(UnsafeRawBufferPointer(start: data, count: size * count))
        }
        tower_curl_set_header(easy) { data, size, count, context in
            guard let context, let data else { return 0 }
            let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
            transfer.headerLine(String(decoding: UnsafeRawBufferPointer(start: data, count: size * count), as: UTF8.self))
            return size * count
        }
    }

    private var host: String { request.url.host ?? request.url.absoluteString }

    private func headerLine(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("HTTP/") {
            // A new response (a redirect, or 100 Continue): start over.
            let parts = trimmed.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers = HTTPFields()
            return
        }
        guard let colon = trimmed.firstIndex(of: ":"), let name = HTTPField.Name(String(trimmed[..<colon])) else { return }
        headers.append(HTTPField(name: name, value: trimmed[trimmed.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
    }

    private func deliverHead() {
        guard let continuation = headContinuation else { return }
        headContinuation = nil
        continuation.resume(returning: HTTPClientHead(status: HTTPResponse.Status(code: status), headers: headers))
    }

    private func received(_ bytes: UnsafeRawBufferPointer) -> Int {
        receivedBytes += bytes.count
        guard receivedBytes <= request.maxResponseBytes else {
            overLimit = true
            return 0  // libcurl stops the transfer with CURLE_WRITE_ERROR
        }
        deliverHead()
        body?.yield(Data(bytes))
        return bytes.count
    }

    func complete(_ code: CURLcode) {
        if code == CURLE_OK {
            deliverHead()
            finish(error: nil)
            return
        }
        let reason = String(cString: curl_easy_strerror(code))
        let error: HTTPClientError
        switch code {
        case CURLE_WRITE_ERROR where overLimit:
            error = .tooLarge(host: host, limit: request.maxResponseBytes)
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_PROXY, CURLE_SSL_CONNECT_ERROR:
            error = .couldNotConnect(host: host, reason: reason)
        case CURLE_OPERATION_TIMEDOUT:
            error = .timedOut(host: host, after: request.timeout)
        case CURLE_PEER_FAILED_VERIFICATION:
            error = .couldNotConnect(host: host, reason: "the TLS certificate is not trusted (\(reason))")
        default:
            error = .connectionLost(host: host, reason: reason)
        }
        finish(error: error)
    }

    func finish(error: (any Error)?) {
        guard !finished else { return }
        finished = true
        if let continuation = headContinuation {
            headContinuation = nil
            continuation.resume(throwing: error ?? HTTPClientError.connectionLost(host: host, reason: "no response"))
        }
        if let error { body?.finish(throwing: error) } else { body?.finish() }
        body = nil
        unmanaged?.release()
        unmanaged = nil
    }

    deinit {
        curl_easy_cleanup(easy)
        curl_slist_free_all(headerList)
    }
}
