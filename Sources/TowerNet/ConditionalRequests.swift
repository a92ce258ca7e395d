import Foundation
import HTTPTypes

/// Remembers `ETag`s and bodies of polled resources, so a repeated GET costs a 304 (which
/// GitHub does not count against the rate limit) and the caller learns "unchanged".
public actor ETagCache {
    private var entries: [URL: (etag: String, response: HTTPClientResponse)] = [:]
    private let capacity: Int

    public init(capacity: Int = 256) { self.capacity = capacity }

    func etag(for url: URL) -> String? { entries[url]?.etag }
    func cached(_ url: URL) -> HTTPClientResponse? { entries[url]?.response }

    func store(_ url: URL, etag: String, response: HTTPClientResponse) {
        if entries.count >= capacity, entries[url] == nil, let victim = entries.keys.first { entries[victim] = nil }
        entries[url] = (etag, response)
    }
}

/// A GET answered from the cache when the server says nothing changed.
public struct ConditionalResponse: Sendable, Equatable {
    public var response: HTTPClientResponse
    /// The server answered 304 Not Modified: `response` is the remembered one.
    public var unchanged: Bool
}

extension HTTPClient {
    /// GET with `If-None-Match` when the URL was seen before; a 304 yields the cached answer.
    public func conditionalGet(_ request: HTTPClientRequest, cache: ETagCache) async throws -> ConditionalResponse {
        var request = request
        request.method = .get
        if let etag = await cache.etag(for: request.url) { request.headers[.ifNoneMatch] = etag }
        let response = try await send(request)
        if response.status.code == 304, let cached = await cache.cached(request.url) {
            return ConditionalResponse(response: cached, unchanged: true)
        }
        if response.status.kind == .successful, let etag = response.headers[.eTag] {
            await cache.store(request.url, etag: etag, response: response)
        }
        return ConditionalResponse(response: response, unchanged: false)
    }

    /// Every page of a paginated GET, following `Link: rel="next"` up to `maxPages`.
    /// Stops at the first answer that is not a success and returns it last, for the caller's error.
    public func allPages(_ request: HTTPClientRequest, maxPages: Int = 50) async throws -> [HTTPClientResponse] {
        var pages: [HTTPClientResponse] = []
        var next: HTTPClientRequest? = request
        while let current = next, pages.count < maxPages {
            let response = try await send(current)
            pages.append(response)
            guard response.status.kind == .successful, let link = response.headers[HTTPField.Name("Link")!].map(LinkHeader.init)?.next else { break }
            var following = current
            following.url = link
            next = following
        }
        return pages
    }
}
