/// Reads `.env` files as docker compose and python-dotenv do: `KEY=value`, optional `export `,
/// `#` comments, single quotes taken literally, double quotes with `\n`, `\t`, `\"` and `\\`
/// escapes, unquoted values ending at ` #`.
public enum DotEnv {
    /// The entries, or the 1-based line numbers that could not be read.
    public static func parse(_ text: String) -> (values: [String: String], badLines: [Int]) {
        var values: [String: String] = [:]
        var bad: [Int] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(raw.hasSuffix("\r") ? raw.dropLast() : raw)
            line = line.drop { $0 == " " || $0 == "\t" }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = line.dropFirst(7).drop { $0 == " " } }
            guard let eq = line.firstIndex(of: "=") else {
                bad.append(index + 1)
                continue
            }
            let key = line[..<eq].trimmingTrailingSpace
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." }) else {
                bad.append(index + 1)
                continue
            }
            let rest = line[line.index(after: eq)...].drop { $0 == " " || $0 == "\t" }
            guard let value = Self.value(rest) else {
                bad.append(index + 1)
                continue
            }
            values[String(key)] = value
        }
        return (values, bad)
    }

    private static func value(_ rest: Substring) -> String? {
        if rest.hasPrefix("'") {
            let body = rest.dropFirst()
            guard let end = body.firstIndex(of: "'") else { return nil }
            return String(body[..<end])
        }
        if rest.hasPrefix("\"") {
            var out = ""
            var escaped = false
            for ch in rest.dropFirst() {
                if escaped {
                    switch ch {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "r": out.append("\r")
                    default: out.append(ch)
                    }
                    escaped = false
                } else if ch == "\\" {
                    escaped = true
                } else if ch == "\"" {
                    return out
                } else {
                    out.append(ch)
                }
            }
            return nil
        }
        var value = rest
        if let comment = value.range(of: " #") { value = value[..<comment.lowerBound] }
        return String(value.trimmingTrailingSpace)
    }
}

extension Substring {
    var trimmingTrailingSpace: Substring {
        var s = self
        while let last = s.last, last == " " || last == "\t" { s = s.dropLast() }
        return s
    }
}
