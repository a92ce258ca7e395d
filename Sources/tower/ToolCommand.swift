import ArgumentParser
import Foundation
import TowerCore
import TowerGateway
import TowerLLM
import TowerNet
import TowerServices

/// `tower tool SERVICE.METHOD key=value …`: any tool method, its result as JSON.
struct ToolCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tool",
        abstract: "Call one tool method (github.get_repo, jira.get_issue, …) and print its result as JSON.",
        discussion: """
            Arguments are key=value; key=@FILE reads the value from a file, key=@- from stdin.
            Errors go to stderr with the service's own message (exit 1); a wrong method or argument exits 64.
            `tower tool --list` lists every method and its arguments.
            """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var gatewayOptions: GatewayOptions

    @Flag(name: .long, help: "List the methods and their arguments.")
    var list = false

    @Argument(help: "SERVICE.METHOD, e.g. github.get_repo.")
    var method: String?

    @Argument(parsing: .allUnrecognized, help: "key=value arguments.")
    var arguments: [String] = []

    func run() async throws {
        guard !list, let method else {
            print(Self.catalog())
            return
        }
        let tool: ToolMethod
        let parsed: ToolArguments
        do {
            tool = try ToolCatalog.method(named: method)
            parsed = try ToolArguments(parsing: try arguments.map(Self.readingFiles))
        } catch {
            FileHandle.standardError.write(Data("tower: \(error)\n".utf8))
            throw ExitCode.validationFailure
        }
        try await reportingErrors {
            let result: JSONValue
            do {
                result = try await tool.call(try gatewayOptions.gateway(global, attempts: 3), parsed)
            } catch let error as ToolError {
                FileHandle.standardError.write(Data("tower: \(error)\n".utf8))
                throw ExitCode.validationFailure
            } catch let error as ServiceError {
                throw CLIError.failure(error.description)
            } catch let error as GatewayError {
                throw CLIError.failure(error.description)
            } catch let error as HTTPClientError {
                throw CLIError.failure("\(Self.serviceTitle(of: method)): \(error)")
            } catch let error as LLMError {
                throw CLIError.failure("Anthropic: \(error)")
            } catch let error as ExitCode {
                throw error
            } catch {
                throw CLIError.failure("\(method): \(error)")
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(result), as: UTF8.self))
        }
    }

    /// "GitHub" for `github.get_repo`.
    static func serviceTitle(of method: String) -> String {
        let prefix = String(method.split(separator: ".").first ?? "")
        return Gateway.Service(rawValue: prefix)?.title ?? prefix
    }

    /// `key=@path` → the file's text; `key=@-` → standard input.
    static func readingFiles(_ word: String) throws -> String {
        guard let equals = word.firstIndex(of: "="), word[word.index(after: equals)...].hasPrefix("@") else { return word }
        let key = word[..<equals]
        let source = String(word[word.index(equals, offsetBy: 2)...])
        guard let data = InputFile.read(source) else { throw ToolError.badArgument("\(key)=@\(source): cannot read \(source)") }
        return "\(key)=\(String(decoding: data, as: UTF8.self))"
    }

    /// Every method, grouped by service, with its arguments (optional ones in brackets).
    static func catalog() -> String {
        var lines: [String] = ["Tool methods (tower tool SERVICE.METHOD key=value …):"]
        var service = ""
        for method in ToolCatalog.all {
            let prefix = String(method.name.split(separator: ".")[0])
            if prefix != service {
                service = prefix
                lines.append("")
            }
            let arguments = method.parameters.map { $0.required ? "\($0.name)=…" : "[\($0.name)=…]" }.joined(separator: " ")
            lines.append("  \(method.name) \(arguments)")
            lines.append("      \(method.summary)")
        }
        return lines.joined(separator: "\n")
    }
}
