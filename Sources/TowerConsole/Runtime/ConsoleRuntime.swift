import Foundation
import TowerCore
import TowerEngine
import TowerStore

/// Runs the console: turns terminal input, engine events and store changes into messages, feeds
/// them through `Console.update`, performs the effects, and presents `ConsoleView.render` frames.
/// Redraws are coalesced to `frameInterval`, except that a frame follows every key at once.
public actor ConsoleRuntime {
    /// How the runtime was set up.
    public struct Options: Sendable {
        public var user: String
        public var themeName: String
        public var bell: Bool
        public var frameInterval: TimeInterval
        public var pollInterval: TimeInterval
        /// How often the integrations are checked again (as `tower doctor` does).
        public var integrationCheckInterval: TimeInterval
        /// What to do first, shown at the top of the help (the demo's walk-through).
        public var guide: [String]
        /// `TOWER_TASK_BUDGET`: what a grant adds to when a task has no budget of its own yet.
        public var taskBudget: Double?
        /// Whether the terminal reports clicks and the wheel (`--no-mouse`: it does not, and the
        /// terminal's own selection works as ever).
        public var mouse = true

        public init(
            user: String, themeName: String = "dark", bell: Bool = true, frameInterval: TimeInterval = 1.0 / 60, pollInterval: TimeInterval = 0.25,
            integrationCheckInterval: TimeInterval = 300, guide: [String] = []
        ) {
            self.guide = guide
            self.user = user
            self.themeName = themeName
            self.bell = bell
            self.frameInterval = frameInterval
            self.pollInterval = pollInterval
            self.integrationCheckInterval = integrationCheckInterval
        }
    }

    let store: any Store
    let commands: OperatorCommands
    let engine: Engine?
    let terminal: any Terminal
    let themes: ThemeLibrary
    let options: Options
    /// Checks every integration (the wiring passes `tower doctor`'s checks); `nil`: none.
    let checkIntegrations: (@Sendable () async -> [Health.Integration])?
    /// Work that must be done before the engine starts but must not delay the first frame (the
    /// demo loads its organization here); its answer is shown in the status line.
    let prepare: (@Sendable () async throws -> String)?
    /// The webhook listener running in this process, for the health line and the Deliveries screen.
    let listenerReport: (@Sendable () -> ListenerReport)?
    var state: AppState
    var theme: Theme
    private var inbox: AsyncStream<Message>.Continuation?
    private var lastFrame = Date.distantPast
    private var framePending = false
    private var watermark = Date.distantPast
    /// The newest model call the board's costs include, and the day they were loaded on.
    private var spendWatermark: Int64 = -1
    private var spendDay = Date.distantPast
    var background: [Task<Void, Never>] = []
    /// When the Digest screen's hand-off was last read again (every few seconds while shown).
    private var digestRead = Date.distantPast
    /// What this console says of itself to the others on the store ("also open by").
    private var beacon: PresenceBeacon
    private var engineTask: Task<Void, Never>?

    /// - Parameters:
    ///   - engine: the engine to run in this process, or `nil` to watch another process's engine.
    ///   - integrations: which services are configured, for the health line until the first check.
    ///   - checkIntegrations: asks every configured service who we are, at start, every
    ///     `integrationCheckInterval` and on `:doctor`.
    public init(
        store: any Store, engine: Engine?, terminal: any Terminal, themes: ThemeLibrary, options: Options, integrations: [Health.Integration],
        checkIntegrations: (@Sendable () async -> [Health.Integration])? = nil, prepare: (@Sendable () async throws -> String)? = nil,
        listenerReport: (@Sendable () -> ListenerReport)? = nil, colorless: Bool
    ) {
        self.prepare = prepare
        self.listenerReport = listenerReport
        self.store = store
        self.commands = OperatorCommands(store: store)
        self.engine = engine
        self.terminal = terminal
        self.themes = themes
        self.options = options
        self.checkIntegrations = checkIntegrations
        let available = themes.names()
        var status: StatusMessage?
        var theme = Theme.monochrome
        if !colorless {
            do {
                theme = try themes.load(options.themeName)
            } catch {
                status = StatusMessage(text: "\(error); using monochrome", level: .error)
            }
        }
        self.theme = theme
        var state = AppState(
            size: terminal.size, now: Date(), user: options.user, glyphs: terminal.supportsUnicode ? .unicode : .ascii,
            theme: theme.name, themes: available.isEmpty ? [theme.name] : available)
        state.bellOnAttention = options.bell
        state.guide = options.guide
        state.status = status
        state.health = Health(engine: engine == nil ? .none : .runningHere, integrations: integrations)
        self.state = state
        self.beacon = PresenceBeacon(user: options.user)
    }

    /// Runs until the operator quits or the process is interrupted; stops the engine cleanly.
    public func run() async {
        let (messages, continuation) = AsyncStream<Message>.makeStream(bufferingPolicy: .unbounded)
        inbox = continuation
        startSources()
        await initialLoad()
        present()
        // What the first frame did not wait for (costs, the preview, health) arrives as messages.
        await laterLoad()
        HeapTrim.now()
        for await message in messages {
            var isKey = false
            if case .key = message { isKey = true }
            if case .mouse = message { isKey = true }
            let effects = Console.update(&state, message)
            for effect in effects { await perform(effect) }
            if state.quitting { break }
            if isKey { present() } else { schedulePresent() }
        }
        for task in background { task.cancel() }
        terminal.shutdown()
        // Gone at once from the others' "also open by" (a killed console's row expires instead).
        let store = store, consoleId = beacon.consoleId
        await Task { try? await store.dropPresence(consoleId: consoleId) }.value
        // The engine finishes its steps' current writes and gives the lease back before we exit;
        // unfinished tasks resume at their last stored step next time.
        engineTask?.cancel()
        await engineTask?.value
    }

    func send(_ message: Message) { inbox?.yield(message) }

    // MARK: Sources

    private func startSources() {
        let terminal = self.terminal
        background.append(Task { [weak self] in
            for await input in terminal.inputs {
                guard let self else { return }
                switch input {
                case .key(let key): await self.send(.key(key))
                case .mouse(let event): await self.send(.mouse(event))
                case .resize(let size): await self.send(.resize(size))
                case .interrupt: await self.interrupt()
                }
            }
        })
        if let engine {
            let events = engine.bus.subscribe()
            let prepare = self.prepare
            engineTask = Task { [weak self] in
                if let prepare {
                    do {
                        let done = try await prepare()
                        await self?.send(.actionFinished(StatusMessage(text: done, level: .info)))
                    } catch {
                        await self?.send(.actionFinished(StatusMessage(text: "cannot start: \(error)", level: .error)))
                        return
                    }
                }
                await engine.run()
            }
            background.append(Task { [weak self] in
                for await event in events {
                    guard let self else { return }
                    switch event {
                    case .taskChanged(let task): await self.send(.tasksChanged([task]))
                    case .log(let line): await self.send(.logAppended([line]))
                    case .frozen(let frozen): await self.send(.freezeChanged(FreezeState(frozen: frozen)))
                    case .ciNews: break
                    case .leaseChanged: await self.refreshHealth()
                    }
                }
            })
        }
        let interval = options.pollInterval
        background.append(Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: UInt64(interval * 1e9))
                await self?.poll()
            }
        })
        background.append(Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 1_000_000_000)
                await self?.send(.tick(Date()))
            }
        })
        if let check = checkIntegrations {
            let every = options.integrationCheckInterval
            background.append(Task { [weak self] in
                while !Task.isCancelled {
                    let integrations = await check()
                    await self?.send(.integrationsChecked(integrations))
                    try? await Task.sleep(nanoseconds: UInt64(every * 1e9))
                }
            })
        }
    }

    private func interrupt() {
        state.quitting = true
        send(.tick(Date()))
    }

    /// The board's costs, reloaded when a model call is recorded (or the UTC day turns).
    private func refreshSpend() async throws {
        let (byTask, latest) = try await store.spendByTask()
        let today = try await store.spend(taskId: nil, since: Calendar.utc.startOfDay(for: Date()))
        spendWatermark = latest
        spendDay = Date()
        send(.spendLoaded(byTask, today: today))
    }

    /// What the first frame shows: the tasks, the freeze switch and the pauses.
    private func initialLoad() async {
        do {
            watermark = Date()
            let tasks = try await store.tasks(status: nil, limit: nil)
            _ = Console.update(&state, .tasksLoaded(tasks))
            _ = Console.update(&state, .freezeChanged(try await store.freezeState()))
            _ = Console.update(&state, .haltsChanged(try await store.halts()))
        } catch {
            _ = Console.update(&state, .actionFinished(StatusMessage(text: "cannot read the store: \(error)", level: .error)))
        }
    }

    /// The rest of the start: each answer is a message, handled after the first frame.
    private func laterLoad() async {
        do {
            try await refreshSpend()
            if let id = state.selection { await load(.loadPreview(taskId: id)) }
        } catch {
            send(.actionFinished(StatusMessage(text: "cannot read the store: \(error)", level: .error)))
        }
        await refreshHealth()
    }

    /// Picks up what other processes changed: tasks, log lines, the freeze switch, the engine.
    private func poll() async {
        do {
            let since = watermark
            watermark = Date().addingTimeInterval(-1)  // overlap a little: clocks and commits race
            let changed = try await store.tasks(updatedSince: since)
            if !changed.isEmpty {
                let fresh = changed.filter { state.tasks[$0.id] != $0 }
                if !fresh.isEmpty { send(.tasksChanged(fresh)) }
            }
            var lines: [TaskEvent] = []
            if let log = state.log {
                let page = try await store.events(taskId: log.taskId, after: log.lines.last?.sequence ?? 0, limit: 1000)
                if page.count == 1000 {
                    // Far behind (a flood): only the newest window is kept, so load just that.
                    let tail = try await store.lastEvents(taskId: log.taskId, count: log.capacity)
                    let total = try await store.eventCount(taskId: log.taskId)
                    send(.logLoaded(taskId: log.taskId, lines: tail, total: total, older: false))
                } else {
                    lines += page
                }
            }
            if let preview = state.previewTaskId, preview != state.log?.taskId {
                lines += try await store.events(taskId: preview, after: state.preview.last?.sequence ?? 0, limit: Console.previewLines)
            }
            if !lines.isEmpty { send(.logAppended(lines)) }
            if try await store.latestLLMCallId() != spendWatermark || !Calendar.utc.isDate(spendDay, inSameDayAs: Date()) { try await refreshSpend() }
            if state.screen == .sentry { await perform(.loadSentry) }
            if state.screen == .deliveries { await perform(.loadDeliveries) }
            if state.screen == .workers { await perform(.loadWorkers) }
            if state.screen == .audit { await perform(.loadAudit) }
            if state.screen == .approvals { await perform(.loadWaiting) }
            if state.screen == .digest, Date().timeIntervalSince(digestRead) >= 5 {
                digestRead = Date()
                await perform(.loadDigest(reach: state.digestReach))
            }
            let freeze = try await store.freezeState()
            if freeze != state.freeze { send(.freezeChanged(freeze)) }
            let halts = try await store.halts()
            if halts != state.halts { send(.haltsChanged(halts)) }
            try await sharePresence()
            await refreshHealth()
        } catch {
            send(.actionFinished(StatusMessage(text: "store: \(error)", level: .error)))
        }
    }

    /// Says which task this console has open (when it moved, or to renew it) and reads what the
    /// other consoles have open.
    private func sharePresence() async throws {
        let now = Date(), open = state.openTaskId
        if beacon.due(taskId: open, now: now) {
            try await store.touchPresence(beacon.presence(taskId: open, now: now))
            beacon.sent(taskId: open, at: now)
        }
        let others = beacon.others(try await store.presence(since: now.addingTimeInterval(-ConsolePresence.expiry)))
        if others != state.openElsewhere { send(.presenceChanged(others)) }
    }

    private func refreshHealth() async {
        var health = Health(
            engine: .none, integrations: state.health.integrations, llm: state.health.llm,
            sentryPass: (try? await store.sentryPasses(trigger: nil, limit: 1).first) ?? state.health.sentryPass)
        health.listener = listenerReport?()
        if let engine, await engine.isActive {
            health.engine = .runningHere
        } else if let lease = try? await store.lease(), lease.isLive(at: Date()) {
            health.engine = .watching(holder: "pid \(lease.pid) on \(lease.host)")
        } else if let workers = try? await store.workers(), let summary = Self.workersSummary(workers, now: Date()) {
            health.engine = .watching(holder: summary)
        }
        if health != state.health { send(.healthChanged(health)) }
    }

    /// Workers sharing a PostgreSQL store, as the health line says them: `2 workers on db-1,
    /// db-2; silent: db-4 (3s); lost: db-3 (14s)`; nil when none is running, silent or lost (all
    /// stopped, or none yet). A lost worker's tasks go to the others.
    static func workersSummary(_ workers: [WorkerRecord], now: Date) -> String? {
        let running = workers.filter { $0.state(at: now) == "running" }
        let troubled = ["silent", "lost"].map { state in (state, workers.filter { $0.state(at: now) == state }) }
        guard !running.isEmpty || troubled.contains(where: { !$0.1.isEmpty }) else { return nil }
        var text = "\(running.count) worker\(running.count == 1 ? "" : "s")"
        if !running.isEmpty { text += " on " + Set(running.map(\.host)).sorted().joined(separator: ", ") }
        for (state, list) in troubled where !list.isEmpty {
            text += "; \(state): " + list.prefix(3).map { "\($0.host) (\(Int(now.timeIntervalSince($0.heartbeatAt)))s)" }.joined(separator: ", ")
        }
        return text
    }

    // MARK: Frames

    private func present() {
        framePending = false
        lastFrame = Date()
        terminal.present(ConsoleView.render(state), theme: theme)
    }

    private func schedulePresent() {
        guard !framePending else { return }
        let wait = options.frameInterval - Date().timeIntervalSince(lastFrame)
        if wait <= 0 {
            present()
            return
        }
        framePending = true
        background.append(Task { [weak self] in
            try? await Task.sleep(nanoseconds: UInt64(wait * 1e9))
            await self?.presentIfPending()
        })
        background.removeAll { $0.isCancelled }
    }

    private func presentIfPending() {
        if framePending { present() }
    }
}

/// An action that could not be done, said plainly.
struct ConsoleActionError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
