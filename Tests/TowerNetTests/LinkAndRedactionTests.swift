import Foundation
import Testing
import TowerNet

@Suite struct LinkHeaderTests {
    @Test func readsGitHubPagination() {
        let header = LinkHeader(#"<https://api.github.com/search/code?q=oauth&page=2>; rel="next", <https://api.github.com/search/code?q=oauth&page=5>; rel="last""#)
        #expect(header.next?.absoluteString == "https://api.github.com/search/code?q=oauth&page=2")
        #expect(header.links["last"]?.absoluteString == "https://api.github.com/search/code?q=oauth&page=5")
        #expect(LinkHeader("").next == nil)
        #expect(LinkHeader(#"<https://x/a>; title="a, b"; rel="prev next""#).links.keys.sorted() == ["next", "prev"])
    }
}

@Suite struct RedactorTests {
    let redactor = Redactor(secrets: ["ghp_tst0secret123456", "xoxb-1-2-3-tst0secret"])

    @Test func secretHeadersKeepOnlyTheirScheme() {
        #expect(redactor.header("Authorization", "Bearer ghp_tst0secret123456") == "Bearer ***")
        #expect(redactor.header("authorization", "Basic Ym90OnRva2Vu") == "Basic ***")
        #expect(redactor.header("x-api-key", "sk-ant-tst0secret-123") == "***")
        #expect(redactor.header("Accept", "application/vnd.github+json") == "application/vnd.github+json")
    }

    @Test func urlsLoseTokensAndPasswords() {
        #expect(redactor.url("https://bot:hunter22@jira.example.com/rest?access_token=abc&page=2#x") == "https://bot:***@jira.example.com/rest?access_token=***&page=2#x")
        #expect(redactor.url("https://s3/logs.zip?X-Amz-Signature=deadbeef&X-Amz-Expires=60") == "https://s3/logs.zip?X-Amz-Signature=***&X-Amz-Expires=60")
        // A Slack response_url or incoming webhook is a credential in its path.
        #expect(redactor.url("https://hooks.slack.com/actions/T0001/123456/AbCdEf0123456789") == "https://hooks.slack.com/actions/***")
        #expect(redactor.url("https://hooks.slack.com/services/T0001/B0002/XXXXXXXX?x=1") == "https://hooks.slack.com/services/***?x=1")
        #expect(redactor.url("https://slack.com/api/chat.postMessage") == "https://slack.com/api/chat.postMessage")
    }

    @Test func knownSecretsVanishFromAnyText() {
        #expect(redactor.text("token ghp_tst0secret123456 and xoxb-1-2-3-tst0secret") == "token *** and ***")
        #expect(Redactor(secrets: ["abc"]).text("abc") == "abc")
    }
}
