import BuildInfo
import Foundation
import HDF5Store
import Results
import TensorMath

extension Provenance {
    /// The provenance of this process.
    public static func current() -> Provenance {
        let environment = ProcessInfo.processInfo.environment
            .filter { $0.key.hasPrefix("OPENBLAS_") }
            .sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value)" }
            .joined(separator: " ")
        return Provenance(
            harnessVersion: harnessVersion, gitCommit: sourceCommit, swiftVersion: compilerVersion,
            hdf5Version: HDF5Library.version, openBLASConfiguration: BLAS.configuration, blasCoreName: BLAS.coreName,
            cpu: cpuModel, logicalCores: ProcessInfo.processInfo.activeProcessorCount,
            hostName: ProcessInfo.processInfo.hostName, openBLASEnvironment: environment)
    }

    /// The Swift compiler this binary was built with.
    static var compilerVersion: String {
        #if swift(>=6.4)
        return "6.4 or later"
        #elseif swift(>=6.3)
        return "6.3"
        #elseif swift(>=6.2)
        return "6.2"
        #elseif swift(>=6.1)
        return "6.1"
        #else
        return "6.0"
        #endif
    }

    static var cpuModel: String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return "unknown"
    }

    /// The commit of the source tree this binary was built from, recorded at build time.
    static var sourceCommit: String { BuildInfo.sourceCommit }
}
