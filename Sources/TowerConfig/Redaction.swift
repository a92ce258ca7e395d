/// What may be shown of a setting's value: never a secret, never a password inside a URL.
public enum Redaction {
    /// The text `tower config` (and any log) may show for `value` of `name`.
    public static func display(name: String, value: String) -> String {
        if ConfigKey.named(name)?.isSecret ?? ConfigKey.looksSecret(name) {
            return "set (hidden)"
        }
        return redactingURLCredentials(value)
    }

    /// `https://user:pass@host/…` → `https://user:***@host/…`.
    public static func redactingURLCredentials(_ text: String) -> String {
        guard let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].firstIndex(of: "@") else { return text }
        let userinfo = text[scheme.upperBound..<at]
        guard !userinfo.contains("/") else { return text }
        let user = userinfo.split(separator: ":", maxSplits: 1).first.map(String.init) ?? ""
        return String(text[..<scheme.upperBound]) + user + ":***" + String(text[at...])
    }
}
