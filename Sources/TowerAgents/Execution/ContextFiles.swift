import Foundation

/// Which files of a checkout a plan task's prompt shows: the plan's components in that
/// repository (a directory by its first files), Discovery's best files there, and the tests
/// that cover them (by the module's name). Pure, over the checkout's file list.
enum ContextFiles {
    static let perDirectory = 4
    static let fromDiscovery = 4

    /// Existing files to show, most important first, and the component paths that do not exist
    /// yet (what the task may create).
    static func select(components: [String], discovered: [String], files: [String]) -> (existing: [String], new: [String]) {
        let present = Set(files)
        var chosen: [String] = []
        var new: [String] = []
        func add(_ path: String) { if !chosen.contains(path) { chosen.append(path) } }
        for component in components {
            let path = component.trimmingCharacters(in: CharacterSet(charactersIn: "/ "))
            if present.contains(path) {
                add(path)
            } else {
                let inside = files.filter { $0.hasPrefix(path + "/") && FileKind.of($0) != .docs }
                if inside.isEmpty { new.append(path) } else { inside.prefix(perDirectory).forEach(add) }
            }
        }
        for path in discovered.filter({ present.contains($0) && FileKind.of($0) != .docs }).prefix(fromDiscovery) { add(path) }
        // Tests that name a chosen module: test_tax.py, tax_test.go, tax.test.ts, TaxTests.swift.
        let stems = Set(chosen.filter { FileKind.of($0) == .source }.map(stem))
        for test in files where FileKind.of(test) == .test && !chosen.contains(test) {
            let name = stem(test).lowercased()
            if stems.contains(where: { !$0.isEmpty && name.contains($0.lowercased()) }) { add(test) }
        }
        return (chosen, new)
    }

    /// A file's name without its directories and extensions.
    static func stem(_ path: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return name.split(separator: ".").first.map(String.init) ?? name
    }
}
