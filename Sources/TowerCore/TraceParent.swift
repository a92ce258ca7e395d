/// The W3C Trace Context `traceparent` header (version 00): what a webhook's sender may put on
/// its request, and what Tower stores to continue a task's trace. Only its shape is checked
/// here; a malformed value from outside is dropped, never stored.
public enum TraceParent {
    /// Whether `value` is `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>` with non-zero ids.
    public static func isValid(_ value: String) -> Bool {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard value.utf8.count == 55, parts.count == 4, parts[0] == "00" else { return false }
        let hex = { (part: Substring, count: Int) in part.utf8.count == count && part.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) } }
        guard hex(parts[1], 32), hex(parts[2], 16), hex(parts[3], 2) else { return false }
        return parts[1].contains { $0 != "0" } && parts[2].contains { $0 != "0" }
    }
}
