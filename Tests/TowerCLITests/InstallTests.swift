import Foundation
import Testing
import TowerTestSupport

extension ProcessTests {
    /// `scripts/install PREFIX` with the built binary: the layout, the man page and completions,
    /// and a `tower` that finds its files from any directory, or falls back to its built-in ones.
    @Suite(.serialized) struct InstallTests {
        static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

        /// Runs a shell command line in `directory`.
        private func sh(_ line: String, in directory: URL, environment: [String: String]) async throws -> (status: Int32, out: String, err: String) {
            try await ChildProcess.run(URL(fileURLWithPath: "/bin/sh"), ["-c", "cd '\(directory.path)' && \(line)"], environment: environment, timeout: 120)
        }

        @Test func theInstalledBinaryFindsItsFilesFromAnyDirectoryAndFallsBackWithoutThem() async throws {
            let scratch = TemporaryDirectory.make("install")
            let prefix = scratch.appendingPathComponent("prefix")
            let elsewhere = scratch.appendingPathComponent("somewhere/else")
            try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
            let env = isolatedEnvironment([
                "TOWER_BINARY": towerBinary.path, "TOWER_GENERATE_MANUAL": BuiltProducts.url("generate-manual-tool").path,
            ])
            let install = try await sh("'\(Self.packageRoot.path)/scripts/install' '\(prefix.path)'", in: elsewhere, environment: env)
            #expect(install.status == 0, "\(install.out)\n\(install.err)")

            let share = prefix.appendingPathComponent("share")
            let read = { (path: String) in (try? String(contentsOf: share.appendingPathComponent(path), encoding: .utf8)) ?? "" }
            #expect(read("tower/themes/dark.toml") == (try String(contentsOf: Self.packageRoot.appendingPathComponent("themes/dark.toml"), encoding: .utf8)))
            #expect(!read("tower/prompts/planning/system.md").isEmpty)
            #expect(read("man/man1/tower.1").contains(".Dt TOWER 1") && read("man/man1/tower.1").contains("demo"))
            #expect(read("bash-completion/completions/tower").contains("_tower"))
            #expect(read("zsh/site-functions/_tower").hasPrefix("#compdef tower"))
            #expect(read("fish/vendor_completions.d/tower.fish").contains("complete -c 'tower'"))

            // From another directory: the files beside the installation.
            let tower = prefix.appendingPathComponent("bin/tower").path
            let found = try await sh("'\(tower)' config", in: elsewhere, environment: env)
            #expect(found.status == 0, "\(found.err)")
            #expect(found.out.contains("prompts    \(share.path)/tower/prompts"), "\(found.out)")
            #expect(found.out.contains("dark (\(share.path)/tower/themes/dark.toml)"), "\(found.out)")

            // No share/ at all: the built-in copies, and the demo still runs on them.
            try FileManager.default.removeItem(at: share)
            let bare = try await sh("'\(tower)' config", in: elsewhere, environment: env)
            #expect(bare.out.contains("prompts    built-in") && bare.out.contains("dark (built-in)"), "\(bare.out)")
            let demo = try await sh("'\(tower)' demo --no-console --auto-approve --state-dir '\(scratch.path)/state'", in: elsewhere, environment: env)
            #expect(demo.status == 0, "\(demo.out)\n\(demo.err)")

            // And the console opens in colour, with no complaint about a missing theme.
            let tmux = try TmuxSession(width: 100, height: 30, environment: env)
            try tmux.type("cd '\(elsewhere.path)' && '\(tower)' --state-dir '\(scratch.path)/console' --no-engine --no-checks")
            try tmux.keys("Enter")
            let board = try await tmux.waitFor("Tower ▸ Board")
            #expect(board.ok, "\(board.screen)")
            #expect(!board.screen.contains("no theme") && !board.screen.contains("monochrome"), "\(board.screen)")
            try tmux.keys("q")
        }
    }
}
