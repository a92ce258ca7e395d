import TOMLKit

/// A colour as a theme names it.
public enum Color: Equatable, Sendable {
    /// The terminal's own default (foreground or background).
    case terminalDefault
    /// One of the 16 ANSI colours: 0–7 normal, 8–15 bright.
    case ansi(Int)
    case rgb(UInt8, UInt8, UInt8)

    static let names: [String: Int] = [
        "black": 0, "red": 1, "green": 2, "yellow": 3, "blue": 4, "magenta": 5, "cyan": 6, "white": 7,
        "bright-black": 8, "gray": 8, "grey": 8, "bright-red": 9, "bright-green": 10, "bright-yellow": 11,
        "bright-blue": 12, "bright-magenta": 13, "bright-cyan": 14, "bright-white": 15,
    ]

    /// `#rrggbb`, a colour name, or `default`.
    public init?(parsing text: String) {
        let t = text.lowercased()
        if t == "default" || t == "none" {
            self = .terminalDefault
        } else if let n = Self.names[t] {
            self = .ansi(n)
        } else if t.hasPrefix("#"), t.count == 7, let v = UInt32(t.dropFirst(), radix: 16) {
            self = .rgb(UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF))
        } else {
            return nil
        }
    }
}

/// How a theme draws one role.
public struct RoleStyle: Equatable, Sendable {
    public var foreground: Color
    public var background: Color
    public var bold: Bool

    public init(foreground: Color = .terminalDefault, background: Color = .terminalDefault, bold: Bool = false) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
    }
}

/// A colour theme from `themes/NAME.toml`: a style per role, with fallbacks so a theme that
/// leaves a role out still draws it (`status.x` falls back to `text`, `log.x` to `text`).
public struct Theme: Equatable, Sendable {
    public var name: String
    public var roles: [String: RoleStyle]

    public init(name: String, roles: [String: RoleStyle]) {
        self.name = name
        self.roles = roles
    }

    /// The style for a role.
    public func style(_ role: Role) -> RoleStyle {
        if let style = roles[role.name] { return style }
        if let dot = role.name.firstIndex(of: "."), let parent = roles[String(role.name[..<dot])] { return parent }
        return roles["text"] ?? RoleStyle()
    }

    /// Reads a theme file:
    ///
    /// ```toml
    /// [roles]
    /// text = { fg = "#d0d0d0" }
    /// "status.failed" = { fg = "#ff5f5f", bold = true }
    /// selection = { fg = "black", bg = "#5fafff" }
    /// ```
    public static func parse(name: String, toml: String) throws -> Theme {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: toml)
        } catch let error as TOMLParseError {
            throw ThemeError.malformed(name: name, reason: "line \(error.source.begin.line): \(error.description)")
        }
        guard let roles = table["roles"]?.table else { throw ThemeError.malformed(name: name, reason: "no [roles] table") }
        var styles: [String: RoleStyle] = [:]
        for (role, value) in roles {
            guard let entry = value.table else { throw ThemeError.malformed(name: name, reason: "role \(role) is not a table") }
            var style = RoleStyle()
            if let fg = entry["fg"]?.string {
                guard let color = Color(parsing: fg) else { throw ThemeError.badColor(name: name, role: role, value: fg) }
                style.foreground = color
            }
            if let bg = entry["bg"]?.string {
                guard let color = Color(parsing: bg) else { throw ThemeError.badColor(name: name, role: role, value: bg) }
                style.background = color
            }
            style.bold = entry["bold"]?.bool ?? false
            styles[role] = style
        }
        return Theme(name: name, roles: styles)
    }

    /// A theme with no colours: attributes only (what `NO_COLOR` gets).
    public static let monochrome = Theme(name: "mono", roles: [:])
}

/// Why a theme could not be used.
public enum ThemeError: Error, Equatable, CustomStringConvertible {
    case malformed(name: String, reason: String)
    case badColor(name: String, role: String, value: String)
    case notFound(name: String, available: [String])

    public var description: String {
        switch self {
        case .malformed(let name, let reason): "theme \(name): \(reason)"
        case .badColor(let name, let role, let value): "theme \(name): role \(role): \(value) is not #rrggbb or a colour name"
        case .notFound(let name, let available): "no theme \(name); themes: \(available.joined(separator: ", "))"
        }
    }
}
