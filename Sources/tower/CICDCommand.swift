import ArgumentParser
import Foundation
import TowerAgents
import ZIPFoundation

/// `tower cicd classify [FILE|-]`: a CI log's failure classes, whether the original's table can
/// auto-fix them, the fix commands and the failing excerpt, as JSON.
struct CICDCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cicd", abstract: "CI/CD tools: classify a CI log.", subcommands: [Classify.self])

    struct Classify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Classify a GitHub Actions job log (or the zip of a run's logs) and print JSON.",
            discussion: """
                Prints {"classes": [...], "autoFixable": true|false, "fixCommands": [...], "excerpt": "..."}.
                Classes: \(LogClass.allCases.map(\.rawValue).joined(separator: ", ")). Only failed steps count.
                """)

        @Argument(help: "The log file, or - (the default) for standard input.")
        var file: String = "-"

        func run() async throws {
            try await reportingErrors {
                guard let data = InputFile.read(file) else { throw CLIError.failure("cannot read \(file)") }
                let logs = try Self.logs(in: data)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(LogClassifier.classify(logs)), as: UTF8.self))
            }
        }

        /// A zip of a run's logs (one text per job and step) or one log's text. Held to 64 MB
        /// unpacked, as the gateway holds downloaded logs.
        static func logs(in data: Data) throws -> [String] {
            guard data.starts(with: [0x50, 0x4B, 0x03, 0x04]) else { return [String(decoding: data, as: UTF8.self)] }
            let archive: Archive
            do {
                archive = try Archive(data: data, accessMode: .read)
            } catch {
                throw CLIError.failure("the input looks like a zip but cannot be read: \(error)")
            }
            let limit = 64 << 20
            var total = 0
            var files: [(String, String)] = []
            for entry in archive where entry.type == .file {
                var text = Data()
                _ = try archive.extract(entry) { chunk in
                    total += chunk.count
                    guard total <= limit else { throw CLIError.failure("the logs unpack to more than 64 MB") }
                    text.append(chunk)
                }
                files.append((entry.path, String(decoding: text, as: UTF8.self)))
            }
            // A run's zip holds each job's whole log at the top and its steps again in folders:
            // the whole logs when there are any, so nothing is counted twice.
            let jobs = files.filter { !$0.0.contains("/") }
            return (jobs.isEmpty ? files : jobs).sorted { $0.0 < $1.0 }.map(\.1)
        }
    }
}
