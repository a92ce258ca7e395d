import Foundation
import HTTPTypes
import TowerNet

/// An AWS key pair, with a session token for temporary credentials. Never printed: the
/// description names where it came from and hides the secret.
public struct AWSCredentials: Sendable, Equatable, CustomStringConvertible {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?
    /// When temporary credentials run out (container and instance roles).
    public var expiration: Date?
    /// Where they came from: "environment", "shared credentials file (profile dev)", …
    public var source: String

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil, source: String) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
        self.source = source
    }

    public var description: String { "AWS credentials from \(source) (secret hidden)" }
}

/// Why no credentials were found, naming every place that was looked in.
public struct AWSCredentialsError: Error, Equatable, CustomStringConvertible {
    public var description: String
}

/// The AWS SDKs' default credential chain, in their order: the environment
/// (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`); the shared credentials
/// file and then the config file for `AWS_PROFILE` (or `default`); the container endpoint
/// (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or `…_FULL_URI` with its authorization token);
/// the instance metadata service (IMDSv2), unless `AWS_EC2_METADATA_DISABLED`. Temporary
/// credentials are kept until five minutes before they expire.
public actor AWSCredentialChain {
    let environment: [String: String]
    let http: HTTPClient
    let home: String
    var cached: AWSCredentials?
    let now: @Sendable () -> Date

    /// The metadata endpoints are asked once each, without retries: off AWS they do not exist,
    /// and the chain must not stall on them.
    public init(environment: [String: String], transport: CurlTransport = .shared, home: String = NSHomeDirectory(), now: @escaping @Sendable () -> Date = { Date() }) {
        self.environment = environment
        self.http = HTTPClient(transport: transport, policy: RetryPolicy(maxAttempts: 1))
        self.home = home
        self.now = now
    }

    /// Credentials from the first source that has them.
    public func credentials() async throws -> AWSCredentials {
        if let cached, cached.expiration.map({ $0.timeIntervalSince(now()) > 300 }) ?? true { return cached }
        var looked: [String] = []
        if let found = fromEnvironment() { return keep(found) }
        looked.append("AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY")
        let profile = value("AWS_PROFILE") ?? value("AWS_DEFAULT_PROFILE")
        let credentialsFile = value("AWS_SHARED_CREDENTIALS_FILE") ?? "\(home)/.aws/credentials"
        let configFile = value("AWS_CONFIG_FILE") ?? "\(home)/.aws/config"
        var profileSeen = false
        for (path, section) in [(credentialsFile, profile ?? "default"), (configFile, profile.map { $0 == "default" ? "default" : "profile \($0)" } ?? "default")] {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            let sections = Self.ini(text)
            guard let keys = sections[section] else { continue }
            profileSeen = true
            if let id = keys["aws_access_key_id"], let secret = keys["aws_secret_access_key"], !id.isEmpty, !secret.isEmpty {
                return keep(AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: keys["aws_session_token"], source: "\(path) (profile \(profile ?? "default"))"))
            }
        }
        looked.append("\(credentialsFile) and \(configFile) (profile \(profile ?? "default"))")
        if let profile, !profileSeen {
            throw AWSCredentialsError(description: "AWS_PROFILE is \(profile), but neither \(credentialsFile) nor \(configFile) has that profile")
        }
        if let found = try await fromContainer() { return keep(found) }
        looked.append("the container endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI not set)")
        if value("AWS_EC2_METADATA_DISABLED")?.lowercased() != "true" {
            if let found = try? await fromInstanceMetadata() { return keep(found) }
            looked.append("the instance metadata service (no role)")
        }
        throw AWSCredentialsError(description: "no AWS credentials: looked in \(looked.joined(separator: "; "))")
    }

    func keep(_ credentials: AWSCredentials) -> AWSCredentials {
        cached = credentials
        return credentials
    }

    func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }

    func fromEnvironment() -> AWSCredentials? {
        guard let id = value("AWS_ACCESS_KEY_ID"), let secret = value("AWS_SECRET_ACCESS_KEY") else { return nil }
        return AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: value("AWS_SESSION_TOKEN"), source: "the environment")
    }

    /// ECS and EKS Pod Identity: a JSON document of temporary credentials.
    func fromContainer() async throws -> AWSCredentials? {
        let url: URL
        if let relative = value("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            guard let full = URL(string: "http://169.254.170.2\(relative)") else { return nil }
            url = full
        } else if let full = value("AWS_CONTAINER_CREDENTIALS_FULL_URI"), let parsed = URL(string: full) {
            url = parsed
        } else {
            return nil
        }
        var headers = HTTPFields()
        headers[.accept] = "application/json"
        if let tokenFile = value("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"), let token = try? String(contentsOfFile: tokenFile, encoding: .utf8) {
            headers[.authorization] = token.trimmingCharacters(in: .whitespacesAndNewlines)
        } else if let token = value("AWS_CONTAINER_AUTHORIZATION_TOKEN") {
            headers[.authorization] = token
        }
        let response = try await http.send(HTTPClientRequest(url: url, headers: headers, timeout: 5))
        guard response.status.code == 200 else {
            throw AWSCredentialsError(description: "the container credentials endpoint answered HTTP \(response.status.code)")
        }
        return try Self.temporary(response.body, source: "the container endpoint")
    }

    /// IMDSv2: a session token by PUT, the role's name, then its credentials.
    func fromInstanceMetadata() async throws -> AWSCredentials? {
        let base = value("AWS_EC2_METADATA_SERVICE_ENDPOINT") ?? "http://169.254.169.254"
        guard let tokenURL = URL(string: "\(base)/latest/api/token"), let rolesURL = URL(string: "\(base)/latest/meta-data/iam/security-credentials/") else { return nil }
        var headers = HTTPFields()
        headers[HTTPField.Name("x-aws-ec2-metadata-token-ttl-seconds")!] = "21600"
        let token = try await http.send(HTTPClientRequest(method: .put, url: tokenURL, headers: headers, timeout: 1, connectTimeout: 1))
        guard token.status.code == 200 else { return nil }
        var session = HTTPFields()
        session[HTTPField.Name("x-aws-ec2-metadata-token")!] = String(decoding: token.body, as: UTF8.self)
        let roles = try await http.send(HTTPClientRequest(url: rolesURL, headers: session, timeout: 1, connectTimeout: 1))
        guard roles.status.code == 200, let role = String(decoding: roles.body, as: UTF8.self).split(separator: "\n").first,
            let roleURL = URL(string: rolesURL.absoluteString + role)
        else { return nil }
        let document = try await http.send(HTTPClientRequest(url: roleURL, headers: session, timeout: 2, connectTimeout: 1))
        guard document.status.code == 200 else { return nil }
        return try Self.temporary(document.body, source: "the instance role \(role)")
    }

    /// `{"AccessKeyId","SecretAccessKey","Token","Expiration"}`, as both endpoints answer.
    static func temporary(_ body: Data, source: String) throws -> AWSCredentials {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any], let id = object["AccessKeyId"] as? String,
            let secret = object["SecretAccessKey"] as? String
        else { throw AWSCredentialsError(description: "\(source) answered without AccessKeyId and SecretAccessKey") }
        let expiration = (object["Expiration"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) }
        return AWSCredentials(accessKeyId: id, secretAccessKey: secret, sessionToken: object["Token"] as? String, expiration: expiration, source: source)
    }

    /// An INI file's sections: `[name]` → lowercased keys → values (comments and blank lines left out).
    static func ini(_ text: String) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current: String?
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                current = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                if let current, sections[current] == nil { sections[current] = [:] }
                continue
            }
            guard let current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            sections[current]?[key] = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        }
        return sections
    }
}
