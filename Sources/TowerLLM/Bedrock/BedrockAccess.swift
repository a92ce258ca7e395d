import Foundation
import HTTPTypes
import TowerCore
import TowerNet

extension BedrockProvider {
    /// What `tower doctor` shows for Bedrock: where the credentials came from, and how many
    /// Anthropic models the control plane lists for them (a signed `ListFoundationModels`, the
    /// cheapest call that proves the keys and the region).
    public func checkAccess() async throws -> (credentials: String, region: String, models: Int) {
        let url = controlEndpoint.endpoint("/foundation-models", query: ["byProvider": "anthropic"])
        var plain = ["Accept": "application/json"]
        var source = "a Bedrock API key"
        switch authentication {
        case .bearer(let key): plain["Authorization"] = "Bearer \(key)"
        case .sigV4(let chain):
            let credentials = try await chain.credentials()
            source = "credentials from \(credentials.source)"
            for (name, value) in SigV4(credentials: credentials, region: region, service: "bedrock").sign(method: "GET", url: url, headers: plain, body: Data(), date: now()) {
                plain[name] = value
            }
        }
        var headers = HTTPFields()
        for (name, value) in plain { headers[HTTPField.Name(name)!] = value }
        let response = try await http.send(HTTPClientRequest(url: url, headers: headers, timeout: 20))
        guard response.status.code == 200, let json = try? JSONValue.parse(response.body) else {
            throw Self.apiError(status: response.status.code, type: response.headers[HTTPField.Name("x-amzn-ErrorType")!], body: response.body)
        }
        guard case .array(let models)? = json["modelSummaries"] else { return (source, region, 0) }
        return (source, region, models.count)
    }

    /// The control plane (`bedrock.REGION.amazonaws.com`), or the runtime's override when one is set
    /// (a stand-in or a proxy serves both).
    var controlEndpoint: URL {
        endpoint.host?.hasPrefix("bedrock-runtime.") == true ? URL(string: "https://bedrock.\(region).amazonaws.com")! : endpoint
    }
}
