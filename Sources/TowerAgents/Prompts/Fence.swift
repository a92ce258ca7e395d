/// Untrusted text (ticket fields, code, comments, CI logs) as data inside a prompt: wrapped in a
/// named tag the system prompt tells the model to treat as data only, with anything inside that
/// could close the tag early neutralised. The model still reads the text; it just cannot make
/// the text look like Tower's own instructions.
public enum Fence {
    /// `<tag>\ntext\n</tag>`, with every `<tag`/`</tag` inside escaped.
    public static func wrap(_ text: String, tag: String, attributes: [String: String] = [:]) -> String {
        let attributeText = attributes.sorted { $0.key < $1.key }.map { " \($0.key)=\"\(escapeAttribute($0.value))\"" }.joined()
        return "<\(tag)\(attributeText)>\n\(neutralise(text, tag: tag))\n</\(tag)>"
    }

    /// The text with any opening or closing of `tag` (any case) made inert.
    static func neutralise(_ text: String, tag: String) -> String {
        var out = ""
        var rest = Substring(text)
        let lower = tag.lowercased()
        while let open = rest.firstIndex(of: "<") {
            out += rest[..<open]
            let after = rest[rest.index(after: open)...]
            let name = after.drop { $0 == "/" || $0 == " " }
            if name.lowercased().hasPrefix(lower) {
                out += "&lt;"
            } else {
                out += "<"
            }
            rest = after
        }
        out += rest
        return out
    }

    private static func escapeAttribute(_ value: String) -> String {
        value.replacingOccurrences(of: "\"", with: "'").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: "\n", with: " ")
    }
}
