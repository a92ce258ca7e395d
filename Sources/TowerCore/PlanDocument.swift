/// The PLAN.md that Planning commits and a reviewer approves, as a model.
///
/// ``render()`` writes the original's template; ``parse(_:)`` reads a rendered plan, or one a
/// reviewer edited on the branch, back into the model so that Execution works from what was
/// actually approved.
public struct PlanDocument: Sendable, Equatable, Codable {
    /// A row of the Architecture → Components table.
    public struct Component: Sendable, Equatable, Codable {
        public var name: String
        public var path: String
        public var responsibility: String

        public init(name: String, path: String, responsibility: String) {
            self.name = name
            self.path = path
            self.responsibility = responsibility
        }
    }

    /// A `- [ ]` / `- [x]` line.
    public struct Checkbox: Sendable, Equatable, Codable {
        public var text: String
        public var checked: Bool

        public init(_ text: String, checked: Bool = false) {
            self.text = text
            self.checked = checked
        }
    }

    /// A row of the Implementation Tasks table.
    public struct Task: Sendable, Equatable, Codable {
        public var number: Int
        public var title: String
        /// Numbers of the tasks this one waits for (`-` when none).
        public var dependencies: [Int]
        public var estimatedHours: Double
        /// `owner/name` of the repository the task changes, in a plan that spans several
        /// (rendered as a `Repository` column); `nil` in a single-repository plan.
        public var repository: String?

        public init(number: Int, title: String, dependencies: [Int] = [], estimatedHours: Double, repository: String? = nil) {
            self.number = number
            self.title = title
            self.dependencies = dependencies
            self.estimatedHours = estimatedHours
            self.repository = repository
        }
    }

    /// A `##` section the template does not have (a reviewer's notes, say), kept in order.
    public struct ExtraSection: Sendable, Equatable, Codable {
        public var heading: String
        public var body: String

        public init(heading: String, body: String) {
            self.heading = heading
            self.body = body
        }
    }

    public var ticketId: String
    /// The one-line summary in the title (`# {TICKET_ID}: {Summary}`).
    public var title: String
    /// The Summary section: the ticket's description as Planning understood it.
    public var summary: String
    public var inScope: [String]
    public var outOfScope: [String]
    public var components: [Component]
    public var dataFlow: String
    public var unitTests: [Checkbox]
    public var integrationTests: [Checkbox]
    public var tasks: [Task]
    public var securityConsiderations: [Checkbox]
    public var rollbackPlan: String
    public var extraSections: [ExtraSection]

    public init(
        ticketId: String, title: String, summary: String, inScope: [String] = [], outOfScope: [String] = [],
        components: [Component] = [], dataFlow: String = "", unitTests: [Checkbox] = [],
        integrationTests: [Checkbox] = [], tasks: [Task] = [],
        securityConsiderations: [Checkbox] = PlanDocument.defaultSecurityConsiderations,
        rollbackPlan: String = "", extraSections: [ExtraSection] = []
    ) {
        self.ticketId = ticketId
        self.title = title
        self.summary = summary
        self.inScope = inScope
        self.outOfScope = outOfScope
        self.components = components
        self.dataFlow = dataFlow
        self.unitTests = unitTests
        self.integrationTests = integrationTests
        self.tasks = tasks
        self.securityConsiderations = securityConsiderations
        self.rollbackPlan = rollbackPlan
        self.extraSections = extraSections
    }

    /// The template's three security checks.
    public static let defaultSecurityConsiderations: [Checkbox] = [
        Checkbox("Input validation"), Checkbox("Auth checks"), Checkbox("Data encryption"),
    ]

    /// Whether the tasks table has a `Repository` column: only when the tasks name more than one
    /// repository, so single-repository plans keep the original's table exactly.
    public var spansRepositories: Bool {
        Set(tasks.compactMap(\.repository)).count > 1
    }

    /// Tasks in an order that respects their dependencies (Kahn's algorithm, ties by number).
    /// Throws ``PlanError/dependencyCycle(_:)`` or ``PlanError/unknownDependency(task:dependency:)``.
    public func tasksInDependencyOrder() throws(PlanError) -> [Task] {
        let byNumber = Dictionary(tasks.map { ($0.number, $0) }, uniquingKeysWith: { first, _ in first })
        for task in tasks {
            for dependency in task.dependencies where byNumber[dependency] == nil {
                throw .unknownDependency(task: task.number, dependency: dependency)
            }
        }
        var remaining = Dictionary(tasks.map { ($0.number, Set($0.dependencies)) }, uniquingKeysWith: { a, _ in a })
        var ordered: [Task] = []
        while !remaining.isEmpty {
            let ready = remaining.filter { $0.value.isEmpty }.keys.sorted()
            guard let next = ready.first else { throw .dependencyCycle(remaining.keys.sorted()) }
            remaining[next] = nil
            for key in remaining.keys { remaining[key]?.remove(next) }
            ordered.append(byNumber[next]!)
        }
        return ordered
    }
}

/// Why a PLAN.md could not be read or ordered.
public enum PlanError: Error, Equatable, Sendable, CustomStringConvertible {
    case missingTitle
    case badTaskRow(line: Int, text: String)
    case unknownDependency(task: Int, dependency: Int)
    case dependencyCycle([Int])

    public var description: String {
        switch self {
        case .missingTitle: "PLAN.md has no `# TICKET: Summary` title line"
        case .badTaskRow(let line, let text): "PLAN.md line \(line): cannot read implementation task row: \(text)"
        case .unknownDependency(let task, let dependency): "PLAN.md task \(task) depends on task \(dependency), which does not exist"
        case .dependencyCycle(let tasks): "PLAN.md tasks \(tasks.map(String.init).joined(separator: ", ")) depend on each other in a cycle"
        }
    }
}
