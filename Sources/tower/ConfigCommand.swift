import ArgumentParser
import Foundation
import TowerAgents
import TowerConfig
import TowerConsole
import TowerGateway
import TowerLLM
import TowerWebhooks

/// `tower config`: the effective configuration, every secret redacted.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Show the effective configuration (secrets are shown only as set or not set).")
    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await reportingErrors {
            let env = ProcessInfo.processInfo.environment
            let config = try global.loadConfiguration()
            let state = StateDirectory.resolve(explicit: global.stateDir, configuration: config, environment: env)
            var lines: [String] = ["Tower configuration", ""]
            lines.append("  state directory  \(state.url.path)  [\(state.origin)]")
            for file in config.files {
                lines.append("  read             \(file.path)\(file.found ? "" : "  (not found)")")
            }
            var group = ""
            for key in ConfigKey.all {
                if key.group != group {
                    group = key.group
                    lines.append("")
                    lines.append(group)
                }
                var shown: String
                if let entry = config.entries[key.name] {
                    shown = "\(Redaction.display(name: key.name, value: entry.value))  [\(entry.source)]"
                    if let reason = key.check?.problem(entry.value) { shown += "  INVALID: \(reason)" }
                } else {
                    shown = "not set"
                }
                lines.append("  \(key.name.padding(toLength: 28, withPad: " ", startingAt: 0)) \(shown)")
            }
            lines.append("")
            lines.append("Services")
            for (service, missing) in config.serviceReadiness() {
                let state = missing.isEmpty ? "configured" : "not configured (missing \(missing.joined(separator: ", ")))"
                lines.append("  \(service.padding(toLength: 10, withPad: " ", startingAt: 0)) \(state)")
            }
            let gateway = Gateway(configuration: config)
            lines.append("  \("forge".padding(toLength: 10, withPad: " ", startingAt: 0)) \(gateway.forgeDescription)")
            lines.append("  \("model".padding(toLength: 10, withPad: " ", startingAt: 0)) \(Self.modelDescription(config, gateway))")
            let descriptors = ListenerLimits.raiseDescriptorLimit()
            let limits = ListenerLimits(config, descriptorLimit: descriptors)
            lines.append("  \("listener".padding(toLength: 10, withPad: " ", startingAt: 0)) \(limits.summary) (\(descriptors) descriptors)")
            let executable = URL(fileURLWithPath: CommandLine.arguments[0])
            lines.append("")
            lines.append("Files")
            lines.append("  prompts    \(PromptLibrary.standard(environment: env, executable: executable).origin())")
            let themes = ThemeLibrary.standard(environment: env, executable: executable)
            lines.append("  themes     \(themes.names().map { "\($0) (\(themes.origin($0) ?? "?"))" }.joined(separator: ", "))")
            if !config.warnings.isEmpty {
                lines.append("")
                lines.append("Warnings")
                lines += config.warnings.map { "  \($0)" }
            }
            print(lines.joined(separator: "\n"))
        }
    }

    /// Which model each agent asks and on which provider, or what answers instead.
    static func modelDescription(_ config: Configuration, _ gateway: Gateway) -> String {
        if let replay = config["TOWER_LLM_REPLAY"], !replay.isEmpty { return "recorded answers from \(replay) (TOWER_LLM_REPLAY)" }
        let fallback = config["TOWER_LLM_MODEL"] ?? "claude-sonnet-4-20250514"
        let recording = config["TOWER_LLM_RECORD"].flatMap { $0.isEmpty ? nil : ", recording into \($0)" } ?? ""
        func ready(_ provider: ModelChoice.Provider) -> Bool {
            switch provider {
            case .anthropic: gateway.anthropic != nil
            case .bedrock: gateway.bedrock != nil
            case .openai: gateway.openai != nil
            }
        }
        var parts: [String] = []
        for agent in AgentServices.Agent.allCases {
            let choice = ModelChoice(config[agent.setting].flatMap { $0.isEmpty ? nil : $0 } ?? fallback)
            parts.append("\(agent.rawValue) \(choice.provider.title) \(choice.model)\(ready(choice.provider) ? "" : " (not configured)")")
        }
        if !AgentServices.Agent.allCases.contains(where: { ready(ModelChoice(config[$0.setting].flatMap { $0.isEmpty ? nil : $0 } ?? fallback).provider) }) {
            return "none: Discovery ranks lexically, Planning cannot run (set ANTHROPIC_API_KEY, AWS_REGION for bedrock: models, OPENAI_BASE_URL for openai: models, or TOWER_LLM_REPLAY)"
        }
        return parts.joined(separator: "; ") + recording
    }
}
