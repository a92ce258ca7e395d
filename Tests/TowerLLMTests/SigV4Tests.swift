import Foundation
import Testing
import TowerCore

@testable import TowerLLM

/// Tower's SigV4 against signatures botocore computed for the same requests
/// (`scripts/sigv4-vectors`): a Bedrock model id with `:` (signed as `%253A`), a session
/// token, and a query string.
@Suite struct SigV4Tests {
    @Test func signaturesMatchBotocoreByteForByte() throws {
        let file = try JSONValue.parse(try bedrockFixture("sigv4-botocore.json"))
        guard case .array(let vectors) = file["vectors"] else { Issue.record("no vectors"); return }
        #expect(vectors.count == 3)
        for vector in vectors {
            let credentials = AWSCredentials(
                accessKeyId: file["access_key"]!.string!, secretAccessKey: file["secret_key"]!.string!, sessionToken: vector["session_token"]?.string, source: "test")
            let signer = SigV4(credentials: credentials, region: vector["region"]!.string!, service: vector["service"]!.string!)
            var headers: [String: String] = [:]
            if case .object(let fields) = vector["headers"] { for (name, value) in fields { headers[name] = value.string } }
            let url = URL(string: vector["url"]!.string!)!
            let body = Data(vector["body"]!.string!.utf8)
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "UTC")
            formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
            let date = formatter.date(from: vector["amz_date"]!.string!)!
            let added = signer.sign(method: vector["method"]!.string!, url: url, headers: headers, body: body, date: date)
            var signed = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, _ in a })
            signed["host"] = url.host!
            signed["x-amz-date"] = vector["amz_date"]!.string!
            if let token = vector["session_token"]?.string { signed["x-amz-security-token"] = token }
            #expect(signer.canonicalRequest(method: vector["method"]!.string!, url: url, headers: signed, body: body) == vector["canonical_request"]!.string!)
            #expect(added["Authorization"] == vector["authorization"]!.string!)
            #expect(added["X-Amz-Security-Token"] == vector["session_token"]?.string)
        }
        #expect(AWSCredentials(accessKeyId: "AKID", secretAccessKey: "tst0secret", source: "the environment").description.contains("tst0secret") == false)
    }
}
