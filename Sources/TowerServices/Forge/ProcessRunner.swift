import Foundation
import Subprocess
import SystemPackage

/// Runs a child process with a time limit and collected output: `git` for the local forge,
/// and CI commands in a checkout. On timeout or cancellation the child's whole process group
/// is killed, so a test runner that forked workers leaves nothing behind.
public struct ProcessRunner: Sendable {
    /// What a finished child left.
    public struct Outcome: Sendable, Equatable {
        /// The exit code, or `128 + signal` when a signal ended it (as a shell reports it).
        public var exitCode: Int32
        public var output: String
        public var error: String
        public var timedOut: Bool
        /// The output as bytes, for output that is not text (`git cat-file --batch`).
        public var outputBytes = Data()

        /// Equal when what the child did is equal; the bytes only mirror `output`.
        public static func == (a: Outcome, b: Outcome) -> Bool {
            a.exitCode == b.exitCode && a.output == b.output && a.error == b.error && a.timedOut == b.timedOut
        }

        public var succeeded: Bool { exitCode == 0 && !timedOut }
    }

    public init() {}

    /// Runs `executable` (a name looked up on PATH, or a path) with `arguments`.
    /// - Parameters:
    ///   - environment: the child's whole environment when `inherit` is false; otherwise
    ///     these values are added to (or, when nil, removed from) the parent's.
    ///   - outputLimit: the most of each stream that is kept; the end is kept, where a failure shows.
    public func run(
        _ executable: String, _ arguments: [String], in directory: URL? = nil, environment: [String: String?] = [:], inherit: Bool = true,
        input: Data? = nil, timeout: TimeInterval = 120, outputLimit: Int = 16 << 20
    ) async throws -> Outcome {
        guard executable == "git" || executable.hasSuffix("/git") else {
            return try await spawn(executable, arguments, in: directory, environment: environment, inherit: inherit, input: input, timeout: timeout, outputLimit: outputLimit)
        }
        return try await GitSpan.around(arguments) {
            try await spawn(executable, arguments, in: directory, environment: environment, inherit: inherit, input: input, timeout: timeout, outputLimit: outputLimit)
        }
    }

    private func spawn(
        _ executable: String, _ arguments: [String], in directory: URL?, environment: [String: String?], inherit: Bool,
        input: Data?, timeout: TimeInterval, outputLimit: Int
    ) async throws -> Outcome {
        let configuration = Configuration(
            executable: executable.contains("/") ? .path(FilePath(executable)) : .name(executable),
            arguments: Arguments(arguments),
            environment: inherit
                ? .inherit.updating(Dictionary(uniqueKeysWithValues: environment.map { (Environment.Key(stringLiteral: $0.key), $0.value) }))
                : .custom(Dictionary(uniqueKeysWithValues: environment.compactMap { key, value in value.map { (Environment.Key(stringLiteral: key), $0) } })),
            workingDirectory: directory.map { FilePath($0.path) },
            platformOptions: {
                var options = PlatformOptions()
                options.processGroupID = 0  // its own group, so the whole group can be killed
                return options
            }())
        let watchdog = Watchdog()
        // The watch lasts until the child has exited, not only until its output ends: a child
        // that closes its output and keeps running is held to the limit too.
        defer { watchdog.stop() }
        do {
            let result = try await Subprocess.run(configuration, input: .data(input ?? Data()), output: .sequence, error: .sequence) { execution in
                watchdog.start(after: timeout) { try? execution.send(signal: .kill, toProcessGroup: true) }
                return try await withThrowingTaskGroup(of: (Int, Data).self) { group in
                    group.addTask { (0, try await Self.collect(execution.standardOutput, limit: outputLimit)) }
                    group.addTask { (1, try await Self.collect(execution.standardError, limit: outputLimit)) }
                    var streams = [Data(), Data()]
                    for try await (index, data) in group { streams[index] = data }
                    return (streams[0], streams[1])
                }
            }
            let (output, error) = result.closureResult
            let code: Int32
            switch result.terminationStatus {
            case .exited(let value): code = value
            case .signaled(let signal): code = 128 + signal
            }
            return Outcome(
                exitCode: code, output: String(decoding: output, as: UTF8.self), error: String(decoding: error, as: UTF8.self), timedOut: watchdog.fired,
                outputBytes: output)
        } catch let error as SubprocessError where error.code == .executableNotFound {
            throw ProcessRunnerError.notFound(executable)
        }
    }

    /// Reads a stream to its end, keeping only its last `limit` bytes.
    static func collect(_ stream: SubprocessOutputSequence, limit: Int) async throws -> Data {
        var data = Data()
        for try await buffer in stream {
            buffer.withUnsafeBytes { data.append(contentsOf: $0) }
            if data.count > limit * 2 { data = Data(data.suffix(limit)) }
        }
        return data.count > limit ? Data(data.suffix(limit)) : data
    }
}

/// Why a child could not be run at all.
public enum ProcessRunnerError: Error, Equatable, CustomStringConvertible {
    case notFound(String)

    public var description: String {
        switch self {
        case .notFound(let name): "\(name) is not installed (not found on PATH)"
        }
    }
}

/// Kills the child's process group when its time is up, unless stopped first; remembers
/// whether it fired.
private final class Watchdog: @unchecked Sendable {
    private let lock = NSLock()
    private var task: Task<Void, Never>?
    private var didFire = false

    func start(after seconds: TimeInterval, kill: @escaping @Sendable () -> Void) {
        let task = Task { [weak self] in
            guard (try? await Task.sleep(nanoseconds: UInt64(max(0.001, seconds) * 1e9))) != nil, let self else { return }
            self.lock.withLock { self.didFire = true }
            kill()
        }
        lock.withLock { self.task = task }
    }

    func stop() { lock.withLock { task }?.cancel() }

    var fired: Bool { lock.withLock { didFire } }
}
