import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Testing
import TowerCore
import TowerHTTPTestSupport
import TowerNet

@testable import TowerLLM

private let fastPolicy = RetryPolicy(maxAttempts: 3, backoff: .init(base: 0.01, multiplier: 2, maximum: 0.02, jitter: 0))
private let keyId = "AKIATST0EXAMPLE"
private let secret = "wJalrXUtnFEMI/K7MDENG+tst0secret/EXAMPLEKEY"
private let model = "anthropic.claude-3-5-sonnet-20240620-v1:0"

private func provider(_ standIn: BedrockStandIn, secret: String = secret, token: String? = "FwoGZXIvYXdz-tst0session", log: Counter? = nil) -> BedrockProvider {
    var environment: [String: String] = ["AWS_ACCESS_KEY_ID": keyId, "AWS_SECRET_ACCESS_KEY": secret, "AWS_EC2_METADATA_DISABLED": "true"]
    environment["AWS_SESSION_TOKEN"] = token
    let chain = AWSCredentialChain(environment: environment)
    let http: HTTPClient
    if let log {
        http = HTTPClient(policy: fastPolicy, log: { line in log.add(line) }, logDetail: .headers)
    } else {
        http = HTTPClient(policy: fastPolicy)
    }
    return BedrockProvider(region: "us-east-1", endpoint: standIn.base, authentication: .sigV4(chain), policy: fastPolicy, http: http, sleep: { _ in })
}

private let weather = LLMTool(name: "get_weather", description: "Weather", inputSchema: ["type": "object", "properties": ["location": ["type": "string"]]])

/// Bedrock's `InvokeModelWithResponseStream` against a stand-in that checks SigV4 as AWS does and
/// streams event-stream frames with real CRCs.
@Suite struct BedrockProviderTests {
    @Test func aForcedToolCallStreamsOverSignedEventStreamFrames() async throws {
        let standIn = BedrockStandIn(keys: [keyId: secret]) { _ in BedrockStandIn.toolCall("get_weather", input: ["location": "Paris"], inputTokens: 300, outputTokens: 25) }
        try await standIn.start()
        defer { standIn.stop() }
        let log = Counter()
        let result = try await provider(standIn, log: log).complete(
            LLMRequest(model: model, system: "Answer with the tool.", messages: [.user("Weather in Paris?")], tools: [weather], toolChoice: .tool("get_weather"), maxTokens: 256))
        #expect(result.content == [.toolUse(id: "toolu_bdrk_1", name: "get_weather", input: ["location": "Paris"])])
        #expect(result.stopReason == "tool_use" && result.usage.inputTokens == 300 && result.usage.outputTokens == 25)
        #expect(result.usage.cost == nil)
        let request = try #require(standIn.received.first)
        // The model id's ':' is sent encoded once; the stand-in signed the path as AWS does.
        #expect(request.path == "/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/invoke-with-response-stream")
        #expect(request.body["anthropic_version"]?.string == "bedrock-2023-05-31" && request.body["model"] == nil && request.body["stream"] == nil)
        #expect(request.body["tool_choice"] == ["type": "tool", "name": "get_weather"] && request.body["system"]?.string == "Answer with the tool.")
        #expect(request.headers[HTTPField.Name("x-amz-security-token")!] == "FwoGZXIvYXdz-tst0session")
        #expect(!log.all.contains { $0.contains("tst0secret") || $0.contains("tst0session") }, "\(log.all)")
    }

    @Test func aThrottledCallIsRetriedBeforeAndAfterTheStreamOpens() async throws {
        let standIn = BedrockStandIn(keys: [keyId: secret], throttle: 1, throttleMidStream: 1) { _ in BedrockStandIn.toolCall("get_weather", input: ["location": "Oslo"]) }
        try await standIn.start()
        defer { standIn.stop() }
        let result = try await provider(standIn).complete(LLMRequest(model: model, messages: [.user("x")], tools: [weather], toolChoice: .tool("get_weather")))
        #expect(result.content == [.toolUse(id: "toolu_bdrk_1", name: "get_weather", input: ["location": "Oslo"])])
        #expect(standIn.received.count == 3, "429, then a throttlingException frame, then the answer")
    }

