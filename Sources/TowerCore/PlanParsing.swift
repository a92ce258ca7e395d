extension PlanDocument {
    /// Reads a PLAN.md written by ``render()`` or edited by hand.
    ///
    /// Tolerant where people are: headings match case-insensitively and in any order, list
    /// markers `-`, `*` and `+` are accepted with or without the ✅/❌ marks, checkboxes may be
    /// `[x]` or `[X]`, table rows may lack outer pipes, dependencies may be `-`, `none`, `1, 2` or
    /// `#1 #2`, hours may be `2`, `2.5` or `2h`. Sections the template does not have are kept.
    public static func parse(_ markdown: String) throws(PlanError) -> PlanDocument {
        let lines = markdown.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let titleIndex = lines.firstIndex(where: { $0.hasPrefix("# ") }) else { throw .missingTitle }
        let heading = String(lines[titleIndex].dropFirst(2)).trimmed
        let (ticketId, title): (String, String)
        if let colon = heading.firstIndex(of: ":") {
            ticketId = String(heading[..<colon]).trimmed
            title = String(heading[heading.index(after: colon)...]).trimmed
        } else {
            ticketId = heading
            title = ""
        }

        var plan = PlanDocument(ticketId: ticketId, title: title, summary: "", securityConsiderations: [])
        var section = ""  // current `##` heading, lowercased
        var subsection = ""  // current `###` heading, lowercased
        var body: [(line: Int, text: String)] = []

        func flush() throws(PlanError) {
            try plan.absorb(section: section, subsection: subsection, body: body)
            body = []
        }

        for (offset, line) in lines.enumerated().dropFirst(titleIndex + 1) {
            if line.hasPrefix("## ") {
                try flush()
                section = String(line.dropFirst(3)).trimmed
                subsection = ""
            } else if line.hasPrefix("### ") {
                try flush()
                subsection = String(line.dropFirst(4)).trimmed
            } else {
                body.append((offset + 1, line))
            }
        }
        try flush()
        // Component cells carry their repository only in a plan over several; the tasks name them.
        let repositories = plan.spansRepositories ? Array(Set(plan.tasks.compactMap(\.repository))) : []
        plan.components = plan.components.map { Component.parse(name: $0.name, cell: $0.path, responsibility: $0.responsibility, repositories: repositories) }
        return plan
    }

    private mutating func absorb(section: String, subsection: String, body: [(line: Int, text: String)]) throws(PlanError) {
        let text = body.map(\.text).joined(separator: "\n").trimmingBlankLines
        let key = section.lowercased()
        let sub = subsection.lowercased()
        switch key {
        case "":
            return
        case "summary":
            summary = text
        case "scope":
            if sub.hasPrefix("in scope") {
                inScope = Self.listItems(body.map(\.text), marks: ["✅"])
            } else if sub.hasPrefix("out of scope") {
                outOfScope = Self.listItems(body.map(\.text), marks: ["❌"])
            }
        case "architecture":
            if sub == "components" {
                components = Self.tableRows(body).map { row in
                    Component(name: row.value[safe: 0] ?? "", path: row.value[safe: 1] ?? "", responsibility: row.value[safe: 2] ?? "")
                }
            } else if sub == "data flow" {
                dataFlow = text
            }
        case let k where k.hasPrefix("test plan"):
            if sub.hasPrefix("unit") {
                unitTests = Self.checkboxes(body.map(\.text))
            } else if sub.hasPrefix("integration") {
                integrationTests = Self.checkboxes(body.map(\.text))
            }
        case "implementation tasks":
            // A plan over several repositories has a Repository column after Task.
            let header = body.first { MarkdownTable.cells($0.text.trimmed).count > 1 }.map { MarkdownTable.cells($0.text.trimmed).map { $0.lowercased() } }
            let repositoryColumn = header?.firstIndex(of: "repository")
            tasks = try Self.tableRows(body).map { row throws(PlanError) in
                var cells = row.value
                var repository: String?
                if let column = repositoryColumn, column < cells.count {
                    repository = cells.remove(at: column)
                    if repository == "-" || repository?.isEmpty == true { repository = nil }
                }
                guard let number = Int(cells[safe: 0]?.trimmingCharacters(in: "#") ?? ""),
                    let hours = Self.hours(cells[safe: 3] ?? "")
                else { throw .badTaskRow(line: row.line, text: row.raw) }
                return Task(
                    number: number, title: cells[safe: 1] ?? "", dependencies: Self.dependencies(cells[safe: 2] ?? ""), estimatedHours: hours,
                    repository: repository)
            }
        case "security considerations":
            securityConsiderations = Self.checkboxes(body.map(\.text))
        case "rollback plan":
            rollbackPlan = text
        default:
            let full = subsection.isEmpty ? text : ("### \(subsection)\n" + text)
            if let last = extraSections.last, last.heading == section {
                extraSections[extraSections.count - 1].body = [last.body, full].filter { !$0.isEmpty }.joined(separator: "\n\n")
            } else {
                extraSections.append(ExtraSection(heading: section, body: full))
            }
        }
    }

    private static func listItems(_ lines: [String], marks: [String]) -> [String] {
        lines.compactMap { line -> String? in
            guard var item = bulletBody(line) else { return nil }
            for mark in marks + ["✅", "❌"] where item.hasPrefix(mark) {
                item = String(item.dropFirst(mark.count)).trimmed
            }
            return item.isEmpty ? nil : item
        }
    }

    private static func checkboxes(_ lines: [String]) -> [Checkbox] {
        lines.compactMap { line -> Checkbox? in
            guard let item = bulletBody(line) else { return nil }
            if item.hasPrefix("[ ]") { return Checkbox(String(item.dropFirst(3)).trimmed, checked: false) }
            if item.lowercased().hasPrefix("[x]") { return Checkbox(String(item.dropFirst(3)).trimmed, checked: true) }
            return item.isEmpty ? nil : Checkbox(item, checked: false)
        }
    }

    /// The text after a `-`, `*` or `+` bullet, or `nil` when the line is not a bullet.
    private static func bulletBody(_ line: String) -> String? {
        let t = line.trimmed
        guard let first = t.first, "-*+".contains(first), t.dropFirst().first == " " else { return nil }
        return String(t.dropFirst(2)).trimmed
    }

    private struct Row {
        var line: Int
        var raw: String
        var value: [String]
    }

    /// Table body rows (header and separator skipped), cells trimmed, `\|` unescaped.
    private static func tableRows(_ body: [(line: Int, text: String)]) -> [Row] {
        var rows: [Row] = []
        var sawHeader = false
        for (line, text) in body {
            let t = text.trimmed
            guard t.contains("|") else { continue }
            let cells = MarkdownTable.cells(t)
            if MarkdownTable.isSeparator(cells) { continue }
            if !sawHeader {
                sawHeader = true
                continue
            }
            rows.append(Row(line: line, raw: t, value: cells))
        }
        return rows
    }

    private static func dependencies(_ cell: String) -> [Int] {
        cell.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
    }

    private static func hours(_ cell: String) -> Double? {
        let t = cell.lowercased().trimmed
        if t.isEmpty || t == "-" || t == "?" { return 0 }
        let number = t.prefix { $0.isNumber || $0 == "." }
        return Double(number)
    }
}

extension String {
    var trimmed: String { trimmingCharacters(in: " \t") }

    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }

    /// Without leading and trailing blank lines (inner blank lines kept).
    var trimmingBlankLines: String {
        var lines = split(separator: "\n", omittingEmptySubsequences: false)
        while let f = lines.first, f.allSatisfy(\.isWhitespace) { lines.removeFirst() }
        while let l = lines.last, l.allSatisfy(\.isWhitespace) { lines.removeLast() }
        return lines.joined(separator: "\n")
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
