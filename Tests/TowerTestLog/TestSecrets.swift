/// Every token, key and password the tests hand to Tower. They all carry the marker
/// `tst0secret` so that the scan after a test run (`RunLogScan`) can find any that leaked into
/// a log line, a child's output or a screen, including ones a test forgot to list here.
public enum TestSecrets {
    public static let marker = "tst0secret"

    public static let githubToken = "ghp_tst0secret_github_9f2c"
    public static let jiraToken = "ATATT_tst0secret_jira_41d7"
    public static let slackToken = "xoxb-tst0secret-slack-77ab"
    public static let sentryToken = "sntrys_tst0secret_sentry_c3e1"
    public static let anthropicKey = "sk-ant-tst0secret-anthropic-0b5e"
    public static let awsSecret = "wJalrXUtnFEMI/K7MDENG+tst0secret/EXAMPLEKEY"
    public static let awsSessionToken = "FwoGZXIvYXdzEXAMPLE-tst0secret-token"
    /// A token no service accepts (the 401 case).
    public static let wrongToken = "ghp_tst0secret_wrong_0000"

    public static let all = [githubToken, jiraToken, slackToken, sentryToken, anthropicKey, awsSecret, awsSessionToken, wrongToken]
}
