import Foundation
import HTTPTypes
import TowerCore
import TowerNet
import ZIPFoundation

/// GitHub Actions and archives: a pull request's workflow runs (polled with ETags), a run's
/// logs (a zip) and a branch's files (a tarball). Apart from the JSON methods because each
/// download is bounded, unpacked and checked on its own terms.
extension GitHubClient {
    /// The PR's workflow runs for a branch; `unchanged` when GitHub answered 304 to our ETag.
    public func listWorkflowRuns(owner: String, repo: String, branch: String) async throws -> (runs: [WorkflowRun], unchanged: Bool) {
        struct Runs: Decodable { var workflow_runs: [WorkflowRun] }
        let answer = try await http.conditionalGet(request(.get, "/repos/\(owner: owner)/\(repo: repo)/actions/runs", query: ["branch": branch]), cache: etags)
        let runs: Runs = try decode(answer.response)
        return (runs.workflow_runs, answer.unchanged)
    }

    /// A run's logs: GitHub answers with a redirect to a zip, which is followed and unpacked
    /// (at most `limit` bytes in all, so a hostile archive cannot fill the disk or memory).
    public func getWorkflowRunLogs(owner: String, repo: String, runId: Int, limit: Int = 64 << 20) async throws -> [(name: String, text: String)] {
        var logs = request(.get, "/repos/\(owner: owner)/\(repo: repo)/actions/runs/\(runId, as: "run_id")/logs")
        logs.maxResponseBytes = limit  // the archive itself is held to the same limit
        logs.timeout = 300
        let response: HTTPClientResponse
        do {
            response = try await http.send(logs)
        } catch HTTPClientError.tooLarge {
            throw ServiceError(service: "GitHub", status: 200, message: "the logs of run \(runId) are more than \(ByteSize.short(limit)) zipped")
        }
        guard response.status.kind == .successful else {
            let _: GitHubErrorBody = try decode(response)
            return []
        }
        let archive: Archive
        do {
            archive = try Archive(data: response.body, accessMode: .read)
        } catch {
            throw ServiceError(service: "GitHub", status: response.status.code, message: "the logs of run \(runId) are not a zip archive")
        }
        var files: [(name: String, text: String)] = []
        var total = 0
        for entry in archive where entry.type == .file {
            var data = Data()
            _ = try archive.extract(entry, skipCRC32: false) { chunk in
                total += chunk.count
                guard total <= limit else { throw ServiceError(service: "GitHub", status: 200, message: "the logs of run \(runId) unpack to more than \(ByteSize.short(limit))") }
                data.append(chunk)
            }
            files.append((entry.path, String(decoding: data, as: UTF8.self)))
        }
        return files.sorted { $0.name < $1.name }
    }

    /// A branch's files (`GET …/tarball/{ref}`, a redirect to a gzipped tar), unpacked into
    /// `directory` without GitHub's top-level folder. At most `limit` bytes are downloaded.
    public func downloadTarball(owner: String, repo: String, ref: String, into directory: URL, limit: Int = 512 << 20) async throws {
        var tarball = request(.get, "/repos/\(owner: owner)/\(repo: repo)/tarball/\(ref: ref)")
        tarball.maxResponseBytes = limit
        tarball.timeout = 600
        let response = try await http.send(tarball)
        guard response.status.kind == .successful else {
            let _: GitHubErrorBody = try decode(response)
            return
        }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // --no-same-owner and no absolute names: tar's defaults for an unprivileged extract.
        let outcome = try await ProcessRunner().run(
            "tar", ["-xz", "--strip-components=1", "--no-same-owner", "--no-same-permissions", "-C", directory.path], input: response.body, timeout: 600)
        guard outcome.succeeded else {
            throw ServiceError(service: "GitHub", status: response.status.code, message: "the tarball of \(owner)/\(repo)@\(ref) did not unpack: \(outcome.error.prefix(300))")
        }
    }
}
