import TowerServices

/// Repository trees by commit: a tree never changes for a commit, so a second ticket in the
/// same process reads it from here instead of spending an API call.
public actor TreeCache {
    private var trees: [String: [String]] = [:]
    private let limit: Int

    public init(limit: Int = 256) { self.limit = limit }

    /// The files of `repo` at `commit`, fetched once.
    public func files(of repo: RepositoryRef, at commit: String, fetch: @Sendable () async throws -> [String]) async throws -> [String] {
        let key = "\(repo)@\(commit)"
        if let cached = trees[key] { return cached }
        let files = try await fetch()
        if trees.count >= limit { trees.removeAll() }
        trees[key] = files
        return files
    }
}
