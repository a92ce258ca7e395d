import Foundation
import TowerCore
import TowerEngine
import TowerStore

/// The console's effects: decisions and commands through the operator commands, loads that
/// report back as messages, the clipboard, themes and the bell.
extension ConsoleRuntime {
    var actor: Actor { Actor(user: options.user, channel: .console) }

    func perform(_ effect: Effect) async {
        switch effect {
        case .approve(let id, let note):
            await decide { try await self.commands.approve(id, by: self.actor, note: note) }
            await reload(id)
        case .reject(let id, let reason):
            await decide { try await self.commands.reject(id, by: self.actor, reason: reason) }
            await reload(id)
        case .retry(let id):
            await report {
                let task = try await self.commands.retry(id, by: self.actor)
                return "\(id) will resume at \(task.step?.rawValue ?? "its next step")"
            }
            await reload(id)
        case .grantBudget(let id, let amount):
            await report {
                guard let amount else {
                    let task = try await self.commands.stopAtBudget(id, by: self.actor)
                    return "\(id) stopped at its budget (retry resumes \(task.failedStep?.rawValue ?? "it"))"
                }
                let task = try await self.commands.grantBudget(id, amount: amount, base: self.options.taskBudget, by: self.actor)
                return "\(id): budget \(Dollars.text(task.budget ?? amount)); \(task.status.rawValue)"
            }
            await reload(id)
        case .start(let ticket, let description):
            await report {
                let title = ticket ?? String((description ?? "").prefix(80))
                let task = try await self.commands.start(ticketId: ticket, title: title, description: description ?? "", source: .console, by: self.actor)
                await self.reload(task.id)
                return "started \(task.id)\(ticket.map { " for \($0)" } ?? "")\(self.engine == nil ? "; the engine in \(self.engineOwner) runs it" : "")"
            }
        case .pause(let target):
            await report {
                let halt = try await self.commands.pause(target, by: self.actor)
                self.send(.haltsChanged(try await self.store.halts()))
                return "paused \(halt.name) (by \(halt.by)): \(halt.scope == .task ? "it stops" : "its tasks stop") before the next outside effect; :resume \(halt.name) goes on"
            }
        case .resume(let target):
            await report {
                let outcome = try await self.commands.resume(target, by: self.actor)
                self.send(.haltsChanged(try await self.store.halts()))
                if outcome.removed.isEmpty { return "\(target) was not paused" }
                return "resumed \(target)" + (outcome.tasks.isEmpty ? "" : ": \(outcome.tasks.joined(separator: ", ")) go on")
            }
        case .setFrozen(let on):
            await report {
                let freeze = try await self.commands.setFrozen(on, by: self.actor)
                self.send(.freezeChanged(freeze))
                return on ? "frozen: no new runs, pushes or auto-fixes until unfrozen" : "unfrozen"
            }
        case .loadLog, .loadPreview, .loadDetail, .loadOutbox, .loadSentry, .loadDeliveries, .loadWorkers, .loadAudit, .loadWaiting, .loadDigest, .redeliver:
            // Loads never hold up the frame that answers a key: they report back as messages.
            background.append(Task { await self.load(effect) })
            background.removeAll { $0.isCancelled }
        case .setTheme(let name):
            do {
                theme = try themes.load(name)
                send(.themeChanged(name))
                send(.actionFinished(StatusMessage(text: "theme \(name)", level: .info)))
                terminal.invalidate()
            } catch {
                send(.actionFinished(StatusMessage(text: "\(error)", level: .error)))
            }
        case .checkIntegrations:
            guard let check = checkIntegrations else {
                send(.actionFinished(StatusMessage(text: "this console has no integration checks", level: .error)))
                return
            }
            background.append(Task { self.send(.integrationsChecked(await check())) })
            background.removeAll { $0.isCancelled }
        case .copy(let text, let what):
            let terminal = terminal
            background.append(
                Task {
                    self.send(.actionFinished(await ClipboardWriter.copy(text, what: what, terminal: terminal, environment: ProcessInfo.processInfo.environment)))
                })
            background.removeAll { $0.isCancelled }
        case .bell:
            terminal.bell()
        case .redraw:
            terminal.invalidate()
        case .quit:
            state.quitting = true
        }
    }

