import Foundation
import TowerTestLog

#if canImport(Glibc)
    import Glibc
#endif

/// A real child process whose standard output is read line by line as it arrives, so a test can
/// act (kill it, say) at an exact moment of its work.
public final class ChildProcess: @unchecked Sendable {
    public let process = Process()
    private let lock = NSLock()
    private var lines: [String] = []
    private var partial = Data()
    private var errorData = Data()
    /// Readers that reached the end of their pipe (two when all the output is in).
    private var readersDone = 0
    /// How the run log names this child's lines.
    private let logName: String

    public init(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil) throws {
        process.executableURL = executable
        logName = executable.lastPathComponent + (arguments.first.map { " \($0)" } ?? "")
        process.arguments = arguments
        if let environment { process.environment = environment }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        // Each pipe is read by a thread of its own with blocking reads until end of file. Dispatch
        // readability sources are not used: one still registered when its descriptor closes can
        // fire for the socket that reuses the number (the HTTP tests open many) and crash dispatch.
        let outHandle = out.fileHandleForReading
        let errHandle = err.fileHandleForReading
        let box = WeakChild(self)
        Thread.detachNewThread {
            while true {
                let data = outHandle.availableData
                if data.isEmpty { break }
                box.child?.absorb(data)
            }
            box.child?.readerDone()
        }
        Thread.detachNewThread {
            while true {
                let data = errHandle.availableData
                if data.isEmpty { break }
                guard let child = box.child else { continue }
                child.lock.withLock { child.errorData.append(data) }
                RunLog.record(String(decoding: data, as: UTF8.self), from: "\(child.logName) stderr")
            }
            box.child?.readerDone()
        }
        try process.run()
    }

    private func readerDone() { lock.withLock { readersDone += 1 } }

    private func absorb(_ data: Data) {
        lock.withLock {
            partial.append(data)
            while let newline = partial.firstIndex(of: 10) {
                let line = String(decoding: partial[partial.startIndex..<newline], as: UTF8.self)
                lines.append(line)
                RunLog.record(line, from: logName)
                partial.removeSubrange(partial.startIndex...newline)
            }
        }
    }

    /// Every complete line printed so far.
    public var output: [String] { lock.withLock { lines } }
    /// Standard error so far.
    public var errorOutput: String { lock.withLock { String(decoding: errorData, as: UTF8.self) } }

    /// Waits until `count` lines satisfy `predicate`; `false` on timeout or exit. Sleeps with
    /// `Task.sleep`, never blocking a thread of the shared pool that other tests need.
    @discardableResult
    public func waitForLines(count: Int = 1, timeout: TimeInterval = 30, where predicate: (String) -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if output.filter(predicate).count >= count { return true }
            if !process.isRunning { return output.filter(predicate).count >= count }
            try? await Task.sleep(nanoseconds: 1_000_000)
        }
        return false
    }

    /// SIGKILL: no cleanup, no flush, as a crash or the OOM killer would.
    /// Sends a signal (SIGSTOP and SIGCONT: a worker paused past its claim, then resumed).
    public func signal(_ number: Int32) {
        Glibc.kill(process.processIdentifier, number)
    }

    /// Its process id.
    public var pid: Int32 { process.processIdentifier }

    public func kill() {
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Waits for the exit; `nil` when it did not exit in time (the process is then killed).
    public func wait(timeout: TimeInterval = 60) async -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { try? await Task.sleep(nanoseconds: 2_000_000) }
        if process.isRunning {
            kill()
            return nil
        }
        process.waitUntilExit()
        // Let the readers drain the pipes to their end (a grandchild holding them open ends the
        // wait after 5 s).
        let drained = Date().addingTimeInterval(5)
        while lock.withLock({ readersDone < 2 }), Date() < drained { try? await Task.sleep(nanoseconds: 2_000_000) }
        return process.terminationStatus
    }

    /// Runs a command to completion: status, stdout, stderr.
    public static func run(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil, timeout: TimeInterval = 60) async throws -> (status: Int32, out: String, err: String) {
        let child = try ChildProcess(executable, arguments, environment: environment)
        let status = await child.wait(timeout: timeout) ?? -1
        return (status, child.output.joined(separator: "\n"), child.errorOutput)
    }
}

/// A weak reference the reader threads hold, so a finished test's process object can go away.
private final class WeakChild: @unchecked Sendable {
    weak var child: ChildProcess?
    init(_ child: ChildProcess) { self.child = child }
}
