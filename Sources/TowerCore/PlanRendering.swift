extension PlanDocument {
    /// PLAN.md in the original's template, section for section.
    public func render() -> String {
        var out: [String] = []
        out.append("# \(ticketId): \(title)")
        out.append("")
        out.append("## Summary")
        out.append(summary)
        out.append("")
        out.append("## Scope")
        out.append("### In Scope")
        out.append(contentsOf: inScope.map { "- ✅ \($0)" })
        out.append("")
        out.append("### Out of Scope")
        out.append(contentsOf: outOfScope.map { "- ❌ \($0)" })
        out.append("")
        out.append("## Architecture")
        out.append("### Components")
        out.append("| Component | Path | Responsibility |")
        out.append("|-----------|------|----------------|")
        out.append(contentsOf: components.map { "| \(cell($0.name)) | \(cell($0.renderedPath)) | \(cell($0.responsibility)) |" })
        out.append("")
        out.append("### Data Flow")
        out.append(dataFlow)
        out.append("")
        out.append("## Test Plan (TDD)")
        out.append("### Unit Tests")
        out.append(contentsOf: unitTests.map(checkbox))
        out.append("")
        out.append("### Integration Tests")
        out.append(contentsOf: integrationTests.map(checkbox))
        out.append("")
        out.append("## Implementation Tasks")
        let multi = spansRepositories
        out.append(multi ? "| # | Task | Repository | Dependencies | Est. Hours |" : "| # | Task | Dependencies | Est. Hours |")
        out.append(multi ? "|---|------|------------|--------------|------------|" : "|---|------|--------------|------------|")
        for task in tasks {
            let deps = task.dependencies.isEmpty ? "-" : task.dependencies.map(String.init).joined(separator: ", ")
            let repository = multi ? " \(cell(task.repository ?? "-")) |" : ""
            out.append("| \(task.number) | \(cell(task.title)) |\(repository) \(deps) | \(hours(task.estimatedHours)) |")
        }
        out.append("")
        out.append("## Security Considerations")
        out.append(contentsOf: securityConsiderations.map(checkbox))
        out.append("")
        out.append("## Rollback Plan")
        out.append(rollbackPlan)
        for section in extraSections {
            out.append("")
            out.append("## \(section.heading)")
            out.append(section.body)
        }
        return out.joined(separator: "\n") + "\n"
    }

    private func checkbox(_ box: Checkbox) -> String {
        "- [\(box.checked ? "x" : " ")] \(box.text)"
    }

    /// A table cell: pipes escaped, line breaks folded so the row stays one line.
    private func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    private func hours(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
