import CNcursesw
import Dispatch
import Foundation
import TowerConsole

/// The terminal through ncursesw. Every ncurses call happens on one dedicated thread: it reads
/// keys (with a 16 ms timeout, so frames are drawn at most one tick after they arrive), draws the
/// newest frame by changed cells only, and restores the terminal on quit, SIGINT, SIGTERM or a
/// crash. Ctrl-Z gives the terminal back and stops the process; `fg` repaints everything.
public final class NcursesTerminal: Terminal, @unchecked Sendable {
    public let inputs: AsyncStream<TerminalInput>
    public let supportsUnicode: Bool
    /// What the terminal can show, after `NO_COLOR` and `COLORS`.
    public let depth: ColorDepth

    private let continuation: AsyncStream<TerminalInput>.Continuation
    private let lock = NSLock()
    private var pending: (canvas: Canvas, theme: Theme)?
    private var pendingBell = false
    /// An OSC 52 sequence to write after the next frame.
    private var pendingClipboard: String?
    private var invalidated = true
    private var running = true
    private var currentSize: Size
    private let finished = DispatchSemaphore(value: 0)
    private var signalSources: [any DispatchSourceSignal] = []
    private var shutDown = false

    // Owned by the ncurses thread only.
    private var previous: Canvas?
    private var lastTheme: Theme?
    private var styleCache: [Style: (attr_t, Int32)] = [:]
    private var pairs: [Int64: Int32] = [:]

    public var size: Size { lock.withLock { currentSize } }

