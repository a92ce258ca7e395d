import Foundation

/// Where generated code runs: one directory, and nothing else writable. Commands run in Linux
/// namespaces made with `unshare` (no privileges needed where user namespaces are allowed):
/// every mount read-only except the sandbox directory, a private `/tmp`, their own process
/// tree (they cannot see or signal Tower's), no network unless asked, and limits on time
/// (the whole process group is killed), CPU, memory, file size and open files. The
/// environment is minimal, so no token of Tower's reaches the code. Files are written
/// through ``createFile(_:content:)``, which refuses any path that leaves the directory,
/// symbolic links included. This is the original's code-interpreter tool.
public struct Sandbox: Sendable {
    /// The directory the code may write, as the real path (symbolic links resolved).
    public let root: URL
    let runner = ProcessRunner()

    /// Limits for one command.
    public struct Limits: Sendable, Equatable {
        /// Wall-clock time; then the whole process group is killed.
        public var timeout: TimeInterval
        public var memoryBytes: Int
        public var fileSizeBytes: Int
        public var openFiles: Int
        /// Whether the command may use the network (installing packages, real CI).
        public var network: Bool
        /// How much of the output is kept (the end).
        public var outputLimit: Int

        public init(
            timeout: TimeInterval = 300, memoryBytes: Int = 4 << 30, fileSizeBytes: Int = 1 << 30, openFiles: Int = 1024, network: Bool = false,
            outputLimit: Int = 256 << 10
        ) {
            self.timeout = timeout
            self.memoryBytes = memoryBytes
            self.fileSizeBytes = fileSizeBytes
            self.openFiles = openFiles
            self.network = network
            self.outputLimit = outputLimit
        }
    }

    /// What a command left.
    public struct Run: Sendable, Equatable {
        public var exitCode: Int32
        /// Standard output and standard error, interleaved as written (the end, if long).
        public var output: String
        public var timedOut: Bool
        public var duration: TimeInterval

        public var succeeded: Bool { exitCode == 0 && !timedOut }
    }

    /// Makes the directory if needed.
    public init(root: URL) throws {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        self.root = URL(fileURLWithPath: try Self.realPath(root.path), isDirectory: true)
    }

    // MARK: Files

    /// Writes a file inside the sandbox (the original's create_file). Refuses absolute paths,
    /// `..`, and any path that a symbolic link would take outside the directory. Directories
    /// are checked before they are made, one level at a time, so nothing is ever created
    /// through a link that leads out; the file itself is opened without following a link.
    public func createFile(_ path: String, content: String) throws {
        _ = try resolve(path)
        let parts = path.split(separator: "/").map(String.init)
        var current = root.path
        for part in parts.dropLast() {
            current += "/" + part
            if FileManager.default.fileExists(atPath: current) {
                guard contains(try Self.realPath(current)) else { throw SandboxError.outside(path) }
            } else {
                // Nothing there, or a link to nothing: making the directory must not follow it.
                if (try? FileManager.default.destinationOfSymbolicLink(atPath: current)) != nil { throw SandboxError.outside(path) }
                try FileManager.default.createDirectory(atPath: current, withIntermediateDirectories: false)
            }
        }
        let file = current + "/" + parts[parts.count - 1]
        let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            if errno == ELOOP { throw SandboxError.outside(path) }
            throw SandboxError.cannotWrite(path, String(cString: strerror(errno)))
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        try handle.write(contentsOf: Data(content.utf8))
    }

    /// A file's text, or `nil` when there is none (same confinement as ``createFile(_:content:)``).
    public func readFile(_ path: String) throws -> String? {
        let url = try resolve(path)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        guard contains(try Self.realPath(url.path)) else { throw SandboxError.outside(path) }
        return String(decoding: try Data(contentsOf: url), as: UTF8.self)
    }

