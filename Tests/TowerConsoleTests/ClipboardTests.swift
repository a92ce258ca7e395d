import Foundation
import Testing
import TowerCore
import TowerTestSupport
@testable import TowerConsole

/// What `y` and `Y` take, as text, and how a copy leaves: OSC 52, cut at 100 KB.
@Suite struct ClipboardTests {
    static let diff = """
        --- a/shop/cart.py
        +++ b/shop/cart.py
        @@ -1,3 +1,4 @@
         def total(items):
        +    # sum of prices
             return sum(i.price for i in items)
        @@ -10,2 +11,3 @@ def discount(code):
        -    return 0
        +    return CODES.get(code, 0)
        +

        """

    @Test func theHunkUnderTheTopLineIsCopiedWhole() {
        #expect(Clipboard.hunk(Self.diff, at: 0) == "@@ -1,3 +1,4 @@\n def total(items):\n+    # sum of prices\n     return sum(i.price for i in items)")
        #expect(Clipboard.hunk(Self.diff, at: 4) == Clipboard.hunk(Self.diff, at: 2))
        #expect(Clipboard.hunk(Self.diff, at: 7) == "@@ -10,2 +11,3 @@ def discount(code):\n-    return 0\n+    return CODES.get(code, 0)\n+")
        #expect(Clipboard.hunk("no hunks here", at: 0) == nil)
    }

    @Test func aPlanSectionIsItsHeadingToTheNextOfTheSameLevel() throws {
        let plan = "# Plan: X\n\n## Summary\nShort.\n\n## Design\n### Components\n- a\n### Data\n- b\n\n## Tests\n- t\n"
        // The rendered line showing the "Design" heading, wherever the renderer puts it.
        let rendered = MarkdownWidget.lines(plan, width: 80, glyphs: .unicode).map(Clipboard.plain)
        let heading = try #require(rendered.firstIndex { $0.contains("Design") })
        let design = Clipboard.section(plan, at: heading, width: 80, glyphs: .unicode)
        #expect(design.hasPrefix("## Design") && design.contains("### Data") && !design.contains("## Tests"), "\(design)")
        #expect(Clipboard.section(plan, at: 0, width: 80, glyphs: .unicode).hasPrefix("# Plan: X"))
    }

    @Test func aCopyOver100KBIsCutOnACharacterBoundaryAndSaysSo() {
        let text = String(repeating: "é", count: 60_000)  // 120,000 bytes
        let (cut, wasCut) = Clipboard.cut(text)
        #expect(wasCut && cut.utf8.count <= Clipboard.limit && cut.utf8.count >= Clipboard.limit - 1)
        #expect(cut.allSatisfy { $0 == "é" })
        #expect(Clipboard.cut("short") == ("short", false))
    }

    @Test func osc52CarriesTheTextInBase64() {
        #expect(Clipboard.osc52("hi ✓") == "\u{1B}]52;c;aGkg4pyT\u{07}")
    }

    @Test func yOnTheBoardIsTheTaskIdAndYOnALogIsTheLineAtTheTop() {
        var board = Fixture.board(Size(width: 120, height: 40))
        let selected = board.selection
        #expect(Console.update(&board, .key(.character("y"))) == [.copy(text: selected!, what: "task id")])
        var task = Fixture.task(Size(width: 120, height: 40), tab: .log)
        guard var log = task.log, log.lines.count > 2 else {
            Issue.record("the fixture task has no log")
            return
        }
        log.follow = false
        log.top = 1
        log.timestamps = false
        task.log = log
        let effects = Console.update(&task, .key(.character("y")))
        let line = log.lines[1]
        #expect(effects == [.copy(text: "\(DisplayWidth.pad(line.level == .warning ? "WARN" : line.level.rawValue.uppercased(), to: 5)) \(line.agent): \(line.message)", what: "log line")])
        #expect(Console.update(&task, .key(.character("Y"))).first.map { if case .copy(_, let what) = $0 { what } else { "" } } == "log (\(log.lines.count) lines loaded)")
    }
}
