/// The PLAN.md that Planning commits and a reviewer approves, as a model.
///
/// ``render()`` writes the original's template; ``parse(_:)`` reads a rendered plan, or one a
/// reviewer edited on the branch, back into the model so that Execution works from what was
/// actually approved.
public struct PlanDocument: Sendable, Equatable, Codable {
    /// A row of the Architecture → Components table, kept structured: Execution must find the
    /// path in the right checkout, and a rendered cell (`acme/api/src/x.py (new)`) is for people.
    public struct Component: Sendable, Equatable, Codable {
        public var name: String
        /// The path inside its repository, without the repository or the ` (new)` mark.
        public var path: String
        public var responsibility: String
        /// `owner/name` of the repository, in a plan that spans several (rendered as a prefix of
        /// the path); `nil` in a single-repository plan.
        public var repository: String?
        /// Whether the path did not exist when the plan was made (rendered as ` (new)`).
        public var isNew: Bool

        public init(name: String, path: String, responsibility: String, repository: String? = nil, isNew: Bool = false) {
            self.name = name
            self.path = path
            self.responsibility = responsibility
            self.repository = repository
            self.isNew = isNew
        }

        /// The Path cell as PLAN.md shows it: `owner/repo/path (new)`.
        public var renderedPath: String {
            (repository.map { "\($0)/" } ?? "") + path + (isNew ? " (new)" : "")
        }

        /// Reads a Path cell back: the ` (new)` mark, and the repository prefix when the cell
        /// starts with one of `repositories` (the longest that matches).
        public static func parse(name: String, cell: String, responsibility: String, repositories: [String]) -> Component {
            var path = cell.trimmed
            var isNew = false
            for mark in [" (new)", " (New)", " (NEW)"] where path.hasSuffix(mark) {
                path = String(path.dropLast(mark.count)).trimmed
                isNew = true
            }
            if path.count > 2, path.hasPrefix("`"), path.hasSuffix("`") { path = String(path.dropFirst().dropLast()) }
            let owner = repositories.sorted { $0.count > $1.count }.first { path.hasPrefix($0 + "/") }
            if let owner { path = String(path.dropFirst(owner.count + 1)) }
            return Component(name: name, path: path, responsibility: responsibility, repository: owner, isNew: isNew)
        }

        enum CodingKeys: String, CodingKey { case name, path, responsibility, repository, isNew }

        /// Outputs stored before components were structured carry only the rendered path.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            path = try container.decode(String.self, forKey: .path)
            responsibility = try container.decode(String.self, forKey: .responsibility)
            repository = try container.decodeIfPresent(String.self, forKey: .repository)
            isNew = try container.decodeIfPresent(Bool.self, forKey: .isNew) ?? false
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

    /// The plan with each component that names no repository given the one of `repositories`
    /// its path starts with: a plan whose tasks stay in one repository has no `Repository`
    /// column, yet its components may still be prefixed; the caller knows the plan's repositories.
    public func resolvingComponents(in repositories: [String]) -> PlanDocument {
        var plan = self
        plan.components = components.map { component in
            guard component.repository == nil else { return component }
            var resolved = Component.parse(name: component.name, cell: component.path, responsibility: component.responsibility, repositories: repositories)
            resolved.isNew = resolved.isNew || component.isNew
            return resolved
        }
        return plan
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
