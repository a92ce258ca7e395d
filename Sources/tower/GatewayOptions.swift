import ArgumentParser
import Foundation
import TowerGateway
import TowerNet

/// How `doctor` and `tool` reach the services: time limits, retries, and an optional trace of
/// every HTTP attempt (redacted) on stderr.
struct GatewayOptions: ParsableArguments {
    @Option(name: .long, help: "Seconds to wait for a service's answer.")
    var timeout: Double = 15

    @Flag(name: .shortAndLong, help: "Print each HTTP attempt (method, URL, status, time) on stderr; twice (-vv) adds the headers. Secrets are redacted.")
    var verbose: Int

    /// The gateway over the configuration, with `attempts` tries per request.
    func gateway(_ global: GlobalOptions, attempts: Int) throws -> Gateway {
        let configuration = try global.loadConfiguration()
        var log: (@Sendable (String) -> Void)?
        if verbose > 0 { log = { line in FileHandle.standardError.write(Data("tower: \(line)\n".utf8)) } }
        let policy = RetryPolicy(maxAttempts: attempts, maximumWait: timeout)
        let redactor = Redactor(secrets: configuration.secretValues)
        let http = HTTPClient(
            transport: CurlTransport.shared, policy: policy, redactor: redactor, log: log, requestTimeout: timeout, logDetail: verbose > 1 ? .headers : .attempts)
        return Gateway(configuration: configuration, http: http)
    }
}
