import Testing
@testable import TowerServices

/// A git command's span is named by its subcommand alone: its other arguments may hold a remote
/// URL with a token, a path, a message.
@Suite struct GitSpanTests {
    @Test func theSubcommandIsFoundPastGitsOwnOptions() {
        #expect(GitSpan.subcommand(["--git-dir", "/x/y.git", "for-each-ref", "--format=%(refname)"]) == "for-each-ref")
        #expect(GitSpan.subcommand(["-C", "/work/repo", "-c", "user.name=Tower", "commit", "-m", "feat: x"]) == "commit")
        #expect(GitSpan.subcommand(["--no-pager", "log", "--oneline"]) == "log")
        #expect(GitSpan.subcommand(["push", "https://x-access-token:ghp_secret@github.com/acme/ledger.git", "HEAD:ai/x"]) == "push")
        #expect(GitSpan.subcommand(["-C", "/work/repo"]) == "?")
        #expect(GitSpan.subcommand(["https://token@github.com/x"]) == "?", "a word that is not a command is never a span's name")
    }
}
