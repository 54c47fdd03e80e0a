/// A shuffled batch copied out of a data set's pixel bytes, each byte scaled to the Float32
/// feature the data set holds for it (`Split.pixelBytes`: `Float(byte) / 255`, to the bit).
///
/// Copying 784 bytes a row instead of 3,136 reads a quarter of the memory, and the rows of a
/// shuffled batch come from anywhere in a split larger than the caches. The scaling runs in the
/// widest build of `SingleLayerKernel` the processor has (the same bits in every build).
public enum ScaledPixelRows {
    /// Writes row `rows[k]` of the byte matrix, scaled, as row k of `output`.
    public static func gather(rows: ArraySlice<Int>, from bytes: UnsafeBufferPointer<UInt8>, width: Int,
                              into output: UnsafeMutableBufferPointer<Float>) {
        precondition(width > 0, "rows of width \(width)")
        precondition(output.count >= rows.count * width, "room for \(output.count / width) rows, the batch has \(rows.count)")
        let available = bytes.count / width
        for (k, row) in rows.enumerated() {
            precondition(row >= 0 && row < available, "row \(row) outside 0..<\(available)")
            SingleLayerProducts.scalePixels(bytes.baseAddress! + row * width, count: width, into: output.baseAddress! + k * width)
        }
    }
}
