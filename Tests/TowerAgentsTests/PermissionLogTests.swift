import Foundation
import Hummingbird
import Testing
import TowerHTTPTestSupport
import TowerTestSupport

@testable import TowerAgents

/// Permission failures as a GitHub runner prints them, classified `permission`, never
/// `unknown`. The push is real git against a server that refuses it the way GitHub does (a
/// 403 whose text/plain body git shows as `remote:` lines); the messages are those public
/// issues quote from real runs (peter-evans/create-pull-request#844, ad-m/github-push-action#96,
/// tokens-studio/plugin-example-multi#11, actions/github-script#488, xRiskLab/xBooster#12).
@Suite struct PermissionLogTests {
    /// What `git push` printed to a server answering 403 with `message`, as an Actions job log.
    static func refusedPush(_ message: String) async throws -> String {
        let server = try await TestServer.start { router in
            for method in [HTTPRequest.Method.get, .post] {
                router.on("**", method: method) { _, _ in
                    Response(status: .forbidden, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: message + "\n")))
                }
            }
        }
        defer { server.stop() }
        let repository = TemporaryDirectory.make("push").appendingPathComponent("repo")
        try FileManager.default.createDirectory(at: repository, withIntermediateDirectories: true)
        let git = URL(fileURLWithPath: "/usr/bin/git")
        let environment = ["HOME": repository.path, "GIT_TERMINAL_PROMPT": "0", "PATH": "/usr/bin:/bin"]
        _ = try await ChildProcess.run(git, ["-C", repository.path, "init", "-q"], environment: environment)
        _ = try await ChildProcess.run(
            git, ["-C", repository.path, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "x"], environment: environment)
        let push = try await ChildProcess.run(git, ["-C", repository.path, "push", server.url("/acme/billing-service").absoluteString, "HEAD:refs/heads/ai/PROJ-1"], environment: environment)
        #expect(push.status == 128)
        let stamp = "2026-11-20T09:15:10.0754560Z "
        let output = (push.out + push.err).split(separator: "\n").map { stamp + $0 }
        return ([stamp + "##[group]Run git push origin HEAD:ai/PROJ-1", stamp + "##[endgroup]"] + output + [stamp + "##[error]Process completed with exit code 128."])
            .joined(separator: "\n")
    }

    @Test(arguments: ["Permission to acme/billing-service.git denied to github-actions[bot].", "Write access to repository not granted."])
    func aPushRefusedWith403IsAPermissionFailure(_ message: String) async throws {
        let log = try await Self.refusedPush(message)
        #expect(log.contains("remote: \(message)") && log.contains("The requested URL returned error: 403"), "\(log)")
        let result = LogClassifier.classify([log])
        #expect(result.classes == [.permission], "\(result.classes): \(result.excerpt)")
        #expect(!result.autoFixable)
        #expect(result.excerpt.contains(message))
    }

    @Test func anAPICallTheTokenMayNotMakeIsAPermissionFailure() {
        let stamp = "2026-11-20T09:15:10.0754560Z "
        let log = [
            "##[group]Run actions/github-script@v7", "##[endgroup]",
            "RequestError [HttpError]: Resource not accessible by integration",
            "    at /home/runner/work/_actions/actions/github-script/v7/dist/index.js:9537:21",
            "  status: 403,",
            "##[error]Unhandled error: HttpError: Resource not accessible by integration",
        ].map { stamp + $0 }.joined(separator: "\n")
        let result = LogClassifier.classify([log])
        #expect(result.classes == [.permission])
        #expect(result.excerpt.contains("Resource not accessible by integration"))
    }
}
