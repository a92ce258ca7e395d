import ArgumentParser
import Foundation
import TowerGateway
import TowerNet

/// How `doctor` and `tool` reach the services: time limits, retries, and an optional trace of
/// every HTTP attempt (redacted) on stderr.
struct GatewayOptions: ParsableArguments {
    @Option(name: .long, help: "Seconds to wait for a service's answer.")
    var timeout: Double = 15

    @Flag(name: .shortAndLong, help: "Print each HTTP attempt (method, URL with secrets redacted, status, time) on stderr.")
    var verbose = false

    /// The gateway over the configuration, with `attempts` tries per request.
    func gateway(_ global: GlobalOptions, attempts: Int) throws -> Gateway {
        let configuration = try global.loadConfiguration()
        var log: (@Sendable (String) -> Void)?
        if verbose { log = { line in FileHandle.standardError.write(Data("tower: \(line)\n".utf8)) } }
        let policy = RetryPolicy(maxAttempts: attempts, maximumWait: timeout)
        let http = HTTPClient(transport: CurlTransport.shared, policy: policy, log: log, requestTimeout: timeout)
        return Gateway(configuration: configuration, http: http)
    }
}
