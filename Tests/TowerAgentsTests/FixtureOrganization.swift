import Foundation
import TowerServices
import TowerStore
import TowerTestSupport

/// The fixture organization `acme` (Tests/TowerAgentsTests/Fixtures/org): five small
/// repositories in Python, TypeScript and Go, loaded into a local forge of real bare git
/// repositories for one test.
enum FixtureOrganization {
    static let owner = "acme"

    static var source: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/org")
    }

    /// The files of each fixture repository, by repository name.
    static func files() throws -> [String: [FileChange]] {
        var repositories: [String: [FileChange]] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path).sorted() {
            let root = source.appendingPathComponent(name)
            guard let walker = FileManager.default.enumerator(atPath: root.path) else { continue }
            var changes: [FileChange] = []
            while let relative = walker.nextObject() as? String {
                var isDirectory: ObjCBool = false
                let url = root.appendingPathComponent(relative)
                guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
                changes.append(FileChange(path: relative, content: try String(contentsOf: url, encoding: .utf8)))
            }
            repositories[name] = changes.sorted { $0.path < $1.path }
        }
        return repositories
    }

    /// A local forge holding the organization, its store, and the directory to remove afterwards.
    static func localForge() async throws -> (forge: LocalForge, store: SQLiteStore, directory: URL) {
        let directory = TemporaryDirectory.make("tower-org")
        let store = try SQLiteStore(directory: directory.appendingPathComponent("state"))
        let forge = LocalForge(root: directory.appendingPathComponent("forge"), store: store)
        for (name, files) in try files() {
            try await forge.createRepository(RepositoryRef(owner: owner, name: name), files: files)
        }
        return (forge, store, directory)
    }
}
