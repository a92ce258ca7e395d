import Foundation
import TowerCore
import TowerHTTPTestSupport

/// What the stand-in model answers to Execution's calls, over the fixture's billing-service and
/// the plan `PlanScript` gives: task 1's first attempt writes only the tests (they fail), the
/// second adds the code; task 2 adds a rate in a style black reformats (CI's black check
/// fails, the auto-fix repairs it); task 3 edits a docstring.
enum CodeScript {
    static let taxSignature = """
        def compute_vat(net_cents: int, country: str) -> int:
            \"\"\"The VAT on a net amount, rounded half up to the cent.\"\"\"
            rate = VAT_RATES.get(country.upper())
        """

    static let reducedSignature = """
        REDUCED_RATES = {"DE": 7, "FR": 5}


        def compute_vat(net_cents: int, country: str, category: str = "standard") -> int:
            \"\"\"The VAT on a net amount, rounded half up to the cent.\"\"\"
            rate = (REDUCED_RATES if category == "books" else VAT_RATES).get(country.upper())
        """

    static let reducedTests = """
        import unittest

        from billing_service.tax import compute_vat


        class ReducedRateTests(unittest.TestCase):
            def test_books_in_germany(self):
                self.assertEqual(compute_vat(10000, "DE", "books"), 700)

            def test_standard_category_keeps_the_standard_rate(self):
                self.assertEqual(compute_vat(10000, "DE"), 1900)

        """

    /// The plan task a prompt is for (`## Task\nN. …`), and whether it carries a failure.
    static func task(_ body: JSONValue) -> (number: Int, retry: Bool)? {
        let text = AnthropicStandIn.promptText(body)
        guard let range = text.range(of: "## Task\\n") ?? text.range(of: "## Task\n") else { return nil }
        let number = Int(text[range.upperBound...].prefix { $0.isNumber }) ?? 0
        return (number, text.contains("## Previous attempt"))
    }

    static func file(_ path: String, create content: String) -> JSONValue {
        ["path": .string(path), "action": "create", "content": .string(content)]
    }

    static func file(_ path: String, edit search: String, _ replace: String) -> JSONValue {
        ["path": .string(path), "action": "edit", "edits": [["search": .string(search), "replace": .string(replace)]]]
    }

    static func answer(_ body: JSONValue) -> JSONValue {
        guard AnthropicStandIn.forcedTool(body) == "submit_changes", let (number, retry) = task(body) else { return PlanScript.answer(body) }
        switch (number, retry) {
        case (1, false):
            return ["summary": "Tests for the reduced rate of books.", "files": [file("tests/test_tax_reduced.py", create: reducedTests)]]
        case (1, true):
            return [
                "summary": "Tests for the reduced rate of books, and compute_vat takes the item category.",
                "files": [file("tests/test_tax_reduced.py", create: reducedTests), file("billing_service/tax.py", edit: taxSignature, reducedSignature)],
            ]
        case (2, _):
            return [
                "summary": "The Netherlands' reduced rate.",
                "files": [file("billing_service/tax.py", edit: #"REDUCED_RATES = {"DE": 7, "FR": 5}"#, "REDUCED_RATES = {'DE': 7, 'FR': 5, 'NL':9}")],
            ]
        case (3, _):
            return [
                "summary": "The docstring names the category.",
                "files": [
                    file(
                        "billing_service/tax.py", edit: #""""The VAT on a net amount, rounded half up to the cent.""""#,
                        #""""The VAT on a net amount for an item category, rounded half up to the cent.""""#)
                ],
            ]
        default:
            // A task a reviewer added to PLAN.md.
            return ["summary": "Documents the rates.", "files": [file("docs/rates-\(number).md", create: "# Reduced rates\n\nBooks: DE 7 %, FR 5 %, NL 9 %.\n")]]
        }
    }

    static let standard: @Sendable (JSONValue) -> JSONValue = { answer($0) }
}
