import Foundation
import TowerServices

/// A local forge repository's default branch, moved to the commit a ticket was filed against and
/// back. Its true head is kept under `refs/bench/head`, so a run that died with the branch moved
/// puts it back at the start of the next.
struct ForgeBranch {
    let repo: RepositoryRef
    let name: String
    /// The branch's commit when no ticket has moved it.
    let head: String
    private let gitDir: String

    init(root: URL, repo: RepositoryRef, name: String) throws {
        self.repo = repo
        self.name = name
        gitDir = root.appendingPathComponent(repo.owner).appendingPathComponent("\(repo.name).git").path
        if let kept = try? Self.git(gitDir, ["rev-parse", "--verify", "--quiet", "refs/bench/head"]), !kept.isEmpty {
            head = kept
        } else {
            head = try Self.git(gitDir, ["rev-parse", "--verify", "refs/heads/\(name)"])
            _ = try Self.git(gitDir, ["update-ref", "refs/bench/head", head])
        }
        try restore()
    }

    /// Points the branch at `commit`.
    func move(to commit: String) throws { _ = try Self.git(gitDir, ["update-ref", "refs/heads/\(name)", commit]) }

    /// Points the branch at its true head again.
    func restore() throws { try move(to: head) }

    private static func git(_ gitDir: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "--git-dir", gitDir] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchError("git \(arguments.joined(separator: " ")) in \(gitDir) exited \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A benchmark that cannot set itself up says what failed.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
