import TowerConfig
import TowerEngine

/// Which implementation runs each workflow step in this build.
///
/// The agents (Discovery, Planning, Execution, CI/CD) register here as they land. A step with no
/// implementation fails its task at once with a message saying so, and `retry` resumes it there
/// once a build that has the agent runs the engine.
enum WorkflowAssembly {
    static func workflow(configuration: Configuration) -> Workflow {
        Workflow(steps: [:])
    }
}
