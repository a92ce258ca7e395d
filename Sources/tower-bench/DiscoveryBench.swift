import Foundation
import TowerAgents
import TowerCore
import TowerServices
import TowerStore

/// Discovery on real tickets from a real organization's history (scripts/bench-discovery mines
/// them: a commit's subject is the ticket, the code files it changed are the answer), against
/// plain BM25 over every file's path and content. Reports repo@1 (the top repository is the
/// commit's), hit@5 (a changed file among the first five), seconds and search calls per ticket.
/// A ticket with a `base` is answered with its repository's branch at that commit, the tree the
/// change was made on, by Tower and the baselines alike: at the head, the change itself (a name
/// it added, a test it wrote) would point at the answer.
func discoveryBench() async throws {
    struct Ticket: Decodable {
        var repo: String
        var ticket: String
        var files: [String]
        /// The commit the change was made on: the repository is answered as it was then.
        var base: String?
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
    func files(of repo: RepositoryRef, at ref: String) async throws -> [CandidateFile] {
        let paths = try await forge.files(in: repo, ref: ref).filter { !$0.hasSuffix(".png") && !$0.hasSuffix(".ico") && !$0.hasSuffix(".woff") }
        let texts = try await forge.files(paths, in: repo, ref: ref)
        return paths.map { CandidateFile(repository: repo.description, path: $0, content: texts[$0]) }
    }
    var corpus: [CandidateFile] = []
    var heads: [String: ForgeBranch] = [:]
    for repo in repositories {
        let branch = try await ForgeBranch(root: forgeRoot, repo: repo, name: try await forge.defaultBranch(of: repo))
        heads[repo.name] = branch
        corpus += try await files(of: repo, at: branch.head)
    }
    var started = Date()
    let index = LexicalIndex(corpus)
    emit(String(format: "organization %@: %d repositories, %d files (indexed once for plain BM25 in %.2f s); %d tickets", owner, repositories.count, corpus.count, Date().timeIntervalSince(started), tickets.count))

    /// One method's figures over the tickets.
    struct Score {
        var repoAt1 = 0
        var hitAt5 = 0
        var hitAt10 = 0
        /// Over the tickets with a right file in the first ten: its position, summed.
        var firstRightRank = 0
        var seconds = 0.0
        var searches = 0
        var found = 0
        var proposed = 0

        /// Scores one ticket's answer: the top repository and the files in the order proposed.
        mutating func add(topRepository: String?, files: [String], expectedRepository: String, answers: Set<String>, proposed count: Int) {
            if topRepository == expectedRepository { repoAt1 += 1 }
            let first = files.prefix(10).firstIndex(where: answers.contains)
            if let first {
                if first < 5 { hitAt5 += 1 }
                hitAt10 += 1
                firstRightRank += first + 1
            }
            proposed += count
        }
    }
    let showMisses = CommandLine.arguments.contains("--show-misses")
    // --dump FILE: each ticket's repositories as the ranker scored them, one JSON line per ticket.
    let dumpPath = option("--dump", "")
    let dump = dumpPath.isEmpty ? nil : FileManager.default.createFile(atPath: dumpPath, contents: nil) ? FileHandle(forWritingAtPath: dumpPath) : nil
    var lexical = Score()
    var plain = Score()
    var plainSource = Score()
    var agent = DiscoveryAgent(forge: forge, owner: owner, caller: nil, prompts: PromptLibrary(directories: []))
    agent.ranker.repositoryDepth = Int(option("--repo-depth", "\(agent.ranker.repositoryDepth)"))!
    agent.ranker.definitionBoost = Double(option("--definition-boost", "\(agent.ranker.definitionBoost)"))!
    agent.budget.files = Int(option("--read-files", "\(agent.budget.files)"))!
    var baseline = LexicalRanker.plainBM25
    baseline.repositoryDepth = agent.ranker.repositoryDepth
    let sourceIndex = LexicalIndex(corpus.filter { FileKind.of($0.path) == .source })
    // Frozen baselines: their own tokenizer, unmoved by Tower's.
    var frozen = Score()
    var frozenSource = Score()
    // Tickets whose repository is some method's first: how far choosing among these methods could go.
    var anyFirst = 0
    let frozenAll = PlainBM25(corpus.map { ($0.repository, $0.path, $0.content) })
    let frozenSources = PlainBM25(corpus.filter { FileKind.of($0.path) == .source }.map { ($0.repository, $0.path, $0.content) })
    for (number, ticket) in tickets.enumerated() {
        if number > 0, number % 20 == 0 {
            FileHandle.standardError.write(Data("discovery bench: \(number) of \(tickets.count) tickets\n".utf8))
        }
        let expectedRepo = "\(owner)/\(ticket.repo)"
        let answers = Set(ticket.files.map { "\(expectedRepo)/\($0)" })
        // The ticket's repository as it was before the change, for Tower and the baselines alike.
        var (index, sourceIndex, frozenAll, frozenSources) = (index, sourceIndex, frozenAll, frozenSources)
        let branch = ticket.base == nil ? nil : heads[ticket.repo]
        if let base = ticket.base, let branch {
            try await branch.move(to: base)
            let then = try await files(of: branch.repo, at: base)
            let sources = then.filter { FileKind.of($0.path) == .source }
            index = index.replacing(repository: branch.repo.description, with: then)
            sourceIndex = sourceIndex.replacing(repository: branch.repo.description, with: sources)
            frozenAll = frozenAll.replacing(repository: branch.repo.description, with: then)
            frozenSources = frozenSources.replacing(repository: branch.repo.description, with: sources)
        }

        started = Date()
        var ours = "nothing"
        var oursHit = false
        var oursRepo = "-"
        // This ticket's dump line, finished once the baselines have answered.
        var dumpLine: [String: Any]?
        if let report = try? await agent.discover(title: ticket.ticket, description: "") {
            lexical.found += 1
            lexical.searches += report.searchCalls
            let ranked = report.result.rankedRepos
            oursRepo = ranked.first.map { "\(owner)/\($0.name)" } ?? "-"
            // The order the console's "Read first" lists them in.
            let files = report.result.readingOrder.map { "\(owner)/\($0.repository)/\($0.file.path)" }
            lexical.add(topRepository: oursRepo, files: files, expectedRepository: expectedRepo, answers: answers, proposed: files.count)
            oursHit = files.prefix(5).contains(where: answers.contains)
            if dump != nil {
                let repos = report.ranking.map { repo -> [String: Any] in
                    ["name": repo.name, "score": repo.score, "size": report.repositorySizes[repo.name] ?? 0, "hits": report.searchHits[repo.name] ?? [:],
                     "files": repo.files.prefix(10).map { ["path": $0.path, "kind": $0.kind.rawValue, "score": $0.score, "matched": $0.matched, "defines": $0.defines] }]
                }
                // Where the first right file stands in everything Tower scored (-1: never a candidate).
                let everything = report.ranking.flatMap { repo in repo.files.map { ("\(repo.name)/\($0.path)", $0.score) } }.sorted { $0.1 > $1.1 }
                let answerRank = everything.firstIndex { answers.contains($0.0) } ?? -1
                dumpLine = [
                    "answerRank": answerRank, "ticket": ticket.ticket, "proposed": Array(files.prefix(10)), "expected": expectedRepo,
                    "answers": Array(answers), "repos": repos, "sizes": report.repositorySizes,
                ]
            }
            ours = files.prefix(3).joined(separator: ", ") + " [searched \(report.searchedKeywords.joined(separator: ", "))]"
        }
        lexical.seconds += Date().timeIntervalSince(started)

        started = Date()
        let words = KeywordExtractor.keywords(in: ticket.ticket, limit: 64).map { Keyword($0.text, kind: .word) }
        let ranking = baseline.rank(index, keywords: words)
        plain.seconds += Date().timeIntervalSince(started)
        if !ranking.files.isEmpty { plain.found += 1 }
        let plainFiles = ranking.files.prefix(10).map { "\($0.repository)/\($0.path)" }
        plain.add(topRepository: ranking.repositories.first?.name, files: plainFiles, expectedRepository: expectedRepo, answers: answers, proposed: plainFiles.count)
        let sourceRanking = baseline.rank(sourceIndex, keywords: words)
        if !sourceRanking.files.isEmpty { plainSource.found += 1 }
        let sourceFiles = sourceRanking.files.prefix(10).map { "\($0.repository)/\($0.path)" }
        plainSource.add(
            topRepository: sourceRanking.repositories.first?.name, files: sourceFiles, expectedRepository: expectedRepo, answers: answers, proposed: sourceFiles.count)
        let frozenAnswer = frozenAll.rank(ticket.ticket)
        if !frozenAnswer.files.isEmpty { frozen.found += 1 }
        frozen.add(topRepository: frozenAnswer.repository, files: frozenAnswer.files, expectedRepository: expectedRepo, answers: answers, proposed: frozenAnswer.files.count)
        let frozenSourceAnswer = frozenSources.rank(ticket.ticket)
        if !frozenSourceAnswer.files.isEmpty { frozenSource.found += 1 }
        frozenSource.add(
            topRepository: frozenSourceAnswer.repository, files: frozenSourceAnswer.files, expectedRepository: expectedRepo, answers: answers,
            proposed: frozenSourceAnswer.files.count)
        let firsts = [oursRepo, ranking.repositories.first?.name, sourceRanking.repositories.first?.name, frozenAnswer.repository, frozenSourceAnswer.repository]
        if firsts.contains(expectedRepo) { anyFirst += 1 }
        if let dump, var line = dumpLine {
            // The baselines' first ten beside Tower's, to read where either wins.
            line["frozen"] = frozenAnswer.files
            line["frozenSource"] = frozenSourceAnswer.files
            line["plainSource"] = sourceFiles
            dump.write(try JSONSerialization.data(withJSONObject: line) + Data("\n".utf8))
        }
        if showMisses, (ranking.repositories.first?.name == expectedRepo) != (oursRepo == expectedRepo) {
            emit("repo: \(ticket.ticket) → \(ticket.repo); ours \(oursRepo), plain \(ranking.repositories.first?.name ?? "-")")
        }
        let plainHit = plainFiles.prefix(5).contains(where: answers.contains)
        if showMisses, plainHit != oursHit {
            emit("\(oursHit ? "ours " : "plain") only: \(ticket.ticket) → \(ticket.repo): \(ticket.files.prefix(3).joined(separator: ", "))")
            emit("    ours:  \(ours)")
            emit("    plain: \(plainFiles.prefix(3).joined(separator: ", "))")
        }
        // Back at its head for the next ticket (a run that dies before this puts it back on start).
        try await branch?.restore()
    }
    let n = Double(max(1, tickets.count))
    func row(_ name: String, _ s: Score, searches: Bool) -> String {
        let firstRight = s.hitAt10 == 0 ? "-" : String(format: "%.2f", Double(s.firstRightRank) / Double(s.hitAt10))
        return String(
            format: "%@ %6.1f%% %6.1f%% %6.1f%% %11@ %9.1f %9.3f %9@ %7d", name.padding(toLength: 34, withPad: " ", startingAt: 0) as NSString,
            100 * Double(s.repoAt1) / n, 100 * Double(s.hitAt5) / n, 100 * Double(s.hitAt10) / n, firstRight as NSString, Double(s.proposed) / n, s.seconds / n,
            (searches ? String(format: "%.1f", Double(s.searches) / n) : "-") as NSString, s.found)
    }
    emit("method                               repo@1   hit@5  hit@10  first-right  proposed  s/ticket  searches  ranked")
    emit(row("tower discover --no-llm", lexical, searches: true))
    emit(row("plain BM25 over path + content", plain, searches: false))
    emit(row("plain BM25 over source files", plainSource, searches: false))
    emit(row("frozen BM25, path + content", frozen, searches: false))
    emit(row("frozen BM25, source files", frozenSource, searches: false))
    emit("first-right: the position of the first right file, over the tickets with one in the first ten; proposed: files per ticket (BM25: its first ten)")
    // Texts that no ranker can place: the same words filed under two repositories.
    var repositoriesOfText: [String: Set<String>] = [:]
    for ticket in tickets { repositoriesOfText[sameText(ticket.ticket), default: []].insert(ticket.repo) }
    let shared = tickets.filter { (repositoriesOfText[sameText($0.ticket)]?.count ?? 0) > 1 }.count
    emit(
        String(
            format: "the right repository is some method's first in %.1f%% of tickets (the most that choosing among these methods could reach); %d tickets' words are filed under more than one repository",
            100 * Double(anyFirst) / n, shared))
    emit("plain BM25 shares Tower's tokenizer and keyword rules; frozen BM25 has its own and does not move when they change")
}

/// A line on stdout at once (print is buffered when stdout is a file, and this runs for minutes).
private func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// A ticket's words as two repositories' commits would share them: lower case, without pull
/// request and issue numbers, punctuation at the ends or repeated spaces.
private func sameText(_ text: String) -> String {
    let withoutNumbers = text.lowercased().replacingOccurrences(of: #"\(?#\d+\)?"#, with: " ", options: .regularExpression)
    return withoutNumbers.split(whereSeparator: \.isWhitespace).joined(separator: " ").trimmingCharacters(in: .punctuationCharacters)
}
