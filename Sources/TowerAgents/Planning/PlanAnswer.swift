import Foundation
import TowerCore

/// The plan as the model answers it: the original's sections (scope, architecture, data flow,
/// TDD test plan, tasks with dependencies, security, rollback), one forced tool call.
struct PlanAnswer: StructuredAnswer {
    struct Component: Codable, Sendable {
        var name: String
        var repository: String
        var path: String
        var responsibility: String
        var isNew: Bool
    }

    struct PlanTask: Codable, Sendable {
        var number: Int
        var title: String
        var repository: String
        var dependencies: [Int]
        var estimatedHours: Double
    }

    var summary: String
    var inScope: [String]
    var outOfScope: [String]
    var components: [Component]
    var dataFlow: String
    var unitTests: [String]
    var integrationTests: [String]
    var tasks: [PlanTask]
    var securityConsiderations: [String]
    var rollbackPlan: String

    static let toolName = "submit_plan"
    static let toolDescription = "Submit the implementation plan: scope, architecture, data flow, a TDD test plan, ordered tasks, security considerations and a rollback plan."
    static let schema = Schema.object([
        ("summary", .string(minLength: 10), "What will change and why, in two to five sentences."),
        ("inScope", .array(.string(minLength: 3), minItems: 1, maxItems: 15), "What this change does."),
        ("outOfScope", .array(.string(minLength: 3), maxItems: 15), "What it deliberately does not do."),
        (
            "components",
            .array(
                .object([
                    ("name", .string(minLength: 2), "Component name."),
                    ("repository", .string(minLength: 1), "The repository, one of the candidates given."),
                    ("path", .string(minLength: 1), "File or directory path inside that repository."),
                    ("responsibility", .string(minLength: 3), "What it does in this change."),
                    ("isNew", .boolean, "true if the path does not exist yet."),
                ]), minItems: 1, maxItems: 20), "The parts of the code the change touches or adds."
        ),
        ("dataFlow", .string(minLength: 3), "How data moves through the components, as a short description or an ASCII diagram."),
        ("unitTests", .array(.string(minLength: 3), minItems: 1, maxItems: 20), "Unit tests to write first."),
        ("integrationTests", .array(.string(minLength: 3), maxItems: 15), "Integration tests."),
        (
            "tasks",
            .array(
                .object([
                    ("number", .integer(minimum: 1, maximum: 99), "1, 2, 3, … in order."),
                    ("title", .string(minLength: 3), "One task, small enough for one commit."),
                    ("repository", .string(minLength: 1), "The repository it changes, one of the candidates given."),
                    ("dependencies", .array(.integer(minimum: 1, maximum: 99), maxItems: 20), "Numbers of the tasks that must be done first."),
                    ("estimatedHours", .number(minimum: 0, maximum: 80), "Estimated hours."),
                ]), minItems: 1, maxItems: 20), "Implementation tasks, tests before the code they test."
        ),
        ("securityConsiderations", .array(.string(minLength: 3), minItems: 1, maxItems: 12), "Security checks for this change."),
        ("rollbackPlan", .string(minLength: 3), "How to undo the change safely."),
    ])

    /// Task numbers unique, dependencies known and acyclic.
    func problems() -> [String] {
        var problems: [String] = []
        let numbers = tasks.map(\.number)
        if Set(numbers).count != numbers.count { problems.append("$.tasks: task numbers must be unique; got \(numbers.map(String.init).joined(separator: ", "))") }
        do {
            _ = try document(ticketId: "-", title: "-", repositories: []).tasksInDependencyOrder()
        } catch {
            problems.append("$.tasks: \(error.description.replacingOccurrences(of: "PLAN.md ", with: "")); dependencies must form a DAG")
        }
        for task in tasks where task.dependencies.contains(task.number) { problems.append("$.tasks[\(task.number)]: a task cannot depend on itself") }
        return problems
    }

    /// Problems with the repositories the answer names: each must be one of the candidates.
    func repositoryProblems(allowed: Set<String>) -> [String] {
        var problems: [String] = []
        for (index, component) in components.enumerated() where !allowed.contains(component.repository) {
            problems.append("$.components[\(index)].repository: \"\(component.repository)\" is not one of \(allowed.sorted().joined(separator: ", "))")
        }
        for (index, task) in tasks.enumerated() where !allowed.contains(task.repository) {
            problems.append("$.tasks[\(index)].repository: \"\(task.repository)\" is not one of \(allowed.sorted().joined(separator: ", "))")
        }
        return problems
    }

    /// The plan as Tower's PLAN.md model. `repositories` are the plan's repositories; with more
    /// than one, tasks carry theirs (the `Repository` column) and component paths are prefixed.
    func document(ticketId: String, title: String, repositories: [String]) -> PlanDocument {
        let multi = repositories.count > 1
        return PlanDocument(
            ticketId: ticketId, title: title, summary: summary, inScope: inScope, outOfScope: outOfScope,
            components: components.map { component in
                PlanDocument.Component(
                    name: component.name, path: component.path.trimmingCharacters(in: CharacterSet(charactersIn: "/ ")), responsibility: component.responsibility,
                    repository: multi ? component.repository : nil, isNew: component.isNew)
            },
            dataFlow: dataFlow, unitTests: unitTests.map { PlanDocument.Checkbox($0) }, integrationTests: integrationTests.map { PlanDocument.Checkbox($0) },
            tasks: tasks.map {
                PlanDocument.Task(number: $0.number, title: $0.title, dependencies: $0.dependencies, estimatedHours: $0.estimatedHours, repository: multi ? $0.repository : nil)
            },
            securityConsiderations: securityConsiderations.map { PlanDocument.Checkbox($0) }, rollbackPlan: rollbackPlan)
    }
}
