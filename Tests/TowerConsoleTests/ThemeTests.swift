import Foundation
import Testing
import TowerConsole
import TowerCore

private let shipped = ThemeLibrary(directories: [URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../themes").standardized])

@Suite struct ThemeTests {
    @Test func theShippedThemesLoadAndStyleEveryStatus() throws {
        #expect(Set(shipped.names()).isSuperset(of: ["dark", "light", "high-contrast", "mono"]))
        for name in shipped.names() {
            let theme = try shipped.load(name)
            for role in Role.all { _ = theme.style(role) }
        }
        let dark = try shipped.load("dark")
        for status in TaskStatus.allCases {
            #expect(dark.roles["status.\(status.rawValue)"] != nil, "dark lacks status.\(status.rawValue)")
        }
        #expect(dark.style(.status("failed")) == RoleStyle(foreground: .rgb(0xFF, 0x5F, 0x5F), bold: true))
    }

    @Test func missingRolesFallBackAndBadColoursAreNamed() throws {
        let theme = try Theme.parse(name: "t", toml: "[roles]\ntext = { fg = \"white\" }\nlog = { fg = \"#00ff00\" }\n")
        #expect(theme.style(.status("failed")) == RoleStyle(foreground: .ansi(7)))
        #expect(theme.style(.logError) == RoleStyle(foreground: .rgb(0, 255, 0)))
        #expect(throws: ThemeError.badColor(name: "t", role: "text", value: "#12")) {
            try Theme.parse(name: "t", toml: "[roles]\ntext = { fg = \"#12\" }\n")
        }
        #expect(throws: ThemeError.self) { try Theme.parse(name: "t", toml: "roles = 3") }
        #expect(throws: ThemeError.notFound(name: "nope", available: shipped.names())) { try shipped.load("nope") }
        #expect(throws: ThemeError.self) { try shipped.load("../etc/passwd") }
    }

    @Test func colourDepthFollowsNoColorAndTheTerminal() {
        #expect(ColorDepth.detect(environment: ["NO_COLOR": "1"], terminalColors: 256) == .none)
        #expect(ColorDepth.detect(environment: ["NO_COLOR": ""], terminalColors: 256) == .xterm256)
        #expect(ColorDepth.detect(environment: [:], terminalColors: 0x1000000) == .direct)
        #expect(ColorDepth.detect(environment: [:], terminalColors: 16) == .ansi16)
        #expect(ColorDepth.detect(environment: [:], terminalColors: 8) == .ansi8)
        #expect(ColorDepth.detect(environment: [:], terminalColors: 0) == .none)
    }

    @Test func themeColoursAreMappedDownToWhatTheTerminalShows() {
        let orange = Color.rgb(0xFF, 0x87, 0x00)
        #expect(ColorDepth.direct.index(of: orange) == 0xFF8700)
        #expect(ColorDepth.xterm256.index(of: orange) == 208)
        #expect(ColorDepth.xterm256.index(of: .rgb(0x80, 0x80, 0x80)) == 244)
        #expect(ColorDepth.ansi16.index(of: .rgb(250, 10, 10)) == 9)
        #expect(ColorDepth.ansi8.index(of: .rgb(250, 10, 10)) == 1)
        #expect(ColorDepth.ansi8.index(of: .ansi(12)) == 4)
        #expect(ColorDepth.none.index(of: orange) == -1)
        #expect(ColorDepth.xterm256.index(of: .terminalDefault) == -1)
    }
}
