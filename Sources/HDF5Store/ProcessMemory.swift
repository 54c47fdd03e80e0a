import Foundation

/// The most memory this process can ever hold: the machine's physical memory, bounded by the
/// process's address-space limit (`ulimit -v`, a batch system's). Here, below every module
/// that reads sizes from files, so that results files and data sets are bounded alike.
public enum ProcessMemory {
    public static var ceiling: Int {
        let physical = Int(clamping: ProcessInfo.processInfo.physicalMemory)
        return min(physical, addressSpaceLimit ?? physical)
    }

    /// The process's address-space limit in bytes (`ulimit -v`), or nil when it has none.
    public static var addressSpaceLimit: Int? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_AS.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return nil }  // RLIM_INFINITY
        return Int(clamping: limit.rlim_cur)
    }

    /// What the address-space limit leaves the process now: the limit less what it has mapped
    /// (all of the limit where /proc cannot tell); nil when it has no limit.
    public static var addressSpaceLeft: Int? {
        guard let limit = addressSpaceLimit else { return nil }
        return max(0, limit - (addressSpaceInUse ?? 0))
    }

    /// The address space the process has mapped now (its VmSize), which is what the limit
    /// counts; nil where /proc/self/status cannot tell.
    public static var addressSpaceInUse: Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmSize:") }),
              let kibibytes = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap({ Int($0) })
        else { return nil }
        return kibibytes * 1024
    }
}
