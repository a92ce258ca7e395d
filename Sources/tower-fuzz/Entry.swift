import Foundation
import TowerCore
import TowerTestSupport

#if FUZZING
    // Built by scripts/fuzz (TOWER_FUZZ_BUILD=1: -sanitize=fuzzer,address, FUZZING): libFuzzer's
    // driver runs the target named by TOWER_FUZZ_TARGET. SwiftPM links an executable's entry as `<module>_main`,
    // so the driver is started from there rather than from libFuzzer's own `main`.
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    nonisolated(unsafe) var selected = FuzzTarget.json

    @_cdecl("tower_fuzz_main")
    func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
        guard let name = ProcessInfo.processInfo.environment["TOWER_FUZZ_TARGET"], let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("set TOWER_FUZZ_TARGET to one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
            return 2
        }
        selected = target
        var argc = argc
        var argv = argv
        return LLVMFuzzerRunDriver(&argc, &argv) { start, count in
            selected.run(UnsafeBufferPointer(start: start, count: start == nil ? 0 : count))
            return 0
        }
    }
#else
    /// `tower-fuzz TARGET FILE|DIR…` runs saved inputs (a corpus, a crash libFuzzer found)
    /// through a target without the fuzzer; `tower-fuzz seed-plan` prints a PLAN.md to seed the
    /// plan corpus with.
    @main struct TowerFuzz {
        static func main() throws {
            let arguments = Array(CommandLine.arguments.dropFirst())
            if arguments.first == "seed-plan" {
                print(SampleData.planMarkdown)
                return
            }
            guard let name = arguments.first, let target = FuzzTarget(rawValue: name) else {
                FileHandle.standardError.write(Data("usage: tower-fuzz TARGET FILE|DIR... (\(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")))\n".utf8))
                exit(2)
            }
            var count = 0
            for path in arguments.dropFirst() {
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                    FileHandle.standardError.write(Data("tower-fuzz: no such file: \(path)\n".utf8))
                    exit(1)
                }
                let files = isDirectory.boolValue ? try FileManager.default.contentsOfDirectory(atPath: path).sorted().map { "\(path)/\($0)" } : [path]
                for file in files {
                    let data = try Data(contentsOf: URL(fileURLWithPath: file))
                    data.withUnsafeBytes { target.run($0.bindMemory(to: UInt8.self)) }
                    count += 1
                }
            }
            print("\(target.rawValue): \(count) inputs run")
        }
    }
#endif
