import ArgumentParser
import Foundation
import TowerCore
import TowerGateway

/// `tower doctor`: one cheap authenticated call to every configured service.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check every configured integration: reachable, latency, rate limit left, identity.",
        discussion: """
            GitHub /rate_limit and /user, Jira /myself, Slack auth.test, Sentry's organization,
            Anthropic's model list. Exits 1 when a configured service fails; services that are not
            configured are listed but do not fail the check.
            """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var gatewayOptions: GatewayOptions

    @Flag(name: .long, help: "Print the checks as JSON.")
    var json = false

    func run() async throws {
        try await reportingErrors {
            // One attempt each: the doctor reports what is, it does not wait out a bad minute.
            let gateway = try gatewayOptions.gateway(global, attempts: 1)
            let checks = await Doctor.check(gateway)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.dateEncodingStrategy = .iso8601
                print(String(decoding: try encoder.encode(checks), as: UTF8.self))
            } else {
                print(Self.render(checks))
                print("forge: \(gateway.forgeDescription)")
                print("model: \(ConfigCommand.modelDescription(try global.loadConfiguration(), gateway))")
            }
            if checks.contains(where: { $0.status == .failed }) { throw ExitCode(1) }
        }
    }

    /// A table an operator reads in a narrow terminal: one line per service, the error in full.
    static func render(_ checks: [HealthCheck]) -> String {
        let rows = checks.map { check -> [String] in
            let latency = check.latencyMs.map { "\($0) ms" } ?? "-"
            let detail = check.status == .ok ? check.identity ?? "" : check.message ?? ""
            return [check.service.title, check.status.rawValue, latency, check.headroom?.description ?? "-", detail]
        }
        let header = ["SERVICE", "STATUS", "LATENCY", "RATE LIMIT", "IDENTITY / ERROR"]
        let widths = header.indices.dropLast().map { i in max(header[i].count, rows.map { $0[i].count }.max() ?? 0) }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in i < widths.count ? c.padding(toLength: widths[i], withPad: " ", startingAt: 0) : c }.joined(separator: "  ")
        }
        let failed = checks.filter { $0.status == .failed }.count
        let ok = checks.filter { $0.status == .ok }.count
        let summary = failed > 0 ? "\(failed) failing, \(ok) ok" : ok > 0 ? "all \(ok) configured services ok" : "no service is configured (see `tower config`)"
        return ([line(header)] + rows.map(line) + ["", summary]).joined(separator: "\n")
    }
}
