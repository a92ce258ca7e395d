import Foundation

/// Puts a copy where the person can paste it, and says how. Inside tmux the text goes into
/// tmux's paste buffer with `tmux load-buffer -w -`, which also hands it on to the outer
/// terminal's clipboard when tmux's `set-clipboard` allows; elsewhere (a plain terminal, or one
/// at the other end of SSH) it is sent with OSC 52.
enum ClipboardWriter {
    static func copy(_ text: String, what: String, terminal: any Terminal, environment: [String: String]) async -> StatusMessage {
        let (copied, cut) = Clipboard.cut(text)
        let amount = cut
            ? "the first \(Clipboard.limit / 1024) KB of \(text.utf8.count / 1024) KB (cut)"
            : "\(copied.utf8.count) byte\(copied.utf8.count == 1 ? "" : "s")"
        if let socket = environment["TMUX"], !socket.isEmpty {
            do {
                try await loadBuffer(copied)
                return StatusMessage(text: "copied \(what), \(amount), into tmux's buffer (tmux load-buffer -w)", level: .info)
            } catch {
                terminal.copyToClipboard(copied)
                return StatusMessage(text: "copied \(what), \(amount), with OSC 52 (tmux load-buffer failed: \(error))", level: .error)
            }
        }
        terminal.copyToClipboard(copied)
        return StatusMessage(text: "copied \(what), \(amount), with OSC 52", level: .info)
    }

    /// `tmux load-buffer -w -` with `text` on its input; the tmux server is the one `$TMUX` names.
    static func loadBuffer(_ text: String) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["tmux", "load-buffer", "-w", "-"]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
                return
            }
            input.fileHandleForWriting.write(Data(text.utf8))
            try? input.fileHandleForWriting.close()
        }
        guard status == 0 else {
            let said = String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw CopyFailure(description: said.isEmpty ? "exit \(status)" : said)
        }
    }

    struct CopyFailure: Error, CustomStringConvertible {
        let description: String
    }
}

extension Clipboard {
    /// The OSC 52 sequence that sets the clipboard (`c`) to `text`.
    public static func osc52(_ text: String) -> String {
        "\u{1B}]52;c;" + Data(text.utf8).base64EncodedString() + "\u{07}"
    }
}
