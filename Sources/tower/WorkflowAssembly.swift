import Foundation
import TowerAgents
import TowerConfig
import TowerEngine
import TowerGateway
import TowerNet
import TowerStore

/// Which implementation runs each workflow step in this build: the agents over the services
/// the configuration allows.
enum WorkflowAssembly {
    static func services(configuration: Configuration, store: any Store) -> AgentServices {
        let http = HTTPClient(redactor: Redactor(secrets: configuration.secretValues))
        let gateway = Gateway(configuration: configuration, http: http)
        let prompts = PromptLibrary.standard(environment: ProcessInfo.processInfo.environment, executable: URL(fileURLWithPath: CommandLine.arguments[0]))
        return AgentServices.configured(configuration, gateway: gateway, store: store, prompts: prompts)
    }

    static func workflow(configuration: Configuration, store: any Store) -> Workflow {
        Workflow.agents(services(configuration: configuration, store: store))
    }
}
