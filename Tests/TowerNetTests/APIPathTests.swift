import Testing
import TowerNet

/// The path sent and the template a trace shows are made from one literal, so they cannot drift.
@Suite struct APIPathTests {
    @Test func valuesBecomeNamedPlaceholdersInTheTemplate() {
        let owner = "acme", repo = "ledger", number = 42
        let path: APIPath = "/repos/\(owner: owner)/\(repo: repo)/pulls/\(number, as: "pull_number")"
        #expect(path.path == "/repos/acme/ledger/pulls/42")
        #expect(path.template == "/repos/{owner}/{repo}/pulls/{pull_number}")
        let compare: APIPath = "/repos/\(owner: owner)/\(repo: repo)/compare/\("main", as: "base")...\("ai/x", as: "head")"
        #expect(compare.template == "/repos/{owner}/{repo}/compare/{base}...{head}")
        #expect(compare.path == "/repos/acme/ledger/compare/main...ai/x")
    }

    @Test func aLiteralIsItsOwnTemplateAndPiecesJoin() {
        let git: APIPath = "/repos/\(owner: "acme")/\(repo: "ledger")/git"
        let ref = git + "/refs/\("heads/ai/OPS-1", as: "ref")"
        #expect(ref.path == "/repos/acme/ledger/git/refs/heads/ai/OPS-1")
        #expect(ref.template == "/repos/{owner}/{repo}/git/refs/{ref}")
        let user: APIPath = "/user"
        #expect(user.template == "/user" && user.path == "/user")
    }
}
