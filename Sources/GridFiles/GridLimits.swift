/// How large a grid may be, checked while its file is read and before anything grows with
/// its size.
public enum GridLimits {
    /// Most bytes of a grid file. Grids are written by hand: the 200,000-value axis of the
    /// limits' tests is 1.4 MB; a larger file is another file given by mistake, and reading a
    /// 10 GB one whole took 13 GB of memory before YAML said it was not a grid.
    public static let fileBytes = 16 << 20
    /// Most runs a grid expands into unless large grids are allowed (`--force`).
    public static let runs = 100_000
    /// Most runs even when allowed: each expanded run holds its configuration and labels.
    public static let forcedRuns = 10_000_000
    /// Most cells of the `/grid` arrays: the product of the axes' lengths, which pooled
    /// blocks can make far larger than the number of runs.
    public static let cells = 100_000_000
    /// Most values of one `/curves` array: runs × the most epochs of any run.
    public static let curveValues = 200_000_000
}
