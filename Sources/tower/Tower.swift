import ArgumentParser

/// `tower`: the command line, mirroring the original's cli.py.
@main
struct Tower: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tower",
        abstract: "A control tower for autonomous coding agents.",
        discussion: """
            Tickets go through Discovery, Planning, approval, Execution and CI to done; every step is stored
            before the next begins, and approvals, rejections and retries can come from any process.
            """,
        subcommands: [RunConsole.self, DemoCommand.self, RunCommand.self, ServeCommand.self, MonitorSentryCommand.self, DiscoverCommand.self, CICDCommand.self, AgentCommand.self, AuditCommand.self, DigestCommand.self, StoreCommand.self, ConfigCommand.self, DoctorCommand.self, ToolCommand.self],
        defaultSubcommand: RunConsole.self
    )
}
