import Foundation
import Testing
import TowerHTTPTestSupport
import TowerTestLog
import TowerTestSupport

@testable import TowerServices

/// Generated code in the sandbox: real processes in real namespaces.
@Suite struct SandboxTests {
    let outside = TemporaryDirectory.make("outside")

    func sandbox() throws -> Sandbox { try Sandbox(root: TemporaryDirectory.make("sandbox").appendingPathComponent("work")) }

    @Test func filesStayInsideTheDirectory() throws {
        let box = try sandbox()
        try box.createFile("src/auth/google.ts", content: "export const google = 1;\n")
        #expect(try box.readFile("src/auth/google.ts") == "export const google = 1;\n")
        #expect(try box.readFile("missing.txt") == nil)
        for path in ["../escape.txt", "/etc/escape", "src/../../escape", "", "a//b"] {
            #expect(throws: SandboxError.outside(path)) { try box.createFile(path, content: "x") }
        }
        // A link the code made, pointing out: writing or reading through it is refused.
        try FileManager.default.createSymbolicLink(atPath: box.root.appendingPathComponent("out").path, withDestinationPath: outside.path)
        #expect(throws: SandboxError.outside("out/x.txt")) { try box.createFile("out/x.txt", content: "x") }
        try "secret".write(to: outside.appendingPathComponent("x.txt"), atomically: true, encoding: .utf8)
        #expect(throws: SandboxError.outside("out/x.txt")) { try box.readFile("out/x.txt") }
        try FileManager.default.createSymbolicLink(atPath: box.root.appendingPathComponent("passwd").path, withDestinationPath: "/etc/passwd")
        #expect(throws: SandboxError.outside("passwd")) { try box.createFile("passwd", content: "x") }
        #expect(!FileManager.default.fileExists(atPath: outside.appendingPathComponent("out").path))
        // Deeper through the same link: no directory may be made out there before the refusal.
        #expect(throws: SandboxError.outside("out/sub/deeper/x.txt")) { try box.createFile("out/sub/deeper/x.txt", content: "x") }
        #expect(!FileManager.default.fileExists(atPath: outside.appendingPathComponent("sub").path))
        // A sibling whose name starts with the sandbox's is outside too.
        let sibling = URL(fileURLWithPath: box.root.path + "-evil", isDirectory: true)
        try FileManager.default.createDirectory(at: sibling, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: box.root.appendingPathComponent("near").path, withDestinationPath: sibling.path)
        #expect(throws: SandboxError.outside("near/x.txt")) { try box.createFile("near/x.txt", content: "x") }
        #expect(!FileManager.default.fileExists(atPath: sibling.appendingPathComponent("x.txt").path))
        // A link that stays inside is followed.
        try FileManager.default.createSymbolicLink(atPath: box.root.appendingPathComponent("lib").path, withDestinationPath: box.root.appendingPathComponent("src").path)
        try box.createFile("lib/auth/apple.ts", content: "export const apple = 1;\n")
        #expect(try box.readFile("src/auth/apple.ts") == "export const apple = 1;\n")
    }

    @Test func commandsCanWriteOnlyTheSandboxAndAPrivateTmp() async throws {
        let box = try sandbox()
        let marker = "tower-sandbox-\(UUID().uuidString.prefix(8))"
        let run = try await box.execute(
            """
            echo inside > result.txt && echo wrote-inside
            echo x > \(outside.path)/\(marker) 2>/dev/null || echo outside-refused
            echo x > /tmp/\(marker) && echo tmp-private
            echo x > "$HOME/.profile-test" && echo home-is-sandbox
            ls /proc | grep -c '^[0-9]'
            """)
        #expect(run.succeeded, "\(run.output)")
        #expect(run.output.contains("wrote-inside") && run.output.contains("outside-refused") && run.output.contains("tmp-private") && run.output.contains("home-is-sandbox"))
        #expect(try box.readFile("result.txt") == "inside\n")
        #expect(!FileManager.default.fileExists(atPath: outside.appendingPathComponent(marker).path))
        #expect(!FileManager.default.fileExists(atPath: "/tmp/\(marker)"))
        // Its own process tree: a shell and ls and grep, not Tower's processes.
        let processes = Int(run.output.split(separator: "\n").last.map(String.init) ?? "") ?? 99
        #expect(processes < 8, "\(run.output)")
    }

    @Test func noNetworkUnlessAskedAndNoSecretsInTheEnvironment() async throws {
        let server = try await TestServer.start { $0.get("/ping") { _, _ in "pong" } }
        defer { server.stop() }
        let box = try sandbox()
        setenv("GITHUB_TOKEN", "ghp_tst0secret_sandbox_env", 1)
        defer { unsetenv("GITHUB_TOKEN") }
        let probe = "python3 -c \"import urllib.request; print(urllib.request.urlopen('\(server.url("/ping"))', timeout=5).read().decode())\""
        let offline = try await box.execute(probe)
        #expect(!offline.succeeded && !offline.output.contains("pong"))
        let online = try await box.execute(probe, limits: Sandbox.Limits(network: true))
        #expect(online.succeeded && online.output.contains("pong"), "\(online.output)")
        let environment = try await box.execute("env")
        #expect(!environment.output.contains(TestSecrets.marker) && environment.output.contains("TOWER_SANDBOX=1"))
    }

    @Test func timeAndMemoryAreLimited() async throws {
        let box = try sandbox()
        // A child in the background and a hang: the whole group goes at the limit.
        let hung = try await box.execute("sleep 60 & sleep 60; echo never", limits: Sandbox.Limits(timeout: 1))
        #expect(hung.timedOut && !hung.output.contains("never"))
        let hog = try await box.execute(language: "python", code: "x = bytearray(2 << 30)\nprint('allocated')\n", limits: Sandbox.Limits(memoryBytes: 512 << 20))
        #expect(!hog.succeeded && hog.output.contains("MemoryError") && !hog.output.contains("allocated"), "\(hog.output)")
        let bigFile = try await box.execute("head -c 3000000 /dev/zero > big.bin; echo status $?", limits: Sandbox.Limits(fileSizeBytes: 1 << 20))
        #expect(bigFile.output.contains("status") && !bigFile.output.contains("status 0"), "\(bigFile.output)")
    }

    @Test func codeInALanguageRunsFromAFileInsideTheSandbox() async throws {
        let box = try sandbox()
        let python = try await box.execute(language: "python", code: "import os\nprint(sum(range(10)), os.getcwd())\n")
        #expect(python.succeeded && python.output == "45 \(box.root.path)\n", "\(python.output)")
        let shell = try await box.execute(language: "bash", code: "echo $((6*7))\n")
        #expect(shell.output == "42\n")
        await #expect(throws: SandboxError.unsupportedLanguage("cobol")) { _ = try await box.execute(language: "cobol", code: "") }
        await #expect(throws: SandboxError.badPackageName("requests; rm -rf /")) { _ = try await box.installPackages(["requests; rm -rf /"]) }
    }
}
