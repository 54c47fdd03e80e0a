import CFloatMath

extension Float {
    /// √self, correctly rounded like `squareRoot()` (the same bits), but without the C
    /// library call behind `squareRoot()` on Linux, so loops that use it are vectorised.
    @inline(__always)
    var vectorizableSquareRoot: Float { cfloatmath_sqrt(self) }
}