    func load(_ effect: Effect) async {
        switch effect {
        case .loadLog(let id, let before, let count):
            do {
                let lines: [TaskEvent]
                if let before {
                    lines = try await store.events(taskId: id, before: before, limit: count)
                } else {
                    lines = try await store.lastEvents(taskId: id, count: count)
                }
                let total = try await store.eventCount(taskId: id)
                send(.logLoaded(taskId: id, lines: lines, total: total, older: before != nil))
            } catch {
                send(.actionFinished(StatusMessage(text: "cannot load the log: \(error)", level: .error)))
            }
        case .loadPreview(let id):
            if let lines = try? await store.lastEvents(taskId: id, count: Console.previewLines) { send(.previewLoaded(taskId: id, lines: lines)) }
        case .loadDetail(let id):
            do {
                send(.detailLoaded(try await DetailLoader.load(id, from: store)))
            } catch {
                send(.actionFinished(StatusMessage(text: "cannot load \(id): \(error)", level: .error)))
            }
        case .loadOutbox:
            if let messages = try? await store.outbox(limit: 1000) { send(.outboxLoaded(messages)) }
        case .loadDeliveries:
            if let deliveries = try? await store.deliveries(limit: 500) { send(.deliveriesLoaded(deliveries)) }
        case .loadWorkers:
            if let workers = try? await store.workers() { send(.workersLoaded(workers)) }
        case .loadWaiting:
            if let queue = try? await WaitingQueue.load(from: store) { send(.waitingLoaded(queue)) }
        case .loadDigest(let reach):
            do {
                let now = Date()
                send(.digestLoaded(try await ShiftDigest.load(from: store, since: now.addingTimeInterval(-reach), now: now)))
            } catch {
                send(.actionFinished(StatusMessage(text: "cannot load the hand-off: \(error)", level: .error)))
            }
        case .loadAudit:
            if let records = try? await store.auditTrail(since: nil, taskId: nil, limit: 1000) { send(.auditLoaded(records)) }
        case .redeliver(let id):
            do {
                let queued = try await store.redeliver(id: id, actor: actor, at: Date())
                send(.actionFinished(StatusMessage(text: queued ? "\(id) queued again" : "\(id) is no longer in the inbox", level: queued ? .info : .error)))
                await engine?.wake()
                await perform(.loadDeliveries)
            } catch {
                send(.actionFinished(StatusMessage(text: "cannot queue \(id) again: \(error)", level: .error)))
            }
        case .loadSentry:
            if let passes = try? await store.sentryPasses(trigger: nil, limit: 20), let fingerprints = try? await store.fingerprints(limit: 1000) {
                send(.sentryLoaded(passes: passes, fingerprints: fingerprints))
            }
        default:
            break
        }
    }

    var engineOwner: String {
        if case .watching(let holder) = state.health.engine { return holder }
        return "another process (none is running now)"
    }

    func decide(_ body: @escaping () async throws -> DecisionOutcome) async {
        await report {
            switch try await body() {
            case .decided(let a):
                await self.engine?.wake()
                return "plan \(a.decision?.rawValue ?? "decided") by \(a.decidedBy ?? "?") via console"
            case .alreadyDecided(let a):
                throw ConsoleActionError(
                    "already decided: \(a.decision?.rawValue ?? "?") by \(a.decidedBy ?? "?") via \(a.channel?.rawValue ?? "?")")
            }
        }
    }

    func report(_ body: @escaping () async throws -> String) async {
        do {
            let text = try await body()
            await engine?.wake()
            send(.actionFinished(StatusMessage(text: text, level: .info)))
        } catch {
            send(.actionFinished(StatusMessage(text: "\(error)", level: .error)))
        }
    }

    func reload(_ id: String) async {
        if let task = try? await store.task(id: id) { send(.tasksChanged([task])) }
    }
}
