import CCPUFeatures

/// The OpenBLAS kernels DecayBench asks for where OpenBLAS's own pick is measurably slower.
///
/// OpenBLAS picks its kernels (its "core") by processor when it loads. On AMD's Zen 4 (family 25
/// with AVX-512), OpenBLAS 0.3.21 picks Cooperlake, whose sgemm works on 512-bit vectors; Zen 4
/// executes those as two 256-bit halves, and the Haswell kernels (256-bit) are faster there:
/// the benchmark's MLP epoch 1.187 s against 1.242 s, side by side (README, Speed). They are
/// also the kernels OpenBLAS picks on Zen 1 to Zen 3 (core "Zen"), and round exactly as they
/// do, so a run computed on any Zen reproduces bit for bit on Zen 4 (`decaybench verify`).
///
/// Only that measured case changes: a processor of another family (Zen 5 executes 512-bit
/// vectors whole) or maker keeps OpenBLAS's pick, and so does anyone who set
/// OPENBLAS_CORETYPE. OpenBLAS reads that variable only when it loads, so the command starts
/// itself again with the variable set (`OpenBLASStart` in the executable).
public enum BLASCoreChoice {
    /// The variable through which OpenBLAS takes a core instead of picking one.
    public static let variable = "OPENBLAS_CORETYPE"

    /// The core asked for instead of OpenBLAS's pick.
    public static let preferredOnZen4 = "Haswell"

    /// OpenBLAS 0.3.21's cores whose sgemm uses 512-bit vectors, lower-cased.
    static let wideVectorCores: Set<String> = ["skylakex", "cooperlake", "sapphirerapids"]

    /// AMD's family number of Zen 3 and Zen 4 (of which only Zen 4 has AVX-512).
    static let zen3And4Family = 25

    /// The core to ask OpenBLAS for instead of `picked`, or nil to keep it.
    ///
    /// - Parameters:
    ///   - picked: the core OpenBLAS picked (`BLAS.coreName`).
    ///   - amdFamily: the processor's family if AMD made it, else nil.
    ///   - requested: OPENBLAS_CORETYPE as the user set it, or nil; any value, even an empty
    ///     one, is the user's choice and stands.
    public static func replacement(forPicked picked: String, amdFamily: Int?, requested: String?) -> String? {
        guard requested == nil, amdFamily == zen3And4Family, wideVectorCores.contains(picked.lowercased()) else { return nil }
        return preferredOnZen4
    }

    /// This processor's family if AMD made it, else nil.
    public static var amdFamily: Int? {
        let family = Int(ccpufeatures_amd_family())
        return family > 0 ? family : nil
    }
}
