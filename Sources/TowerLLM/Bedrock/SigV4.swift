import Crypto
import Foundation

/// AWS Signature Version 4, built by hand because the canonical request is where Bedrock
/// differs from what libcurl signs: a model id holds `:`, sent as `%3A`, and AWS (every
/// service but S3) canonicalizes the path by encoding each segment once more (`%253A`), as
/// botocore does. libcurl's `CURLOPT_AWS_SIGV4` signs the path as sent and Bedrock answers 403.
/// Tested against signatures botocore computed for the same requests.
public struct SigV4: Sendable {
    public var credentials: AWSCredentials
    public var region: String
    public var service: String

    public init(credentials: AWSCredentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// The headers to add to a request (`X-Amz-Date`, `X-Amz-Security-Token` when there is a
    /// session token, `Authorization`). `headers` are the request's own, all signed; `url` is
    /// as sent (its path already percent-encoded).
    public func sign(method: String, url: URL, headers: [String: String], body: Data, date: Date) -> [String: String] {
        let amzDate = Self.timestamp(date)
        let day = String(amzDate.prefix(8))
        var signed = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { _, last in last })
        signed["host"] = Self.host(of: url)
        signed["x-amz-date"] = amzDate
        var added = ["X-Amz-Date": amzDate]
        if let token = credentials.sessionToken, !token.isEmpty {
            signed["x-amz-security-token"] = token
            added["X-Amz-Security-Token"] = token
        }
        let canonical = canonicalRequest(method: method, url: url, headers: signed, body: body)
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, Self.hex(SHA256.hash(data: Data(canonical.utf8)))].joined(separator: "\n")
        var key = SymmetricKey(data: Data("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [day, region, service, "aws4_request"] { key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key))) }
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
        let names = signed.keys.sorted().joined(separator: ";")
        added["Authorization"] = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyId)/\(scope), SignedHeaders=\(names), Signature=\(signature)"
        return added
    }

    /// The canonical request: method, the path with each segment encoded again, the sorted
    /// query, the lowercased headers with trimmed values, their names, the body's SHA-256.
    func canonicalRequest(method: String, url: URL, headers: [String: String], body: Data) -> String {
        let path = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedPath ?? "/"
        let canonicalPath = path.isEmpty ? "/" : Self.encode(path, keepSlash: true)
        let items: [URLQueryItem] = URLComponents(url: url, resolvingAgainstBaseURL: false)?.percentEncodedQueryItems ?? []
        var pairs: [(String, String)] = items.map { item in
            (Self.encode(Self.decode(item.name), keepSlash: false), Self.encode(Self.decode(item.value ?? ""), keepSlash: false))
        }
        pairs.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        let query = pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
        let names = headers.keys.sorted()
        let headerLines = names.map { name in
            let value = headers[name]!.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            return "\(name):\(value)"
        }
        return [method, canonicalPath, query, headerLines.joined(separator: "\n") + "\n", names.joined(separator: ";"), Self.hex(SHA256.hash(data: body))]
            .joined(separator: "\n")
    }

    /// RFC 3986 percent-encoding of everything but the unreserved characters (and `/` in a path).
    static func encode(_ text: String, keepSlash: Bool) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(byte)))
            case UInt8(ascii: "/") where keepSlash: out.append("/")
            default: out += String(format: "%%%02X", byte)
            }
        }
        return out
    }

    static func decode(_ text: String) -> String { text.removingPercentEncoding ?? text }

    /// `host`, with the port when it is not the scheme's default (as botocore signs it).
    static func host(of url: URL) -> String {
        let host = url.host ?? ""
        guard let port = url.port, !(url.scheme == "https" && port == 443), !(url.scheme == "http" && port == 80) else { return host }
        return "\(host):\(port)"
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 { digest.map { String(format: "%02x", $0) }.joined() }
}
