/// A size in an error message: whole megabytes from 1 MB up, bytes below (`64 MB`, `400 bytes`).
public enum ByteSize {
    public static func short(_ bytes: Int) -> String {
        bytes >= 1 << 20 ? "\(bytes >> 20) MB" : "\(bytes) bytes"
    }
}
