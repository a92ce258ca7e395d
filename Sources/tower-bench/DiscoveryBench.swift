import Foundation
import TowerAgents
import TowerCore
import TowerServices
import TowerStore

/// Discovery on real tickets from a real organization's history (scripts/bench-discovery mines
/// them: a commit's subject is the ticket, the code files it changed are the answer), against
/// plain BM25 over every file's path and content. Reports repo@1 (the top repository is the
/// commit's), hit@5 (a changed file among the first five), seconds and search calls per ticket.
func discoveryBench() async throws {
    struct Ticket: Decodable {
        var repo: String
        var ticket: String
        var files: [String]
    }
    let forgeRoot = URL(fileURLWithPath: option("--forge", ""))
    let owner = option("--owner", "pallets")
    let limit = Int(option("--limit", "100000"))!
    let tickets = try String(contentsOfFile: option("--tickets", ""), encoding: .utf8).split(separator: "\n").prefix(limit)
        .map { try JSONDecoder().decode(Ticket.self, from: Data($0.utf8)) }
    let state = URL(fileURLWithPath: NSTemporaryDirectory() + "tower-bench-discovery-\(getpid())")
    defer { try? FileManager.default.removeItem(at: state) }
    let store = try SQLiteStore(directory: state)
    let forge = LocalForge(root: forgeRoot, store: store)
    let repositories = try await forge.repositories(owner: owner)

    // The baseline's corpus: every readable file of every repository, path and content.
    var corpus: [CandidateFile] = []
    for repo in repositories {
        let branch = try await forge.defaultBranch(of: repo)
        for path in try await forge.files(in: repo, ref: branch) where !path.hasSuffix(".png") && !path.hasSuffix(".ico") && !path.hasSuffix(".woff") {
            corpus.append(CandidateFile(repository: repo.description, path: path, content: try await forge.file(path, in: repo, ref: branch)))
        }
    }
    var started = Date()
    let index = LexicalIndex(corpus)
    emit(String(format: "organization %@: %d repositories, %d files (indexed once for plain BM25 in %.2f s); %d tickets", owner, repositories.count, corpus.count, Date().timeIntervalSince(started), tickets.count))

    struct Score {
        var repoAt1 = 0
        var hitAt5 = 0
        var seconds = 0.0
        var searches = 0
        var found = 0
    }
    let showMisses = CommandLine.arguments.contains("--show-misses")
    var lexical = Score()
    var plain = Score()
    var agent = DiscoveryAgent(forge: forge, owner: owner, caller: nil, prompts: PromptLibrary(directories: []))
    agent.ranker.repositoryDepth = Int(option("--repo-depth", "\(agent.ranker.repositoryDepth)"))!
    var baseline = LexicalRanker.plainBM25
    baseline.repositoryDepth = agent.ranker.repositoryDepth
    for (number, ticket) in tickets.enumerated() {
        if number > 0, number % 20 == 0 {
            FileHandle.standardError.write(Data("discovery bench: \(number) of \(tickets.count) tickets\n".utf8))
        }
        let expectedRepo = "\(owner)/\(ticket.repo)"
        let answers = Set(ticket.files.map { "\(expectedRepo)/\($0)" })

        started = Date()
        var ours = "nothing"
        var oursHit = false
        var oursRepo = "-"
        if let report = try? await agent.discover(title: ticket.ticket, description: "") {
            lexical.found += 1
            lexical.searches += report.searchCalls
            let ranked = report.result.rankedRepos
            oursRepo = ranked.first.map { "\(owner)/\($0.name)" } ?? "-"
            if oursRepo == expectedRepo { lexical.repoAt1 += 1 }
            let files = ranked.flatMap { repo in repo.files.map { (path: "\(owner)/\(repo.name)/\($0.path)", relevance: $0.relevance) } }
                .sorted { $0.relevance > $1.relevance }.prefix(5)
            oursHit = files.contains(where: { answers.contains($0.path) })
            if oursHit { lexical.hitAt5 += 1 }
            ours = files.prefix(3).map(\.path).joined(separator: ", ") + " [searched \(report.searchedKeywords.joined(separator: ", "))]"
        }
        lexical.seconds += Date().timeIntervalSince(started)

        started = Date()
        let words = KeywordExtractor.keywords(in: ticket.ticket, limit: 64).map { Keyword($0.text, kind: .word) }
        let ranking = baseline.rank(index, keywords: words)
        plain.seconds += Date().timeIntervalSince(started)
        if !ranking.files.isEmpty { plain.found += 1 }
        if ranking.repositories.first?.name == expectedRepo { plain.repoAt1 += 1 }
        if showMisses, (ranking.repositories.first?.name == expectedRepo) != (oursRepo == expectedRepo) {
            emit("repo: \(ticket.ticket) → \(ticket.repo); ours \(oursRepo), plain \(ranking.repositories.first?.name ?? "-")")
        }
        let plainHit = ranking.files.prefix(5).contains(where: { answers.contains("\($0.repository)/\($0.path)") })
        if plainHit { plain.hitAt5 += 1 }
        if showMisses, plainHit != oursHit {
            emit("\(oursHit ? "ours " : "plain") only: \(ticket.ticket) → \(ticket.repo): \(ticket.files.prefix(3).joined(separator: ", "))")
            emit("    ours:  \(ours)")
            emit("    plain: \(ranking.files.prefix(3).map { "\($0.repository)/\($0.path)" }.joined(separator: ", "))")
        }
    }
    let n = Double(max(1, tickets.count))
    func row(_ name: String, _ s: Score, searches: Bool) -> String {
        String(
            format: "%@ %6.1f%% %6.1f%% %9.3f %9@ %7d", name.padding(toLength: 32, withPad: " ", startingAt: 0) as NSString, 100 * Double(s.repoAt1) / n, 100 * Double(s.hitAt5) / n, s.seconds / n,
            (searches ? String(format: "%.1f", Double(s.searches) / n) : "-") as NSString, s.found)
    }
    emit("method                            repo@1   hit@5  s/ticket  searches  ranked")
    emit(row("tower discover --no-llm", lexical, searches: true))
    emit(row("plain BM25 over path + content", plain, searches: false))
}

/// A line on stdout at once (print is buffered when stdout is a file, and this runs for minutes).
private func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