    /// Removes a file inside the sandbox (undoing a change that failed its tests); a link is
    /// removed itself, never what it points at.
    public func removeFile(_ path: String) throws {
        let url = try resolve(path)
        let parent = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: parent), contains(try Self.realPath(parent)) else { throw SandboxError.outside(path) }
        if unlink(url.path) != 0, errno != ENOENT { throw SandboxError.cannotWrite(path, String(cString: strerror(errno))) }
    }

    /// Every file below the sandbox directory, relative to it (git's directory and `.tower`
    /// left out), without following links.
    public func listFiles(limit: Int = 50_000) -> [String] {
        var paths: [String] = []
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey, .isSymbolicLinkKey]) else { return [] }
        for case let url as URL in walker {
            let name = url.lastPathComponent
            if [".git", ".tower", "node_modules", "__pycache__", ".venv", ".cache", ".mypy_cache", ".ruff_cache", ".pytest_cache"].contains(name) {
                walker.skipDescendants()
                continue
            }
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true else { continue }
            let full = url.resolvingSymlinksInPath().path
            guard full.hasPrefix(root.path + "/") else { continue }
            paths.append(String(full.dropFirst(root.path.count + 1)))
            if paths.count >= limit { break }
        }
        return paths.sorted()
    }

    /// Whether a real (link-free) path is the sandbox directory or below it.
    private func contains(_ realPath: String) -> Bool {
        realPath == root.path || realPath.hasPrefix(root.path + "/")
    }

    private func resolve(_ path: String) throws -> URL {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.isEmpty, !path.hasPrefix("/"), parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }), !path.contains("\0") else {
            throw SandboxError.outside(path)
        }
        return root.appendingPathComponent(path)
    }

    // MARK: Running

    /// Runs a shell command line in the sandbox directory.
    public func execute(_ command: String, limits: Limits = Limits(), environment: [String: String] = [:]) async throws -> Run {
        try Self.requireIsolation()
        var env = [
            "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": root.path, "LANG": "C.UTF-8", "TMPDIR": "/tmp", "TOWER_SANDBOX": "1",
        ]
        env.merge(environment) { _, new in new }
        let limitsLine = [
            "ulimit -t \(Int(limits.timeout.rounded(.up)) + 5)", "ulimit -v \(limits.memoryBytes / 1024)", "ulimit -f \(limits.fileSizeBytes / 1024)",
            "ulimit -n \(limits.openFiles)",
        ].joined(separator: " && ")
        return try await SandboxSpan.around(command, network: limits.network) {
            let started = Date()
            let outcome = try await runner.run(
                "/usr/bin/unshare", Self.unshareArguments(network: limits.network) + ["/bin/sh", "-c", Self.setup, "tower-sandbox", root.path, limitsLine, command],
                environment: env.mapValues { $0 }, inherit: false, timeout: limits.timeout, outputLimit: limits.outputLimit)
            if outcome.exitCode == Self.setupFailed { throw SandboxError.setupFailed(outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)) }
            return Run(exitCode: outcome.exitCode, output: outcome.output, timedOut: outcome.timedOut, duration: Date().timeIntervalSince(started))
        }
    }

    /// Runs `code` in `language` (python, bash or sh, node): the original's execute(language, code, timeout).
    public func execute(language: String, code: String, limits: Limits = Limits()) async throws -> Run {
        let (file, interpreter): (String, String)
        switch language.lowercased() {
        case "python", "python3", "py": (file, interpreter) = ("main.py", "python3")
        case "bash": (file, interpreter) = ("main.sh", "bash")
        case "sh", "shell": (file, interpreter) = ("main.sh", "sh")
        case "node", "javascript", "js": (file, interpreter) = ("main.js", "node")
        default: throw SandboxError.unsupportedLanguage(language)
        }
        let path = ".tower/run-\(UUID().uuidString.prefix(8))/\(file)"
        try createFile(path, content: code)
        defer { try? FileManager.default.removeItem(at: root.appendingPathComponent(path).deletingLastPathComponent()) }
        return try await execute("\(interpreter) \(path)", limits: limits)
    }

    /// Installs packages into the sandbox (the original's install_packages): pip into
    /// `.tower/python` (on `PYTHONPATH` for later runs), npm into `node_modules`. Network on.
    public func installPackages(_ packages: [String], manager: String = "pip", limits: Limits = Limits(timeout: 600, network: true)) async throws -> Run {
        guard packages.allSatisfy({ !$0.isEmpty && !$0.hasPrefix("-") && !$0.contains(where: { " ;&|$`'\"\\\n".contains($0) }) }) else {
            throw SandboxError.badPackageName(packages.joined(separator: " "))
        }
        var limits = limits
        limits.network = true
        switch manager {
        case "pip": return try await execute("python3 -m pip install --quiet --target .tower/python " + packages.joined(separator: " "), limits: limits)
        case "npm": return try await execute("npm install --no-audit --no-fund " + packages.joined(separator: " "), limits: limits)
        default: throw SandboxError.unsupportedLanguage(manager)
        }
    }

    // MARK: Isolation

    /// The exit status the setup script uses when it cannot build the sandbox.
    static let setupFailed: Int32 = 125

    /// Runs inside the new namespaces: $1 the sandbox, $2 the ulimit line, $3 the command.
    /// Binds the sandbox onto itself (staged through /mnt when it lives under /tmp, which gets a
    /// fresh tmpfs), then makes every other mount read-only.
    static let setup = #"""
        fail() { echo "tower sandbox: $*"; exit 125; }
        S="$1"
        mount --make-rprivate / || fail "cannot make mounts private"
        case "$S" in
          /tmp/*)
            mount --bind "$S" /mnt || fail "cannot stage $S"
            mount -t tmpfs -o size=512m,mode=1777 tmpfs /tmp || fail "cannot mount a private /tmp"
            mkdir -p "$S" && mount --bind /mnt "$S" && umount /mnt || fail "cannot bind $S"
            ;;
          *)
            mount --bind "$S" "$S" || fail "cannot bind $S"
            mount -t tmpfs -o size=512m,mode=1777 tmpfs /tmp || fail "cannot mount a private /tmp"
            ;;
        esac
        mount -t tmpfs -o size=64m tmpfs /dev/shm 2>/dev/null
        for m in $(awk '{print $2}' /proc/self/mounts | sort -u); do
          case "$m" in "$S"|/tmp|/dev/shm|/proc|/proc/*) continue ;; esac
          mount -o remount,bind,ro "$m" 2>/dev/null
        done
        [ -w / ] && fail "the root file system is still writable"
        cd "$S" || fail "cannot enter $S"
        eval "$2" || fail "cannot set limits"
        export PYTHONPATH="$S/.tower/python${PYTHONPATH:+:$PYTHONPATH}"
        exec 2>&1
        exec /bin/sh -c "$3"
        """#

    static func unshareArguments(network: Bool) -> [String] {
        ["--user", "--map-root-user", "--mount", "--pid", "--fork", "--kill-child", "--mount-proc"] + (network ? [] : ["--net"])
    }

    /// Whether namespaces can be made here, asked once per process.
    static let isolation: Result<Void, SandboxError> = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        process.arguments = unshareArguments(network: false) + ["/bin/true"]
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
            process.waitUntilExit()
        } catch {
            return .failure(.isolationUnavailable("unshare (util-linux) is not installed"))
        }
        let message = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return process.terminationStatus == 0 ? .success(()) : .failure(.isolationUnavailable(message))
    }()

    static func requireIsolation() throws {
        if case .failure(let error) = isolation { throw error }
    }

    static func realPath(_ path: String) throws -> String {
        guard let resolved = realpath(path, nil) else { throw SandboxError.outside(path) }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// Why the sandbox refused or could not run something.
public enum SandboxError: Error, Equatable, CustomStringConvertible {
    case outside(String)
    case cannotWrite(String, String)
    case isolationUnavailable(String)
    case setupFailed(String)
    case unsupportedLanguage(String)
    case badPackageName(String)

    public var description: String {
        switch self {
        case .outside(let path): "\(path) is outside the sandbox"
        case .cannotWrite(let path, let why): "cannot write \(path) in the sandbox: \(why)"
        case .isolationUnavailable(let why):
            "generated code cannot be isolated here (\(why)); Tower needs unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)"
        case .setupFailed(let why): "the sandbox could not be set up: \(why)"
        case .unsupportedLanguage(let language): "no interpreter for \(language) (python, bash, sh, node)"
        case .badPackageName(let names): "not a package name: \(names)"
        }
    }
}
