// swift-tools-version:6.0
import PackageDescription

// Swift cannot compile one function for a wider instruction set, only a whole module. The
// manifest is built for the host, so this asks whether the host is x86-64 (elsewhere the module
// is built like any other and never chosen). Cross-module optimization is off for these modules:
// it would copy their small functions into callers built for baseline x86-64, without AVX2.
#if arch(x86_64)
let avx2Settings: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell", "-disable-cmo"])]
#else
let avx2Settings: [SwiftSetting] = []
#endif

let package = Package(
    name: "DecayBench",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "decaybench", targets: ["decaybench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // MARK: - C libraries and the macros Swift cannot import

        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        /// Whole-buffer gzip decompression, two to three times zlib's speed.
        .systemLibrary(name: "CDeflate", pkgConfig: "libdeflate", providers: [.apt(["libdeflate-dev"])]),
        /// SHA-256 of data files, with the processor's SHA instructions where it has them.
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        /// Element-wise float math Swift cannot vectorise on Linux: a square root without errno,
        /// and expf and logf over arrays, eight at a time, to the bit of the C library's.
        /// Optimized even in debug builds: the tests compare it with the C library on all 2³² floats.
        .target(name: "CFloatMath", cSettings: [.unsafeFlags(["-O2"])]),
        /// What the processor can do (whether it runs the AVX2 builds), asked at run time.
        .target(name: "CCPUFeatures"),
        /// A sentence and an exit status instead of a crash report when libhdf5 faults on a damaged file.
        .target(name: "CFaultGuard"),

        // MARK: - Engine

        /// Float32 buffers, sgemm and element-wise kernels, deterministic random numbers.
        .target(name: "TensorMath", dependencies: ["COpenBLAS", "CCPUFeatures"]),
        /// The products of a layer without a hidden layer before it, rows read where they lie.
        .target(name: "LinearKernels", dependencies: ["TensorMath"]),
        /// The same source (a symbolic link) built for AVX2; `Models` calls it where the processor has AVX2.
        .target(name: "LinearKernelsAVX2", dependencies: ["TensorMath"], swiftSettings: avx2Settings),
        /// Linear, softmax and MLP models: forward, backward, losses.
        .target(name: "Models", dependencies: ["TensorMath", "LinearKernels", "LinearKernelsAVX2", "CCPUFeatures", "CFloatMath"]),
        /// The element-wise loops of the update stages, over one block of parameters.
        .target(name: "UpdateKernels", dependencies: ["CFloatMath"]),
        /// The same source (a symbolic link) built for AVX2; `Optimization` runs it where the processor has AVX2.
        .target(name: "UpdateKernelsAVX2", dependencies: ["CFloatMath"], swiftSettings: avx2Settings),
        /// Update chains (SGD, Adam, penalties vs decoupled decay), schedules, masks.
        .target(name: "Optimization", dependencies: ["TensorMath", "UpdateKernels", "UpdateKernelsAVX2", "CCPUFeatures"]),
        /// A typed HDF5 layer: files, groups, datasets, attributes, tables, dimension scales.
        .target(name: "HDF5Store", dependencies: ["CHDF5", "CFaultGuard"]),
        /// IDX/gzip, CSV, HDF5 and synthetic data sets; splits, standardisation, batch order; file checksums.
        .target(name: "Datasets", dependencies: ["TensorMath", "CZlib", "CDeflate", "CCrypto", "HDF5Store"]),
        /// One run: its complete configuration, the training loop, its result.
        .target(name: "Training", dependencies: ["TensorMath", "Models", "Optimization", "Datasets"]),

        // MARK: - Grids, runs, results and analysis
        // Data flows one way: grid file → plan → runner → training session → results file → analysis.

        /// A grid as a plan of runs (axes, labels, configurations): the vocabulary shared by
        /// grid files, the runner, the results file and the analysis.
        .target(name: "Planning", dependencies: ["Training", "Datasets", "Models"]),
        /// The grid-file language: YAML in, a plan of runs out; the only module that imports Yams.
        .target(name: "GridFiles", dependencies: [
            "Planning", "Training", "Datasets", "Models", "Optimization",
            .product(name: "Yams", package: "Yams"),
        ]),
        /// Facts fixed at build time: the source tree's git commit (written by the SourceCommit plugin).
        .target(name: "BuildInfo", plugins: ["SourceCommit"]),
        .plugin(name: "SourceCommit", capability: .buildTool()),
        /// The results file, the HDF5 contract with every reader: write, read, validate, schema version.
        .target(name: "Results", dependencies: ["Planning", "Training", "Datasets", "Models", "HDF5Store"]),
        /// Runs a plan in parallel: workers, the run journal, the output lock, progress, time estimates.
        .target(name: "Runner", dependencies: ["BuildInfo", "Planning", "Results", "Training", "Datasets", "Models", "TensorMath", "HDF5Store"]),
        /// Reads results and draws conclusions: the best-cell summary and the claims with their
        /// verdicts. Optimization only for the names of optimizers, penalties and schedules;
        /// TensorMath for the seeded generator of the bootstrap.
        .target(name: "Analysis", dependencies: ["Results", "Planning", "Training", "Optimization", "TensorMath"]),
        /// Reruns stored runs from a results file alone and compares them bit for bit.
        .target(name: "Reproduction", dependencies: ["Results", "Training", "Datasets", "TensorMath", "HDF5Store"]),
        .executableTarget(name: "decaybench", dependencies: [
            "Reproduction", "GridFiles", "Planning", "Runner", "Results", "Analysis", "Training", "Datasets", "Models", "Optimization", "TensorMath",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // MARK: - Benchmarks (release builds; they print timings, nothing asserts them)

        /// ns per parameter per step of the update chain on the MLP 784-256-256-10.
        .executableTarget(name: "UpdateChainBenchmark", dependencies: ["Optimization", "TensorMath"],
                          path: "Benchmarks/UpdateChainBenchmark"),

        // MARK: - Tests

        /// Deterministic input mutation for the fuzz tests of the readers and the grid parser.
        .target(name: "FuzzSupport", dependencies: ["TensorMath"], path: "Tests/FuzzSupport"),
        /// CFloatMath's exp and log against the C library's on all 2³² floats; optimized even in
        /// debug builds, which makes the comparison take seconds rather than minutes.
        .target(name: "FloatMathChecks", dependencies: ["CFloatMath"], path: "Tests/FloatMathChecks",
                cSettings: [.unsafeFlags(["-O2"])]),

        .testTarget(name: "TensorMathTests", dependencies: ["TensorMath"]),
        .testTarget(name: "FloatMathTests", dependencies: ["CFloatMath", "FloatMathChecks"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "TensorMath", "LinearKernels", "LinearKernelsAVX2", "CCPUFeatures"]),
        .testTarget(name: "OptimizationTests", dependencies: ["Optimization", "TensorMath"]),
        .testTarget(name: "HDF5StoreTests", dependencies: ["HDF5Store", "CHDF5"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "TensorMath", "HDF5Store", "FuzzSupport"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "Models", "Optimization", "Datasets", "TensorMath"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "PlanningTests", dependencies: ["Planning", "Training", "Datasets", "Models", "Optimization"]),
        .testTarget(name: "GridFilesTests", dependencies: ["GridFiles", "Planning", "Training", "Datasets", "Models", "Optimization", "FuzzSupport"]),
        .testTarget(name: "ResultsTests", dependencies: ["Results", "Planning", "Training", "HDF5Store", "Datasets", "Models", "Optimization"]),
        .testTarget(name: "RunnerTests", dependencies: ["Runner", "Results", "Planning", "Training", "Datasets", "Models", "Optimization", "TensorMath"]),
        .testTarget(name: "ReproductionTests", dependencies: ["Reproduction", "Results", "Runner", "Planning", "Training", "Datasets", "Models", "Optimization", "HDF5Store"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "Results", "Planning", "Training", "Datasets", "Models", "Optimization"]),
    ],
    swiftLanguageModes: [.v6]
)
