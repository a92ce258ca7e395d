import Foundation
import Testing
import TowerAgents

/// An index with one repository's files replaced ranks exactly as one built from scratch over
/// the same files: the Discovery benchmark answers every ticket on such an index.
@Suite struct LexicalIndexTests {
    private let others = [
        CandidateFile(repository: "encode/httpx", path: "httpx/_auth.py", content: "class FunctionAuth(Auth):\n    def auth_flow(self, request): ...\n"),
        CandidateFile(repository: "encode/httpx", path: "httpx/__init__.py", content: "from ._auth import Auth, BasicAuth\n__all__ = ['Auth', 'BasicAuth']\n"),
    ]
    private let before = [
        CandidateFile(repository: "encode/httpcore", path: "httpcore/__init__.py", content: "from ._api import request, stream\n"),
        CandidateFile(repository: "encode/httpcore", path: "httpcore/_synchronization.py", content: "import anyio\nclass AsyncLock:\n    def setup(self): self._anyio_lock = anyio.Lock()\n"),
        CandidateFile(repository: "encode/httpcore", path: "httpcore/_trace.py", content: "class Trace: ...\n"),
    ]
    private let after = [
        CandidateFile(repository: "encode/httpcore", path: "httpcore/__init__.py", content: "from ._api import request, stream\n"),
        CandidateFile(
            repository: "encode/httpcore", path: "httpcore/_synchronization.py",
            content: "import anyio\nclass AsyncLock:\n    def setup(self): self._anyio_lock = anyio.Lock(fast_acquire=True)\n"),
        CandidateFile(repository: "encode/httpcore", path: "httpcore/_backends/anyio.py", content: "class AnyIOStream: ...\n"),
    ]

    @Test func aReplacedRepositoryRanksAsAFreshIndexWould() {
        let keywords = [Keyword("fast_acquire", kind: .identifier), Keyword("anyio", kind: .word), Keyword("Auth", kind: .identifier)]
        let replaced = LexicalIndex(others + before).replacing(repository: "encode/httpcore", with: after)
        let fresh = LexicalIndex(others + after)
        let ranker = LexicalRanker()
        let a = ranker.rank(replaced, keywords: keywords), b = ranker.rank(fresh, keywords: keywords)
        #expect(a.files.map { "\($0.repository)/\($0.path)" }.sorted() == b.files.map { "\($0.repository)/\($0.path)" }.sorted())
        for file in b.files {
            let twin = a.files.first { $0.repository == file.repository && $0.path == file.path }
            #expect(twin.map { abs($0.score - file.score) < 1e-9 } == true, "\(file.path): \(twin?.score ?? -1) against \(file.score)")
        }
        #expect(a.repositories.map(\.name) == b.repositories.map(\.name))
        // The file the change removed is gone, and the one it added is there.
        #expect(ranker.rank(replaced, keywords: [Keyword("Trace", kind: .identifier)]).files.isEmpty)
        #expect(ranker.rank(replaced, keywords: [Keyword("AnyIOStream", kind: .identifier)]).files.first?.path == "httpcore/_backends/anyio.py")
    }
}