    @Test func aBadKeyFailsPermanentlyWithTheServicesWordsAndNoSecret() async throws {
        let standIn = BedrockStandIn(keys: [keyId: secret]) { _ in [] }
        try await standIn.start()
        defer { standIn.stop() }
        let wrong = "wrongSecret/tst0secret/EXAMPLE"
        do {
            _ = try await provider(standIn, secret: wrong).complete(LLMRequest(model: model, messages: [.user("x")]))
            Issue.record("a bad key succeeded")
        } catch let error as LLMError {
            #expect(error == .api(status: 403, type: "InvalidSignatureException", message: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."))
            #expect(!String(describing: error).contains("tst0secret"))
        }
        #expect(standIn.received.isEmpty)
        let unknown = AWSCredentialChain(environment: ["AWS_ACCESS_KEY_ID": "AKIAUNKNOWN", "AWS_SECRET_ACCESS_KEY": secret, "AWS_EC2_METADATA_DISABLED": "true"])
        await #expect(throws: LLMError.api(status: 403, type: "UnrecognizedClientException", message: "The security token included in the request is invalid.")) {
            _ = try await BedrockProvider(region: "us-east-1", endpoint: standIn.base, authentication: .sigV4(unknown), policy: fastPolicy, sleep: { _ in })
                .complete(LLMRequest(model: model, messages: [.user("x")]))
        }
    }

    @Test func noCredentialsAnywhereSaysWhereItLooked() async throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("bedrock-home-\(UUID().uuidString)").path
        let chain = AWSCredentialChain(environment: ["AWS_EC2_METADATA_DISABLED": "true"], home: home)
        let bedrock = BedrockProvider(region: "eu-west-1", authentication: .sigV4(chain), policy: fastPolicy, sleep: { _ in })
        do {
            _ = try await bedrock.complete(LLMRequest(model: model, messages: [.user("x")]))
            Issue.record("succeeded without credentials")
        } catch let LLMError.notConfigured(why) {
            #expect(why.hasPrefix("Bedrock: no AWS credentials: looked in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; \(home)/.aws/credentials"), "\(why)")
        }
        #expect(BedrockProvider(region: "eu-west-1", authentication: .bearer("k")).url(model: "arn:aws:bedrock:eu-west-1:123:inference-profile/eu.anthropic.claude")
            .absoluteString == "https://bedrock-runtime.eu-west-1.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aeu-west-1%3A123%3Ainference-profile%2Feu.anthropic.claude/invoke-with-response-stream")
    }
}

/// The SDKs' credential chain, in their order, each source from a real file or endpoint.
@Suite struct AWSCredentialChainTests {
    func home(credentials: String? = nil, config: String? = nil) throws -> String {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("aws-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".aws"), withIntermediateDirectories: true)
        if let credentials { try credentials.write(to: home.appendingPathComponent(".aws/credentials"), atomically: true, encoding: .utf8) }
        if let config { try config.write(to: home.appendingPathComponent(".aws/config"), atomically: true, encoding: .utf8) }
        return home.path
    }

    @Test func environmentThenSharedFileProfileThenConfigFile() async throws {
        let files = try home(
            credentials: "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = s1\n\n[dev]\n# the team's\naws_access_key_id=AKIADEV\naws_secret_access_key=s2\naws_session_token = t2\n",
            config: "[profile ops]\nregion = eu-west-1\naws_access_key_id = AKIAOPS\naws_secret_access_key = s3\n")
        let fromEnvironment = try await AWSCredentialChain(environment: ["AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "s0", "AWS_PROFILE": "dev"], home: files).credentials()
        #expect(fromEnvironment.accessKeyId == "AKIAENV" && fromEnvironment.source == "the environment")
        let dev = try await AWSCredentialChain(environment: ["AWS_PROFILE": "dev"], home: files).credentials()
        #expect(dev.accessKeyId == "AKIADEV" && dev.sessionToken == "t2" && dev.source.hasSuffix("(profile dev)"))
        #expect(try await AWSCredentialChain(environment: [:], home: files).credentials().accessKeyId == "AKIADEFAULT")
        #expect(try await AWSCredentialChain(environment: ["AWS_PROFILE": "ops"], home: files).credentials().accessKeyId == "AKIAOPS")
        await #expect(throws: AWSCredentialsError.self) { try await AWSCredentialChain(environment: ["AWS_PROFILE": "missing"], home: files).credentials() }
    }

    @Test func containerEndpointThenInstanceMetadataV2() async throws {
        let seen = Counter()
        let server = try await TestServer.start { router in
            router.get("/v2/credentials/abc") { request, _ -> Response in
                seen.add("container \(request.headers[.authorization] ?? "-")")
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: #"{"AccessKeyId":"ASIACONTAINER","SecretAccessKey":"s4","Token":"t4","Expiration":"2099-01-01T00:00:00Z"}"#)))
            }
            router.put("/latest/api/token") { request, _ -> Response in
                seen.add("token ttl \(request.headers[HTTPField.Name("x-aws-ec2-metadata-token-ttl-seconds")!] ?? "-")")
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "imds-session")))
            }
            router.get("/latest/meta-data/iam/security-credentials/") { request, _ -> Response in
                seen.add("role \(request.headers[HTTPField.Name("x-aws-ec2-metadata-token")!] ?? "-")")
                return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "tower-role\n")))
            }
            router.get("/latest/meta-data/iam/security-credentials/tower-role") { _, _ -> Response in
                Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: #"{"Code":"Success","AccessKeyId":"ASIAINSTANCE","SecretAccessKey":"s5","Token":"t5","Expiration":"2099-01-01T00:00:00Z"}"#)))
            }
        }
        defer { server.stop() }
        let empty = try home()
        let container = try await AWSCredentialChain(
            environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": server.url("/v2/credentials/abc").absoluteString, "AWS_CONTAINER_AUTHORIZATION_TOKEN": "pod-token"], home: empty
        ).credentials()
        #expect(container.accessKeyId == "ASIACONTAINER" && container.sessionToken == "t4" && container.expiration != nil)
        let instance = try await AWSCredentialChain(environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT": server.base.absoluteString], home: empty).credentials()
        #expect(instance.accessKeyId == "ASIAINSTANCE" && instance.source == "the instance role tower-role")
        #expect(seen.all == ["container pod-token", "token ttl 21600", "role imds-session"])
    }
}
