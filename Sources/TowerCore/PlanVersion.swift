/// Which PLAN.md an approval is for: the git blob of PLAN.md on the plan's branch in each
/// repository, the plan's hash, and the commit that last edited it after Planning, if one did.
/// An approval binds to this; Execution runs only the version that was approved, so an edit
/// pushed after the decision goes back to a person instead of being executed unseen.
public struct PlanVersion: Codable, Sendable, Equatable {
    /// A commit that changed PLAN.md after Planning wrote it (a reviewer's edit).
    public struct Edit: Codable, Sendable, Equatable {
        public var repository: String
        public var commit: String
        /// The commit message's first line.
        public var subject: String

        public init(repository: String, commit: String, subject: String) {
            self.repository = repository
            self.commit = commit
            self.subject = subject
        }

        /// `acme/api@1a2b3c4d ("PLAN.md: drop task 3")`.
        public var description: String { "\(repository)@\(commit.prefix(8)) (\"\(subject)\")" }
    }

    /// SHA-256 (hex) of the PLAN.md text that would be executed.
    public var hash: String
    /// `owner/name` → the git blob id of PLAN.md on the plan's branch there.
    public var blobs: [String: String]
    /// The latest edit after Planning, or `nil` when PLAN.md is as Planning wrote it.
    public var edit: Edit?

    public init(hash: String, blobs: [String: String], edit: Edit? = nil) {
        self.hash = hash
        self.blobs = blobs
        self.edit = edit
    }

    /// Whether two versions are the same text in every repository (the edit note aside).
    public func sameText(as other: PlanVersion) -> Bool {
        blobs == other.blobs
    }

    /// `sha256:1a2b3c4d5e6f` for people.
    public var shortHash: String { "sha256:\(hash.prefix(12))" }
}
