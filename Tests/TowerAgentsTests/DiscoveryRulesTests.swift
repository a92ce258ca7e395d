import Foundation
import Testing
import TowerCore

@testable import TowerAgents

/// The failure kinds Discovery showed on an organization it was never tuned on, one rule each.
/// The ticket texts are written after real ones from public trackers (a Flask upgrade for
/// Werkzeug 3.0.0 and its issue number, a changelog link to a version anchor, a package index
/// URL, "and/or", "previously", "getting").
@Suite struct DiscoveryRulesTests {
    func terms(_ text: String) -> [String] { KeywordExtractor.keywords(in: text, limit: 64).map(\.text) }

    @Test func versionsIssueNumbersURLsAndFillerAreNeverTerms() {
        let upgrade = terms("Upgrade Flask to 2.3.3: the older 2.0.3 was causing errors since Werkzeug 3.0.0 removed deprecated code (fixes #550, see GH-551 and PROJ-12)")
        #expect(!upgrade.contains { $0.first?.isNumber == true || $0.contains("550") || $0.contains("551") || $0 == "PROJ-12" }, "\(upgrade)")
        #expect(upgrade.contains("werkzeug") && upgrade.contains("flask") && upgrade.contains("deprecated"), "\(upgrade)")

        let links = terms("newest flask breaks flask-admin -> https://flask.palletsprojects.com/en/stable/changes/#version-3-1-2 ; pinned in https://pypi.org/simple/flask-admin/ and www.example.org/docs")
        #expect(!links.contains { $0.contains("palletsprojects") || $0.contains("pypi") || $0.contains("simple") || $0.contains("example") || $0.contains("version-3") }, "\(links)")
        #expect(links.contains("admin"), "\(links)")

        let filler = terms("The dashboard is incorrectly showing totals that were previously rounded, and I keep getting a KeyError and/or a blank page after commit 3f9c2ab1")
        for word in ["incorrectly", "previously", "getting", "or", "and/or", "and", "keep", "3f9c2ab1"] { #expect(!filler.contains(word), "\(word): \(filler)") }
        #expect(filler.first == "KeyError", "identifiers first: \(filler)")
        #expect(filler.contains("dashboard") && filler.contains("totals") && filler.contains("rounded"), "\(filler)")

        // A model's terms pass the same rules.
        #expect(!KeywordExtractor.admissible("2.3.3") && !KeywordExtractor.admissible("https://pypi.org/simple/x") && !KeywordExtractor.admissible("previously"))
        #expect(!KeywordExtractor.admissible("#4711") && !KeywordExtractor.admissible("v1.2") && !KeywordExtractor.admissible("deadbeef42"))
        #expect(KeywordExtractor.admissible("GatewayBase") && KeywordExtractor.admissible("gateway_base") && KeywordExtractor.admissible("assembly"))
        // Real stop words, not code words.
        #expect(StopWords.contains("whereupon") && StopWords.contains("nevertheless") && !StopWords.contains("name") && !StopWords.contains("system"))
    }

    static let files = [
        CandidateFile(repository: "acme/gateway", path: "src/gateway/routing.py", content: "gateway = connect()\nbase = 10\nprint(gateway, base)\n"),
        CandidateFile(repository: "acme/gateway", path: "src/gateway/core.py", content: "class GatewayBase:\n    \"\"\"The base of every gateway.\"\"\"\n    pass\n"),
        CandidateFile(repository: "acme/gateway", path: "src/gateway/http.py", content: "from .core import GatewayBase\n\nclass HTTPGateway(GatewayBase):\n    pass\n"),
        CandidateFile(
            repository: "acme/gateway", path: "src/gateway/gateway_base_helpers.py",
            content: String(repeating: "def helper(gateway_base):\n    return gateway_base.GatewayBase\n", count: 12)),
        CandidateFile(repository: "acme/gateway", path: "docs/cli.md", content: "Run `gateway-base --port 80`.\n"),
    ]

    @Test func aSplitIdentifierCountsOnlyWhenItsPartsOccurTogether() {
        let ranking = LexicalRanker().rank(Self.files, keywords: [Keyword("GatewayBase", kind: .identifier)])
        let paths = ranking.files.map(\.path)
        #expect(!paths.contains("src/gateway/routing.py"), "gateway and base apart are not GatewayBase: \(paths)")
        #expect(paths.contains("docs/cli.md"), "gateway-base is the same name: \(paths)")
        #expect(Terms.of("GATEWAY_BASE gatewayBase gateway-base").filter { $0 == "gatewaybase" }.count == 3)
    }

    /// Subjects from encode/starlette and pallets/jinja: prose that names code without its
    /// spelling ("test client" for `TestClient`), and a single word in a code span.
    @Test func aNameWrittenAsTwoWordsOrInACodeSpanIsCode() {
        let prose = KeywordExtractor.keywords(in: "collect errors more reliably from websocket test client")
        #expect(prose.contains(Keyword("testclient", kind: .compound)), "\(prose)")
        #expect(prose.contains(Keyword("websockettest", kind: .compound)) && !prose.contains { $0.text == "reliablyfrom" || $0.text == "errorsmore" }, "stop words and adverbs join nothing: \(prose)")
        #expect(!DiscoveryAgent.searchOrder(prose).contains { $0.kind == .compound }, "a compound is never searched")
        let span = KeywordExtractor.keywords(in: "don't apply `urlize` to `@a@b`")
        #expect(span.first == Keyword("urlize", kind: .identifier), "\(span)")

        let files = [
            CandidateFile(repository: "encode/starlette", path: "starlette/testclient.py", content: "class TestClient:\n    def websocket_connect(self): ...\n"),
            CandidateFile(repository: "encode/starlette", path: "starlette/websockets.py", content: "class WebSocket:\n    # a test may use a client\n    pass\n"),
        ]
        let ranking = LexicalRanker().rank(files, keywords: prose)
        #expect(ranking.files.first?.path == "starlette/testclient.py", "\(ranking.files.map { ($0.path, $0.reason) })")
    }

    @Test func theDefinitionOutranksEveryUse() {
        let ranking = LexicalRanker().rank(Self.files, keywords: [Keyword("GatewayBase", kind: .identifier)])
        #expect(ranking.files.first?.path == "src/gateway/core.py", "\(ranking.files.map { ($0.path, $0.score) })")
        #expect(ranking.files.first?.reason.contains("GatewayBase (defines") == true)
        #expect(ranking.files.first?.defines == ["GatewayBase"])
    }

    /// Changelog entries of encode/uvicorn and pallets/flask: a flag is one name, searched and
    /// matched whole (`--proxy-headers` is `proxy_headers` in code, not "proxy" and "headers").
    @Test func aFlagIsOneName() {
        let keywords = KeywordExtractor.keywords(in: "Refine help message for option `--proxy-headers`")
        #expect(keywords.first == Keyword("--proxy-headers", kind: .identifier), "\(keywords)")
        #expect(!keywords.contains { $0.text == "proxy" || $0.text == "headers" }, "\(keywords)")
        #expect(KeywordExtractor.keywords(in: "Fix a typo in the `flask run --key` option").contains(Keyword("--key", kind: .identifier)))
        #expect(KeywordExtractor.keywords(in: "pass --no-access-log to silence it").first == Keyword("--no-access-log", kind: .identifier))
        #expect(!KeywordExtractor.keywords(in: "a re-usable non-blocking pool").contains { $0.kind == .identifier })
        #expect(Terms.forKeyword(Keyword("--proxy-headers", kind: .identifier)).first == "proxyheader")

        let files = [
            CandidateFile(
                repository: "encode/uvicorn", path: "uvicorn/main.py",
                content: "@click.option(\"--proxy-headers/--no-proxy-headers\", help=\"Enable X-Forwarded-Proto\")\ndef main(proxy_headers: bool): ...\n"),
            CandidateFile(
                repository: "encode/httpx", path: "httpx/_transports/default.py",
                content: String(repeating: "proxy = Proxy(url)\nheaders = proxy.headers\n", count: 8)),
        ]
        let ranking = LexicalRanker().rank(files, keywords: keywords)
        #expect(ranking.files.first?.path == "uvicorn/main.py", "\(ranking.files.map { ($0.path, $0.reason) })")
    }

    /// A function's local variable named like the identifier defines nothing; a module's or a
    /// class's assignment does.
    @Test func aLocalVariableIsNoDefinition() throws {
        let pattern = try #require(LexicalRanker.definitionPattern("key"))
        func defines(_ code: String) -> Bool { LexicalRanker.defines(code, pattern) }
        #expect(defines("key = os.environ.get('KEY')\n"))
        #expect(defines("class Config:\n    # the signing key\n\n    key: str = \"\"\n"))
        #expect(defines("export class Store {\n  key = 'k'\n}\n"))
        #expect(!defines("class Tag:\n    def tag(self, value):\n        key = next(iter(value))\n"))
        #expect(!defines("def main():\n    key = sys.argv[1]\n"), "a module function's local, though one level in")
        #expect(defines("def run(\n    app,\n    *,\n    key: str | None = None,\n) -> None:\n    pass\n"), "a parameter's default declares it")
        #expect(!defines("def run(\n    app,\n) -> None:\n    key = app.key\n"))
        #expect(!defines("def f(value):\n\tif value:\n\t\tkey = value\n"))
        #expect(LexicalRanker.definitionPattern("--key") == nil)
    }

    /// A variable declared with `const`, `let`, `var` or `val` is a definition at a module's or a
    /// type's level, never as a function's local. The first case is pmndrs/jotai's own
    /// tests/react/error.test.tsx (at 1fae772): its `onClick` handler put three test files first
    /// for a use-gesture ticket about the `onClick` event.
    @Test func aDeclaredLocalVariableIsNoDefinition() throws {
        let pattern = try #require(LexicalRanker.definitionPattern("onClick"))
        func defines(_ code: String) -> Bool { LexicalRanker.defines(code, pattern) }
        #expect(!defines("""
            it('can throw an error in write function', () => {
              const countAtom = atom(0)
              const Counter = () => {
                const [count, dispatch] = useAtom(errorAtom)
                const onClick = () => {
                  try {
                    dispatch()
                  } catch (e) {
                    console.error(e)
                  }
                }
                return <button onClick={onClick}>button</button>
              }
            })
            """))
        #expect(!defines("function Button(props) {\n  let onClick = props.onClick\n}\n"))
        #expect(!defines("fn main() {\n    let onClick = handler();\n}\n"), "Rust's let is always local")
        #expect(!defines("func run() {\n\tvar onClick int\n}\n"), "a Go function's var")
        #expect(!defines("if let onClick = action {\n}\n"), "Swift's optional binding declares nothing")
        #expect(defines("export const onClick = (event) => event.preventDefault()\n"))
        #expect(defines("const onClick = vi.fn()\n"))
        #expect(defines("pub const onClick: u32 = 1;\n"))
        #expect(defines("public struct Handlers {\n    public static let onClick = Handler()\n}\n"), "a Swift struct's property")
        #expect(defines("@MainActor final class Handlers {\n    var onClick: Handler?\n}\n"))
        #expect(defines("class Button {\n    companion object {\n        val onClick = 1\n    }\n}\n"), "a Kotlin companion object's val")
        #expect(defines("const (\n\tonClick = iota\n\tonHover\n)\n"), "Go's grouped constants")
        #expect(defines("function onClick(event) {}\n"))
    }

    /// A name the code holds nowhere is searched by its words: an identifier's parts without
    /// its joined whole, a dotted name's every word; never a stop word, a short part or a word
    /// the ticket already gives. unjs/ufo's changelog has "Add `filterQuery` utility".
    @Test func aNewNamesWordsAreItsParts() {
        #expect(NewName.words(of: Keyword("filterQuery", kind: .identifier), besides: []).map(\.text) == ["filter", "query"])
        #expect(NewName.words(of: Keyword("with_fragment", kind: .identifier), besides: []).map(\.text) == ["with", "fragment"].filter { KeywordExtractor.admissible($0) })
        #expect(NewName.words(of: Keyword("session.headers", kind: .identifier), besides: []).map(\.text) == ["session", "header"])
        #expect(NewName.words(of: Keyword("parseURL", kind: .identifier), besides: [Keyword("parse", kind: .word)]).map(\.text) == ["url"])
        #expect(NewName.words(of: Keyword("toID", kind: .identifier), besides: []).isEmpty, "parts of two letters are no search terms")
        #expect(NewName.words(of: Keyword("rate limiter", kind: .compound), besides: []).isEmpty, "only a name is new")
    }

    /// The Conventional Commits specification's own examples: the type is no search term, the
    /// scope is.
    @Test func aConventionalCommitTypeIsNoTermItsScopeIs() {
        let api = KeywordExtractor.keywords(in: "feat(api)!: send an email to the customer when a product is shipped").map(\.text)
        #expect(api.contains("api") && !api.contains("feat"), "\(api)")
        let docs = KeywordExtractor.keywords(in: "docs: correct spelling of CHANGELOG").map(\.text)
        #expect(!docs.contains("docs") && docs.contains("spelling"), "\(docs)")
        #expect(!KeywordExtractor.keywords(in: "- chore!: drop support for Node 6").map(\.text).contains("chore"))
        // Only at the start of a line: in prose, "docs:" is a word.
        #expect(KeywordExtractor.keywords(in: "Rebuild the docs: the build fails").map(\.text).contains("docs"))
    }

    /// A changelog entry of encode/uvicorn: a header name in a code span is one name.
    @Test func aKebabNameInACodeSpanIsOneName() {
        let keywords = KeywordExtractor.keywords(in: "Add `content-length` to 500 response in wsproto")
        #expect(keywords.first == Keyword("content-length", kind: .identifier), "\(keywords)")
        #expect(Terms.forKeyword(keywords[0]).first == "contentlength")
        #expect(!KeywordExtractor.keywords(in: "a rate-limit for the pool").contains { $0.kind == .identifier }, "in prose it is two words")
    }

    func ranked(_ path: String, _ relevance: Double, _ kind: FileKind) -> RankedFile {
        RankedFile(repository: "acme/tax", path: path, kind: kind, score: relevance, relevance: relevance, reason: "matches x", matched: ["x"], defines: [])
    }

    @Test func sourcesComeBeforeTheTestsThatCoverThemThenDocs() {
        let files = [
            ranked("tests/test_rates.py", 1.0, .test), ranked("docs/rates.md", 0.9, .docs), ranked("tax/rates.py", 0.8, .source),
            ranked("tax/api.py", 0.5, .source), ranked("tests/test_api.py", 0.4, .test),
        ]
        let ordered = FileOrdering.arrange(files, focus: .code)
        #expect(ordered.map(\.path) == ["tax/rates.py", "tests/test_rates.py", "tax/api.py", "tests/test_api.py", "docs/rates.md"])
        #expect(ordered[0].reason.hasSuffix("; covered by tests/test_rates.py"))
        #expect(ordered.map(\.relevance) == [1.0, 1.0, 0.5, 0.4, 0.4], "a source ranks as high as its best test; relevance never rises")
        // A test that matches less keeps its own place: it does not push a better source down.
        let weak = [ranked("tax/rates.py", 1.0, .source), ranked("tax/vat.py", 0.7, .source), ranked("tests/test_rates.py", 0.3, .test)]
        #expect(FileOrdering.arrange(weak, focus: .code).map(\.path) == ["tax/rates.py", "tax/vat.py", "tests/test_rates.py"])
        // A ticket about tests or docs puts those first.
        #expect(FileOrdering.focus(of: "test_rates is flaky on Windows") == .tests)
        // Werkzeug's changelog: its test client is code, in src/werkzeug/test.py.
        let client = "The test client clears more request body information when a redirect switches the method to GET."
        #expect(FileOrdering.focus(of: client) == .tests)
        #expect(FileOrdering.focus(of: client, sources: ["src/werkzeug/test.py", "src/werkzeug/wrappers/request.py"]) == .code)
        #expect(FileOrdering.arrange(files, focus: .tests).first?.path == "tests/test_rates.py")
        #expect(FileOrdering.focus(of: "Update the rates docs") == .docs)
        let named = KeywordExtractor.keywords(in: "Fix typo in ColourizedFormatter docstring; docs")
        #expect(FileOrdering.focus(of: "Fix typo in ColourizedFormatter docstring; docs", keywords: named) == .code, "it names code")
        #expect(FileOrdering.arrange(files, focus: .docs).first?.path == "docs/rates.md")
        #expect(FileOrdering.focus(of: "Reduced rate for books") == .code)
    }

    @Test func aPluginThatDeclaresTheFrameworkIsPluginToFramework() {
        let files: [String: [String: String]] = [
            "acme/flask-sqlalchemy": [
                "pyproject.toml": "[project]\nname = \"Flask-SQLAlchemy\"\ndependencies = [\n  \"flask>=2.2.5\",\n  \"sqlalchemy>=2.0.16\",\n]\n",
                "src/flask_sqlalchemy/extension.py": "from flask import Flask, current_app\n",
            ],
            "acme/flask": [
                "pyproject.toml": "[project]\nname = \"Flask\"\ndependencies = [\"Werkzeug>=3.0.0\", \"click>=8.1.3\", \"jinja2>=3.1.2\"]\n[project.optional-dependencies]\nasync = [\"asgiref>=3.2\"]\n",
                // The framework's docs and examples name the plugin; that is no dependency of the framework.
                "docs/patterns/sqlalchemy.rst": "from flask_sqlalchemy import SQLAlchemy\n",
                "examples/tutorial/db.py": "import flask_sqlalchemy\n",
            ],
            "acme/werkzeug": ["pyproject.toml": "[project]\nname = \"Werkzeug\"\ndependencies = [\"MarkupSafe>=2.1.1\"]\n"],
            // The repository jinja publishes Jinja2, and that is the name Flask declares.
            "acme/jinja": ["pyproject.toml": "[project]\nname = \"Jinja2\"\nversion = \"3.2.0.dev\"\ndependencies = [\"MarkupSafe>=3.0\"]\n"],
        ]
        let organization = ["acme/flask", "acme/flask-sqlalchemy", "acme/werkzeug", "acme/jinja"]
        let edges = CrossRepoDependencies.find(files: files, organization: organization).map(\.dependency)
        #expect(Set(edges.map { "\($0.from) → \($0.to) (\($0.type))" }) == ["flask-sqlalchemy → flask (library)", "flask → werkzeug (library)", "flask → jinja (library)"])
    }

    /// Real subjects and changelog entries: Flask's CHANGES.rst, httpx's and ofetch's commits,
    /// aiohttp's, multidict's, yarl's and h3's own.
    @Test func aRepositoryNamedAsADependencyYieldsToTheOneThatUsesIt() {
        let org = ["pallets/flask", "pallets/werkzeug", "encode/httpcore", "unjs/h3", "aio-libs/multidict", "aio-libs/yarl", "aio-libs/frozenlist"]
        for (text, named) in [
            ("Update Werkzeug dependency to >= 2.2.2. This includes fixes related to the new faster router", "werkzeug"),
            ("From Werkzeug, for redirect responses the `Location` header URL will remain relative", "werkzeug"),
            ("made dependencies on certifi and httpcore only load when required (#3377)", "httpcore"),
            ("test: upgrade to h3 v2", "h3"),
        ] {
            #expect(RepositoryMentions.named(in: text, repositories: org) == [named], "\(text)")
        }
        // Most tickets that name a repository are about it.
        for text in [
            "Restore multidict internal state on exception during updating (#1215)", "Fixed pickling of `yarl.URL` on Python 3.15",
            "Enforced top-level imports across `yarl` and `tests` via the ruff `PLC0415` rule", "refactor: accept h3 context as `fetch` 3rd param",
            "Removed an unused `typing.Tuple` import <https://github.com/aio-libs/frozenlist/issues/4>", "remove werkzeug host tests",
            // A project's own changelog names its own releases.
            "Fixed a bug in C implementation when multidict is resized and it has deleted slots. The bug was introduced by multidict 6.5.0 release.",
            "Pickles produced by older yarl releases (which embed a `SplitResult`) continue to load unchanged",
        ] {
            #expect(RepositoryMentions.named(in: text, repositories: org).isEmpty, "\(text)")
        }

        func repo(_ name: String, _ score: Double) -> RankedRepository {
            let file = RankedFile(repository: name, path: "src/app.py", kind: .source, score: score, relevance: 0, reason: "", matched: [], defines: [])
            return RankedRepository(name: name, score: score, relevance: 1, reason: "matches werkzeug", files: [file])
        }
        let ranked = [repo("pallets/werkzeug", 10), repo("pallets/flask", 6), repo("pallets/click", 1)]
        let uses = [DiscoveryResult.Dependency(from: "flask", to: "werkzeug", type: "library")]
        let adjusted = RepositoryMentions.adjust(ranked, dependencies: ["werkzeug"], edges: uses)
        #expect(adjusted.map(\.name) == ["pallets/flask", "pallets/werkzeug", "pallets/click"])
        #expect(adjusted[0].relevance == 1 && adjusted[0].files[0].relevance == 1 && adjusted[1].files[0].relevance == 0.417)
        #expect(adjusted[1].reason.hasSuffix("×0.25: the ticket names werkzeug as a dependency, and flask uses it"))
        // Nobody among the candidates uses it: it stays where it is.
        #expect(RepositoryMentions.adjust(ranked, dependencies: ["werkzeug"], edges: []) == ranked)
    }

    /// itsdangerous's and multidict's changelogs, an h3 commit.
    @Test func aTicketThatNamesARepositorysAPIIsAboutThatRepository() {
        let org = ["pallets/werkzeug", "pallets/itsdangerous", "pallets/jinja", "unjs/h3", "unjs/ofetch", "aio-libs/multidict"]
        #expect(RepositoryMentions.namedAPIs(in: "Importing `itsdangerous.json` is deprecated. Import Python's `json` module instead.", repositories: org) == ["itsdangerous"])
        #expect(RepositoryMentions.namedAPIs(in: "refactor: update h3.fetch type", repositories: org) == ["h3"])
        #expect(RepositoryMentions.namedAPIs(in: "Replaced docstring for `multidict.MultiDict.update`", repositories: org) == ["multidict"])
        // By the package its manifest publishes, too.
        #expect(RepositoryMentions.namedAPIs(in: "`jinja2.Environment` keeps its cache", repositories: org).isEmpty)
        #expect(RepositoryMentions.namedAPIs(in: "`jinja2.Environment` keeps its cache", repositories: org, published: ["pallets/jinja": ["jinja2"]]) == ["jinja"])
        for text in [
            "remove werkzeug host tests", "see https://github.com/unjs/h3.fetch/issues/1", "src/werkzeug/test.py clears the body",
            "`Multidict.copy` is a class's member, not the package's",
        ] {
            #expect(RepositoryMentions.namedAPIs(in: text, repositories: org).isEmpty, "\(text)")
        }

        func repo(_ name: String, _ score: Double) -> RankedRepository {
            let file = RankedFile(repository: name, path: "src/app.py", kind: .source, score: score, relevance: 0, reason: "", matched: [], defines: [])
            return RankedRepository(name: name, score: score, relevance: 1, reason: "matches json", files: [file])
        }
        let adjusted = RepositoryMentions.adjust([repo("pallets/werkzeug", 10), repo("pallets/itsdangerous", 6)], dependencies: [], apis: ["itsdangerous"], edges: [])
        #expect(adjusted.map(\.name) == ["pallets/itsdangerous", "pallets/werkzeug"] && adjusted[1].relevance == 0.833)
        #expect(adjusted[0].reason.hasSuffix("×2.00: the ticket names itsdangerous's API"))
        // First already: the others keep their relevance.
        let first = [repo("pallets/itsdangerous", 10), repo("pallets/werkzeug", 3)]
        #expect(RepositoryMentions.adjust(first, dependencies: [], apis: ["itsdangerous"], edges: []) == first)

        // The class's own spelling is the keyword, and `RST/markdown` is two words, not a path.
        let terms = KeywordExtractor.keywords(in: "Replaced docstring for `multidict.MultiDict.update` to don't use RST/markdown markup")
        #expect(terms.contains(Keyword("MultiDict", kind: .identifier)) && !terms.contains { $0.text.lowercased() == "multidict" && $0.text != "MultiDict" })
        #expect(terms.contains(Keyword("rst", kind: .word)) && terms.contains(Keyword("markdown", kind: .word)) && !terms.contains { $0.kind == .path }, "\(terms)")
        #expect(KeywordExtractor.keywords(in: "Fixed Open/OpenFile for uid/gid").contains(Keyword("OpenFile", kind: .identifier)))
        #expect(KeywordExtractor.keywords(in: "`POST /orders/total` answers 400").contains(Keyword("orders/total", kind: .path)))
        #expect(KeywordExtractor.keywords(in: "POST /orders/total answers 400").contains(Keyword("orders/total", kind: .path)))
        #expect(KeywordExtractor.keywords(in: "Moved it to packaging/pep517_backend").contains(Keyword("packaging/pep517_backend", kind: .path)))
    }

    @Test func eachManifestIsReadTheWayItsPackageManagerReadsIt() {
        #expect(Manifests.read(name: "setup.cfg", text: "[metadata]\nname = acme-client\n\n[options]\ninstall_requires =\n    requests>=2\n    acme-models[fast]==1.2 ; python_version>'3.8'\n\n[options.extras_require]\ntest = pytest\n")
            == .init(own: "acme-client", dependencies: ["requests", "acme-models", "pytest"]))
        #expect(Manifests.read(name: "go.mod", text: "module github.com/acme/api/v2\n\ngo 1.22\n\nrequire (\n\tgithub.com/acme/models v1.4.0\n\tgithub.com/spf13/cobra/v2 v2.0.0 // indirect\n)\nrequire golang.org/x/sync v0.7.0\n")
            == .init(own: "api", dependencies: ["models", "cobra", "sync"]))
        #expect(Manifests.read(name: "Cargo.toml", text: "[package]\nname = \"acme-cli\"\n\n[dependencies]\nserde = \"1\"\nmodels = { package = \"acme-models\", path = \"../models\" }\n\n[dev-dependencies]\ninsta = \"1\"\n")
            .map { Set($0.dependencies) } == ["serde", "acme-models", "insta"])
        #expect(Manifests.read(name: "package.json", text: #"{"name":"@acme/web","dependencies":{"react":"18"},"peerDependencies":{"@acme/ui":"2"}}"#)
            == .init(own: "@acme/web", dependencies: ["react", "@acme/ui"]))
        #expect(Manifests.read(name: "pyproject.toml", text: "[tool.poetry]\nname = \"acme-api\"\n[tool.poetry.dependencies]\npython = \"^3.11\"\nacme-models = \"^1\"\n[build-system]\nrequires = [\"poetry-core\"]\n")
            == .init(own: "acme-api", dependencies: ["acme-models"]))
        #expect(Manifests.read(name: "requirements-dev.txt", text: "-r requirements.txt\npytest==8.0\n")?.dependencies == ["pytest"])
        #expect(Manifests.read(name: "README.md", text: "x") == nil)
    }

    @Test func aLargeRepositoryDoesNotWinByVolumeAndTheReasonSaysSo() {
        var files: [CandidateFile] = [CandidateFile(repository: "acme/small", path: "ratelimit/limiter.py", content: "class RateLimiter:\n    window = 60\n")]
        for n in 0..<40 {
            files.append(CandidateFile(repository: "acme/big", path: "app/module\(n).py", content: "# the rate limiter of module \(n) keeps a limiter window\nlimiter = None\n"))
        }
        let keywords = [Keyword("limiter", kind: .word), Keyword("window", kind: .word)]
        // The search hit "limiter" in 40 of big's 4,000 files and in small's one file of 40.
        let density = SearchDensity(hits: ["acme/small": ["limiter": 1, "window": 1], "acme/big": ["limiter": 40, "window": 40]], sizes: ["acme/small": 40, "acme/big": 4_000])
        let population = LexicalIndex.Population(size: 4_041, frequency: [:], density: density)
        let ranking = LexicalRanker().rank(LexicalIndex(files, population: population), keywords: keywords)
        let big = ranking.repositories.first { $0.name == "acme/big" }
        #expect(ranking.repositories.first?.name == "acme/small", "\(ranking.repositories.map { ($0.name, $0.score) })")
        #expect(big?.reason.contains("for how densely its 4000 files hold the keywords") == true, "\(big?.reason ?? "")")
        // As dense as the organization: no change; denser: more.
        let even = SearchDensity(hits: ["a": ["x": 10], "b": ["x": 10]], sizes: ["a": 100, "b": 100])
        #expect(abs((even.factor(for: "a")?.factor ?? 0) - 1) < 1e-9)
        let dense = SearchDensity(hits: ["a": ["x": 30], "b": ["x": 10]], sizes: ["a": 100, "b": 1_000])
        #expect((dense.factor(for: "a")?.factor ?? 0) > 1 && (dense.factor(for: "b")?.factor ?? 2) < 1)
    }

    /// Planning takes what Discovery rates at least half the best, and a repository joined to
    /// one of those by a dependency when it has evidence of its own: a client and its service.
    @Test func planningTakesTheStrongRepositoriesAndTheirLinkedOnes() {
        let result = DiscoveryResult(
            relevantRepos: [
                .init(name: "inventory-client", relevance: 1, reason: "r", languages: ["Python"], files: []),
                .init(name: "inventory-service", relevance: 0.39, reason: "r", languages: ["Python"], files: []),
                .init(name: "docs-site", relevance: 0.3, reason: "r", languages: ["Markdown"], files: []),
                .init(name: "billing", relevance: 0.1, reason: "r", languages: ["Python"], files: []),
            ],
            crossRepoDependencies: [
                .init(from: "inventory-client", to: "inventory-service", type: "library"),
                .init(from: "inventory-client", to: "billing", type: "API"),
            ],
            estimatedComplexity: "Low", recommendedApproach: "", keywords: [])
        #expect(PlanningAgent.candidates(of: result) == ["inventory-client", "inventory-service"])
    }

    @Test func complexityComesFromTheEvidenceAndSaysWhy() {
        let one = DiscoveryResult(
            relevantRepos: [
                .init(name: "tax", relevance: 1, reason: "r", languages: ["Python"], files: [.init(path: "tax/rates.py", type: "source", relevance: 1, reason: "matches VAT_RATES (defines)")]),
                .init(name: "web", relevance: 0.3, reason: "r", languages: ["Python"], files: []),
            ],
            crossRepoDependencies: (1...6).map { DiscoveryResult.Dependency(from: "user\($0)", to: "tax", type: "library") }, estimatedComplexity: "", recommendedApproach: "",
            keywords: ["VAT_RATES"])
        let (complexity, approach) = DiscoveryAgent.approachFromCounts(one)
        #expect(complexity == "Low")
        #expect(approach.hasPrefix("Low: 1 repository, 1 source file, 1 defining what the ticket names. Change tax (tax/rates.py)"), "\(approach)")
        #expect(approach.components(separatedBy: "then check").count - 1 == 2, "the users of what changes, not every edge: \(approach)")
    }

    /// A component matches a repository however it is spelled, and only a whole name; the
    /// repository it names leads even when its words scored nothing.
    @Test func aComponentNamesARepositoryByItsWholeName() {
        let organization = ["acme/billing-service", "acme/billing-client", "acme/web"]
        #expect(ComponentRepositories.named(by: ["Billing Service", "WEB"], in: organization).map(\.repository) == ["acme/billing-service", "acme/web"])
        #expect(ComponentRepositories.named(by: ["billing_client", "billing.client"], in: organization).map(\.component) == ["billing_client"])
        #expect(ComponentRepositories.named(by: ["Billing", "billing-service-v2", "", " "], in: organization).isEmpty)

        func file(_ repository: String, _ path: String, _ score: Double) -> RankedFile {
            RankedFile(repository: repository, path: path, kind: .source, score: score, relevance: 0, reason: "", matched: [], defines: [])
        }
        let ranked = [
            RankedRepository(name: "acme/billing-service", score: 8, relevance: 1, reason: "matches vat", files: [file("acme/billing-service", "tax.py", 4)]),
            RankedRepository(name: "acme/web", score: 0, relevance: 0, reason: "matches nothing", files: []),
        ]
        let led = ComponentRepositories.lead(ranked, named: [("acme/web", "Web"), ("acme/billing-client", "billing-client")])
        #expect(led.map(\.name) == ["acme/billing-client", "acme/web", "acme/billing-service"])
        #expect(led.map(\.relevance) == [1, 1, 1])
        #expect(led[1].reason == "the ticket's Jira component \"Web\" names it; matches nothing")
        #expect(led[0].files.isEmpty && led[0].reason.hasSuffix("none of its files matched the ticket's words"))
        #expect(ComponentRepositories.lead(ranked, named: []) == ranked)
    }
}
