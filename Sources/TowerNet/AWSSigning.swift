import Foundation

/// AWS Signature Version 4 for a request (Bedrock and the AWS backends). libcurl signs it
/// itself (`CURLOPT_AWS_SIGV4`), so the secret goes no further than the transport; it is never
/// printed, not even by `description`.
public struct AWSSigning: Sendable, Equatable, CustomStringConvertible {
    public var region: String
    public var service: String
    public var accessKeyId: String
    public var secretAccessKey: String
    /// Temporary credentials (STS, instance roles) add `x-amz-security-token`.
    public var sessionToken: String?

    public init(region: String, service: String, accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.region = region
        self.service = service
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// libcurl's provider string: `aws:amz:REGION:SERVICE`.
    var curlProvider: String { "aws:amz:\(region):\(service)" }

    public var description: String { "AWS SigV4 (\(service) in \(region), key id set, secret hidden)" }
}
