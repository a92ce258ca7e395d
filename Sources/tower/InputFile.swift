import Foundation

/// What a command reads from a path, or from standard input when the path is `-`.
enum InputFile {
    /// The bytes, or `nil` when the file cannot be read.
    static func read(_ path: String) -> Data? {
        path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: path)
    }
}
