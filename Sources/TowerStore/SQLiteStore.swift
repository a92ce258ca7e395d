import Foundation
import GRDB
import TowerCore

#if canImport(Glibc)
    import Glibc
#endif

/// The embedded store: one SQLite file in WAL mode under the state directory, shared by the
/// console, `tower serve` and one-shot commands.
///
/// Writes use `BEGIN IMMEDIATE` so that a read-then-write transaction never has to upgrade its
/// lock (the upgrade is where SQLite gives up with "database is locked" regardless of the busy
/// timeout); the busy timeout lets writers from several processes queue instead of failing.
/// `synchronous=NORMAL` in WAL survives a killed process (what the crash tests do); only a
/// power loss can drop the last commits.
public final class SQLiteStore: Store {
    /// The database file's name inside the state directory.
    public static let fileName = "tower.sqlite"

    let pool: DatabasePool
    /// Where the database lives.
    public let path: String
    private let commitCounter = CommitCounter()
    /// The engine's task updates, written many to a transaction.
    let groupCommit: GroupCommit

    /// Opens (creating and migrating if needed) the store in `directory`.
    ///
    /// Opening a fresh file from several processes at once races on `journal_mode=WAL` and on the
    /// first migration, so opening holds an exclusive `flock` on a side file.
    /// - Parameter readers: concurrent read connections (each keeps its own page cache).
    public init(directory: URL, busyTimeout: TimeInterval = 30, readers: Int = 2) throws {
        _ = AllocatorTuning.applied
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw StoreError.cannotOpen(path: directory.path, reason: "cannot create the state directory (\(Self.reason(error)))")
        }
        let path = directory.appendingPathComponent(Self.fileName).path
        self.path = path

        let lockPath = path + ".lock"
        let lockFD = open(lockPath, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard lockFD >= 0 else {
            throw StoreError.cannotOpen(path: path, reason: "cannot open \(lockPath): \(String(cString: strerror(errno)))")
        }
        defer { close(lockFD) }
        while flock(lockFD, LOCK_EX) != 0 {
            guard errno == EINTR else {
                throw StoreError.cannotOpen(path: path, reason: "cannot lock \(lockPath): \(String(cString: strerror(errno)))")
            }
        }
        defer { flock(lockFD, LOCK_UN) }

        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.foreignKeysEnabled = true
        config.label = "tower"
        config.maximumReaderCount = max(1, readers)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            if let n = ProcessInfo.processInfo.environment["XCKPT"] { try db.execute(sql: "PRAGMA wal_autocheckpoint = \(n)") }
            // 512 KiB of page cache per connection instead of SQLite's 2 MB: the reads are by
            // index, the operating system caches the file anyway, and the console, which keeps
            // three connections open for days, stays small.
            try db.execute(sql: "PRAGMA cache_size = -512")
        }
        do {
            pool = try DatabasePool(path: path, configuration: config)
            try Migrations.migrator.migrate(pool)
        } catch {
            throw StoreError.cannotOpen(path: path, reason: Self.reason(error))
        }
        groupCommit = GroupCommit(
            onWriter: { [pool] work in pool.writeWithoutTransaction { db in work(db) } },
            committed: { [commitCounter] in commitCounter.increment() })
    }

    deinit {
        groupCommit.stop()
    }

    /// Write transactions committed through this instance (for benchmarks and health).
    public var commitCount: Int { commitCounter.count }

    /// Runs `body` on the writer, in a savepoint of the next `BEGIN IMMEDIATE` transaction, which
    /// it shares with the other writes queued meanwhile (``GroupCommit``): many drivers finishing
    /// steps, starts and decisions at once cost one commit. A body that throws is rolled back
    /// alone and its caller gets the error. Refused for a cancelled caller.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try Task.checkCancellation()
        return try await groupCommit.write(body)
    }

    /// Runs `body` on a reader (a snapshot; never blocks writers).
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.read(body)
    }

    private static func reason(_ error: any Error) -> String {
        if let db = error as? DatabaseError { return db.message ?? db.description }
        if let store = error as? StoreError { return store.description }
        return (error as NSError).localizedDescription
    }
}

/// Counts commits for the benchmark figures.
final class CommitCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0

    var count: Int { lock.withLock { value } }
    func increment() { lock.withLock { value += 1 } }
}
