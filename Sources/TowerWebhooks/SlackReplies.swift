/// What Slack users are told, at once (within Slack's 3 s) and after.
enum SlackReplies {
    static let help = """
        `/agent status ID`: a task's state and its latest lines
        `/agent approve ID [note]`: approve a plan
        `/agent reject ID reason`: reject a plan
        `/agent retry ID`: retry a failed task at its failed step
        `/agent budget ID +5` or `stop`: grant a task waiting for model budget more, or stop it
        `/agent list [status]`: the newest tasks
        `/agent help`: this list
        """

    /// The immediate, ephemeral answer to a slash command.
    static func acknowledgement(command: String, text: String) -> String {
        let word = text.split(separator: " ").first.map { String($0).lowercased() } ?? ""
        if word.isEmpty || word == "help" { return help }
        return "⏳ `\(command) \(text.prefix(200))`: on it; the answer follows here."
    }
}
