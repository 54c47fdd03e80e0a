import Foundation

/// The most memory this process can ever hold: the machine's physical memory, bounded by the
/// process's address-space limit (`ulimit -v`, a batch system's). Here, below every module
/// that reads sizes from files, so that results files and data sets are bounded alike.
public enum ProcessMemory {
    public static var ceiling: Int {
        var ceiling = Int(clamping: ProcessInfo.processInfo.physicalMemory)
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_AS.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max {  // RLIM_INFINITY
            ceiling = min(ceiling, Int(clamping: limit.rlim_cur))
        }
        return ceiling
    }
}
