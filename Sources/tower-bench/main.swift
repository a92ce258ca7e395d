// tower-bench: benchmarks, run as `swift run -c release tower-bench COMMAND` (or scripts/bench).
//
//   workflow [--tasks N] [--concurrency N]     1,000 tasks through the whole workflow
//            [--serial-commands]               … started and approved one at a time
//            (OTEL_EXPORTER_OTLP_ENDPOINT=…)   … with every task's trace exported
//            [--store-url postgres://… --workers N]  … on PostgreSQL, shared by N workers
//   console [--state-dir DIR]                  the console over 10,000 tasks and 1,000,000 log lines
//   seed-console --state-dir DIR               only build that store (for scripts/bench-console)
//   gateway [--requests N]                     HTTP requests/s and latency, SSE decoding, sandbox start-up
//   discovery --forge DIR --owner O --tickets F Discovery vs plain BM25 on mined tickets (scripts/bench-discovery)
//   execution --repo GIT_DIR [--test CMD]      Tower's time around the LLM per plan task vs the tests alone
//   json [--fixtures DIR]                      every JSONValue read site on real inputs, before and after JSONReader
//   record-demo [--recordings DIR]             re-key the demo's recordings after a prompt changed (scripts/record-demo)
import Foundation

func option(_ name: String, _ fallback: String) -> String {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return fallback }
    return args[i + 1]
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
}

/// Resident memory of this process in MB (VmRSS).
func residentMB(pid: String = "self") -> Double {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
    else { return -1 }
    return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
}

switch CommandLine.arguments.dropFirst().first(where: { !$0.hasPrefix("-") }) ?? "workflow" {
case "workflow": try await workflowBench()
case "console": try await consoleBench()
case "seed-console": try await seedConsoleStore(URL(fileURLWithPath: option("--state-dir", "")))
case "gateway": try await gatewayBench()
case "discovery": try await discoveryBench()
case "execution": try await executionBench()
case "json": try jsonBench()
case "record-demo": try await recordDemo()
default:
    FileHandle.standardError.write(Data("usage: tower-bench workflow|console|seed-console|gateway|discovery|execution|json|record-demo\n".utf8))
    exit(64)
}