    /// Takes over the terminal. Throws when standard input or output is not a terminal.
    /// With `mouse`, clicks and the wheel are reported; without, the terminal keeps them (its
    /// own selection and scrollback).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, mouse: Bool = true) throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { throw TerminalError.notATerminal }
        (inputs, continuation) = AsyncStream<TerminalInput>.makeStream()
        let ready = DispatchSemaphore(value: 0)
        let box = SetupBox()
        let thread = Thread { [box] in
            setlocale(LC_ALL, "")
            if environment["ESCDELAY"] == nil { set_escdelay(25) }
            // Ctrl-Z's handler goes in before initscr: ncurses then leaves SIGTSTP alone. Installed
            // after, it is ncurses' own that initscr saw, and ncurses ignores SIGTSTP while it
            // updates the screen, so a Ctrl-Z pressed during a frame was lost (the flaky tmux test).
            tower_install_suspend_handler()
            initscr()
            cbreak()
            noecho()
            nonl()
            intrflush(tower_stdscr(), false)
            keypad(tower_stdscr(), true)
            if mouse { tower_enable_mouse() }
            wtimeout(tower_stdscr(), 16)
            curs_set(0)
            var colors: Int32 = 0
            if environment["NO_COLOR"].map({ $0.isEmpty }) ?? true, has_colors() {
                start_color()
                use_default_colors()
                colors = tower_colors()
            }
            tower_install_crash_handlers()
            box.size = Size(width: Int(tower_cols()), height: Int(tower_lines()))
            box.unicode = tower_locale_is_utf8() != 0
            box.depth = ColorDepth.detect(environment: environment, terminalColors: Int(colors))
            ready.signal()
            box.loop?()
        }
        thread.name = "tower-ncurses"
        thread.stackSize = 1 << 20
        // The loop needs `self`; hand it over once initialised.
        let startLoop = DispatchSemaphore(value: 0)
        box.loop = { startLoop.wait(); box.owner?.loop() }
        thread.start()
        ready.wait()
        currentSize = box.size
        supportsUnicode = box.unicode
        depth = box.depth
        box.owner = self
        startLoop.signal()
        installSignalHandlers()
    }

    private final class SetupBox: @unchecked Sendable {
        var size = Size(width: 80, height: 24)
        var unicode = true
        var depth = ColorDepth.none
        var loop: (() -> Void)?
        weak var owner: NcursesTerminal?
    }

    private func installSignalHandlers() {
        for number in [SIGINT, SIGTERM, SIGHUP] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.continuation.yield(.interrupt) }
            source.resume()
            signalSources.append(source)
        }
        // Ctrl-Z (its handler is installed before initscr): the ncurses thread restores the
        // terminal and stops the process itself (ncurses' own handler would run on whichever
        // thread took the signal, racing the drawing thread).
        // Back from Ctrl-Z: repaint everything.
        let resumed = DispatchSource.makeSignalSource(signal: SIGCONT, queue: .global())
        resumed.setEventHandler { [weak self] in
            guard let self else { return }
            self.invalidate()
            self.continuation.yield(.resize(self.size))
        }
        resumed.resume()
        signalSources.append(resumed)
    }

    public func present(_ canvas: Canvas, theme: Theme) {
        lock.withLock { pending = (canvas, theme) }
    }

    public func bell() { lock.withLock { pendingBell = true } }

    public func copyToClipboard(_ text: String) { lock.withLock { pendingClipboard = Clipboard.osc52(text) } }

    public func invalidate() { lock.withLock { invalidated = true } }

    public func shutdown() {
        let first = lock.withLock { () -> Bool in
            defer { shutDown = true }
            running = false
            return !shutDown
        }
        guard first else { return }
        finished.wait()
        for source in signalSources { source.cancel() }
        continuation.finish()
    }

    // MARK: The ncurses thread

    private func loop() {
        var idle = 0
        while true {
            let (frame, ring, redraw, keepGoing, clipboard) = lock.withLock { () -> ((Canvas, Theme)?, Bool, Bool, Bool, String?) in
                defer {
                    pending = nil
                    pendingBell = false
                    invalidated = false
                    pendingClipboard = nil
                }
                return (pending, pendingBell, invalidated, running, pendingClipboard)
            }
            guard keepGoing else { break }
            if tower_take_suspend_request() != 0 {
                def_prog_mode()
                curs_set(1)
                endwin()
                kill(getpid(), SIGSTOP)  // the shell shows "Stopped"; `fg` continues here
                reset_prog_mode()
                curs_set(0)
                previous = nil
                clearok(tower_stdscr(), true)
                wrefresh(tower_stdscr())
            }
            if ring { beep() }
            if redraw {
                previous = nil
                clearok(tower_stdscr(), true)
            }
            if let frame { draw(frame.0, theme: frame.1) }
            // After the frame, whose output ncurses has flushed: the sequence is invisible.
            if let clipboard { Self.writeAll(clipboard) }
            var ch: wint_t = 0
            let result = wget_wch(tower_stdscr(), &ch)
            // About once a second without input: a terminal that went away without a hang-up
            // signal reaching us (a parent that swallowed it) ends the console instead of a loop
            // reading a dead terminal forever.
            idle = result == ERR ? idle + 1 : 0
            if idle % 60 == 59, Self.terminalHungUp() { continuation.yield(.interrupt) }
            if result == OK {
                continuation.yield(.key(Self.key(character: UInt32(ch))))
            } else if result == tower_key_code_yes() {
                if Int32(ch) == KEY_RESIZE {
                    let size = Size(width: Int(tower_cols()), height: Int(tower_lines()))
                    lock.withLock { currentSize = size }
                    previous = nil
                    continuation.yield(.resize(size))
                } else if Int32(ch) == tower_key_mouse() {
                    var x: Int32 = 0, y: Int32 = 0, kind: Int32 = 0
                    if tower_read_mouse(&x, &y, &kind) == OK, let event = Self.mouse(kind: kind, x: Int(x), y: Int(y)) { continuation.yield(.mouse(event)) }
                } else if let key = Self.key(code: Int32(ch)) {
                    continuation.yield(.key(key))
                }
            }
        }
        curs_set(1)
        endwin()
        finished.signal()
    }

    /// Whether standard input's terminal hung up (its other end closed).
    static func terminalHungUp() -> Bool {
        var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, 0) >= 0 else { return false }
        return descriptor.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0
    }

    /// The console's mouse event for the shim's kind (1 press, 4 wheel up, 5 wheel down).
    static func mouse(kind: Int32, x: Int, y: Int) -> MouseEvent? {
        switch kind {
        case 1: MouseEvent(.press, x: x, y: y)
        case 4: MouseEvent(.wheelUp, x: x, y: y)
        case 5: MouseEvent(.wheelDown, x: x, y: y)
        default: nil
        }
    }

    /// Writes to the terminal (standard output) past ncurses, whole.
    private static func writeAll(_ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
            if written <= 0 { return }
            offset += written
        }
    }

    private func draw(_ canvas: Canvas, theme: Theme) {
        if theme != lastTheme {
            lastTheme = theme
            styleCache = [:]
            previous = nil
        }
        if previous?.size != canvas.size {
            previous = nil
            werase(tower_stdscr())
        }
        let rows = min(canvas.size.height, Int(tower_lines()))
        let columns = min(canvas.size.width, Int(tower_cols()))
        var text: [wchar_t] = []
        for y in 0..<rows {
            for x in 0..<columns {
                let cell = canvas[x, y]
                if let previous, previous[x, y] == cell { continue }
                guard cell.width > 0 else { continue }
                if cell.width == 2 && x + 1 >= columns { continue }
                let (attributes, pair) = resolve(cell.style, theme)
                text.removeAll(keepingCapacity: true)
                for scalar in cell.text.unicodeScalars { text.append(wchar_t(bitPattern: scalar.value)) }
                text.append(0)
                _ = tower_put(Int32(y), Int32(x), text, attributes, pair)
            }
        }
        wnoutrefresh(tower_stdscr())
        doupdate()
        previous = canvas
    }

    private func resolve(_ style: Style, _ theme: Theme) -> (attr_t, Int32) {
        if let cached = styleCache[style] { return cached }
        let role = theme.style(style.role)
        let attributes = tower_attributes(style.bold || role.bold ? 1 : 0, style.reverse ? 1 : 0, style.underline ? 1 : 0)
        var pair: Int32 = 0
        if depth != .none {
            let fg = depth.index(of: role.foreground)
            let bg = depth.index(of: role.background)
            // A reversed cell with explicit colours is drawn with them swapped by the terminal:
            // keep reverse only when the theme gives no background of its own.
            if fg != -1 || bg != -1 { pair = self.pair(fg, bg) }
        }
        var resolved = (attributes, pair)
        if pair != 0, style.reverse, role.background != .terminalDefault {
            resolved.0 = tower_attributes(style.bold || role.bold ? 1 : 0, 0, style.underline ? 1 : 0)
        }
        styleCache[style] = resolved
        return resolved
    }

    private func pair(_ fg: Int, _ bg: Int) -> Int32 {
        let key = Int64(fg + 1) << 32 | Int64(bg + 1)
        if let existing = pairs[key] { return existing }
        let number = Int32(pairs.count + 1)
        guard number < tower_color_pairs() else { return 0 }
        _ = tower_init_pair(number, Int32(fg), Int32(bg))
        pairs[key] = number
        return number
    }

    static func key(character c: UInt32) -> Key {
        switch c {
        case 10, 13: return .enter
        case 27: return .escape
        case 127, 8: return .backspace
        case 9: return .tab
        case 1...26: return .control(Character(UnicodeScalar(c + 96)!))
        default: return .character(Character(UnicodeScalar(c) ?? "?"))
        }
    }

    static func key(code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_NPAGE: return .pageDown
        case KEY_PPAGE: return .pageUp
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_BTAB: return .backTab
        case KEY_ENTER: return .enter
        case KEY_F0 + 1...KEY_F0 + 24: return .function(Int(code - KEY_F0))
        default: return nil
        }
    }
}

/// Why the console could not take the terminal.
public enum TerminalError: Error, CustomStringConvertible {
    case notATerminal

    public var description: String {
        switch self {
        case .notATerminal: "the console needs a terminal (standard input and output must be a TTY); use `tower agent …` in scripts"
        }
    }
}
