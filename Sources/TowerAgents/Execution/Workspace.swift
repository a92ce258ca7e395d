import Foundation
import TowerServices

/// A sandboxed working copy of one repository's branch: where Execution writes a plan task's
/// changes and runs the repository's tests, and where the CI/CD agent runs a fix. Files are read
/// and written only through the ``Sandbox`` (no path out of the checkout, links included), and
/// every command runs inside it: no Tower secret in its environment, no network unless the
/// repository's setup is allowed it, a time limit that kills the command's whole process tree.
public struct Workspace: Sendable {
    public let repository: RepositoryRef
    public let sandbox: Sandbox
    public let commands: RepositoryCommands

    /// Checks out `branch` into `directory` (made fresh) and reads how its tests run.
    public static func open(
        _ repository: RepositoryRef, branch: String, forge: any Forge, directory: URL, testCommand: String?
    ) async throws -> Workspace {
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory.deletingLastPathComponent(), withIntermediateDirectories: true)
        try await forge.checkout(branch, in: repository, to: directory)
        let sandbox = try Sandbox(root: directory)
        let files = sandbox.listFiles()
        let commands = try RepositoryCommands.resolve(files: files, read: { try? sandbox.readFile($0) }, override: testCommand)
        return Workspace(repository: repository, sandbox: sandbox, commands: commands)
    }

    /// A file as it is in the working copy, or `nil`.
    public func read(_ path: String) -> String? {
        try? sandbox.readFile(path)
    }

    /// Writes the changes, returning what each file was before (`nil`: it did not exist) so that
    /// a failed attempt can be undone.
    public func write(_ changes: [FileChange]) throws -> [String: String?] {
        var before: [String: String?] = [:]
        for change in changes {
            before[change.path] = .some(read(change.path))
            try sandbox.createFile(change.path, content: change.content)
        }
        return before
    }

    /// Puts files back as ``write(_:)`` found them.
    public func restore(_ before: [String: String?]) throws {
        for (path, content) in before {
            if let content { try sandbox.createFile(path, content: content) } else { try sandbox.removeFile(path) }
        }
    }

    /// Runs a command in the sandbox without network, limited to `timeout` seconds.
    public func run(_ command: String, timeout: TimeInterval, network: Bool = false) async throws -> Sandbox.Run {
        try await sandbox.execute(command, limits: Sandbox.Limits(timeout: timeout, network: network, outputLimit: 512 << 10), environment: Self.environment)
    }

    /// Caches of the tools (black, ruff, mypy, pip) go to the sandbox's private /tmp, never into the
    /// checkout where a fix would commit them.
    static let environment = ["CI": "true", "HOME": "/tmp", "XDG_CACHE_HOME": "/tmp/.cache", "PYTHONDONTWRITEBYTECODE": "1", "MYPY_CACHE_DIR": "/tmp/.mypy_cache"]

    /// Removes the working copy.
    public func remove() {
        try? FileManager.default.removeItem(at: sandbox.root)
    }
}
