import Foundation
import PackagePlugin

/// Builds the shipped prompts, themes, the demo organization and the price table into the binary
/// (`TowerResources`), so an installed `tower` with no `share/` beside it still has its
/// default theme, its prompts and its demo. The files stay plain files in the source tree;
/// this turns them into one generated Swift file at build time. SwiftPM re-runs the plugin only
/// when the package changes: an edited file is picked up by the next build, but after adding or
/// removing one, `touch Package.swift` (a removed file otherwise stops the build with "missing
/// inputs"). `scripts/record-demo` keeps the recordings' file names, so it needs neither.
@main
struct BundleResources: BuildToolPlugin {
    /// The top-level directories bundled, relative to the package.
    static let directories = ["prompts", "themes", "demo", "pricing"]

    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        var inputs: [URL] = []
        for directory in Self.directories {
            let base = root.appending(path: directory)
            guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey]) else { continue }
            for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                if url.pathComponents.contains("__pycache__") { continue }
                inputs.append(url)
            }
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "BundledFiles.swift")
        return [
            .buildCommand(
                displayName: "Bundling \(Self.directories.joined(separator: ", ")) into \(target.name)",
                executable: try context.tool(named: "bundle-resources").url,
                arguments: [output.path, root.path] + inputs.map { String($0.path.dropFirst(root.path.count + 1)) },
                inputFiles: inputs, outputFiles: [output])
        ]
    }
}
