import Foundation
import TowerTestLog
import TowerTestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A tmux server of the test's own (its own socket), with one pane running a plain shell, for
/// driving the real `tower` binary: send keys, read the screen, resize.
final class TmuxSession {
    let socket = "tower-test-\(UUID().uuidString.prefix(8))"
    let name = "console"
    let environment: [String: String]
    static let tmux = URL(fileURLWithPath: "/usr/bin/tmux")

    init(width: Int, height: Int, environment: [String: String], extra: [String: String] = [:]) throws {
        var env = environment
        env["PS1"] = "PROMPT$ "
        self.environment = env
        var arguments = ["-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)",
                         "-e", "TERM=tmux-256color", "-e", "LANG=C.UTF-8", "-e", "PS1=PROMPT$ "]
        for (key, value) in extra { arguments += ["-e", "\(key)=\(value)"] }
        arguments += ["bash --norc --noprofile"]
        try run(arguments)
        _ = try run(["-L", socket, "set-option", "-g", "window-size", "manual"])
    }

    deinit {
        _ = try? run(["-L", socket, "kill-server"])
    }

    /// Runs tmux with posix_spawn and waitpid. Foundation's Process is not used here: the tmux
    /// server forks from the first client and would inherit the descriptor Process watches for
    /// the child's exit, so the client would never count as finished.
    @discardableResult
    func run(_ arguments: [String]) throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("tmux-\(UUID().uuidString).out").path
        defer { unlink(output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([Self.tmux.path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        // Threads of the test process block most signals; a child inherits that mask, and a tmux
        // server with SIGTERM blocked ignores kill-server. Start it with a clean slate.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, Self.tmux.path, &actions, &attributes, argv, envp)
        guard spawned == 0 else { throw TmuxError(message: "cannot start tmux: \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        guard status == 0 else { throw TmuxError(message: "tmux \(arguments.prefix(4).joined(separator: " ")): \(text)") }
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }

    /// Types text (literally) into the pane.
    func type(_ text: String) throws { try run(["-L", socket, "send-keys", "-t", name, "-l", text]) }

    /// Sends named keys (`Enter`, `Tab`, `Escape`, `q`…).
    func keys(_ keys: String...) throws { try run(["-L", socket, "send-keys", "-t", name] + keys) }

    /// The screen as text; with `escapes`, with its SGR attribute and colour sequences.
    func capture(escapes: Bool = false) throws -> String {
        let screen = try run(["-L", socket, "capture-pane", "-p", "-t", name] + (escapes ? ["-e"] : []))
        RunLog.record(screen, from: "tmux \(name)")
        return screen
    }

    func resize(width: Int, height: Int) throws {
        try run(["-L", socket, "resize-window", "-t", name, "-x", "\(width)", "-y", "\(height)"])
    }

    /// A tmux format value for the pane (`#{cursor_flag}`, `#{alternate_on}`…).
    func display(_ format: String) throws -> String {
        try run(["-L", socket, "display-message", "-p", "-t", name, format]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Waits until the screen satisfies `predicate`; returns the last screen either way.
    ///
    /// A capture can land while the console is halfway through painting a frame: tmux applies a
    /// frame's bytes as they arrive, so the header can be there and the rows not yet (a CI run on a
    /// busy machine saw exactly that). A matching screen is therefore returned once it has settled:
    /// captured twice in a row, unchanged. A screen that never settles (a log streaming fast) is
    /// returned as last seen after a bounded number of tries, so a live screen cannot stall a test.
    @discardableResult
    func waitFor(timeout: TimeInterval = 45, _ predicate: (String) -> Bool) async throws -> (ok: Bool, screen: String) {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = ""
        while Date() < deadline {
            screen = try capture()
            if predicate(screen) { return (true, try await settled(screen, predicate)) }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        return (false, screen)
    }

    /// The screen once two captures 40 ms apart agree, as long as it still satisfies `predicate`.
    private func settled(_ first: String, _ predicate: (String) -> Bool) async throws -> String {
        var last = first
        for _ in 0..<12 {
            try await Task.sleep(nanoseconds: 40_000_000)
            let next = try capture()
            if next == last { return next }
            if predicate(next) { last = next }
        }
        return last
    }

    func waitFor(_ text: String, timeout: TimeInterval = 45) async throws -> (ok: Bool, screen: String) {
        try await waitFor(timeout: timeout) { $0.contains(text) }
    }
}

struct TmuxError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
