/// Copying rows of a split: into new splits (subsets, hold-outs) and into training batches.
extension Split {
    /// Copies the rows at `rows` into `features` and their class labels into `labels`,
    /// row k of the batch at `features[k·featureCount ..< (k+1)·featureCount]`.
    ///
    /// Called once per training step, so it allocates nothing: the caller owns the buffers
    /// and reuses them; a smaller last batch fills only their beginning.
    /// - Precondition: a classification split; `features.count ≥ rows.count · featureCount`;
    ///   `labels.count ≥ rows.count`; every row in 0..<count.
    public func gather(rows: ArraySlice<Int>, featureCount: Int,
                       into features: UnsafeMutableBufferPointer<Float>, labels: UnsafeMutableBufferPointer<Int32>) {
        copyFeatures(rows: rows, featureCount: featureCount, into: features)
        gatherTargets(rows: rows, labels: labels)
    }

    /// Copies the rows at `rows` into `features` and their real targets into `values`;
    /// see `gather(rows:featureCount:into:labels:)`.
    /// - Precondition: a regression split; buffers large enough; every row in 0..<count.
    public func gather(rows: ArraySlice<Int>, featureCount: Int,
                       into features: UnsafeMutableBufferPointer<Float>, values: UnsafeMutableBufferPointer<Float>) {
        copyFeatures(rows: rows, featureCount: featureCount, into: features)
        gatherTargets(rows: rows, values: values)
    }

    /// Copies the class labels of the rows at `rows` into `labels` (the features stay where they lie).
    /// - Precondition: a classification split; `labels.count ≥ rows.count`; every row in 0..<count.
    public func gatherTargets(rows: ArraySlice<Int>, labels: UnsafeMutableBufferPointer<Int32>) {
        precondition(self.labels.count == count, "gathering labels from a regression split")
        copyTargets(self.labels, rows: rows, into: labels)
    }

    /// Copies the real targets of the rows at `rows` into `values` (the features stay where they lie).
    /// - Precondition: a regression split; `values.count ≥ rows.count`; every row in 0..<count.
    public func gatherTargets(rows: ArraySlice<Int>, values: UnsafeMutableBufferPointer<Float>) {
        precondition(self.values.count == count, "gathering values from a classification split")
        copyTargets(self.values, rows: rows, into: values)
    }

    private func copyFeatures(rows: ArraySlice<Int>, featureCount: Int, into output: UnsafeMutableBufferPointer<Float>) {
        precondition(self.features.count == count * featureCount, "split does not have \(featureCount) features per row")
        precondition(output.count >= rows.count * featureCount,
                     "feature buffer holds \(output.count), batch needs \(rows.count * featureCount)")
        guard !rows.isEmpty, featureCount > 0 else { return }
        self.features.withUnsafeBufferPointer { source in
            for (k, row) in rows.enumerated() {
                precondition(row >= 0 && row < count, "row \(row) outside 0..<\(count)")
                (output.baseAddress! + k * featureCount)
                    .update(from: source.baseAddress! + row * featureCount, count: featureCount)
            }
        }
    }

    private func copyTargets<Target>(_ source: [Target], rows: ArraySlice<Int>,
                                     into output: UnsafeMutableBufferPointer<Target>) {
        precondition(output.count >= rows.count, "target buffer holds \(output.count), batch has \(rows.count)")
        source.withUnsafeBufferPointer { source in
            for (k, row) in rows.enumerated() { output[k] = source[row] }
        }
    }

    /// A new split of the rows at `indices`, in that order.
    func rows(_ indices: [Int], featureCount: Int) -> Split {
        var selected = [Float](repeating: 0, count: indices.count * featureCount)
        selected.withUnsafeMutableBufferPointer { copyFeatures(rows: indices[...], featureCount: featureCount, into: $0) }
        // An empty split has neither labels nor values, so either initialiser builds it.
        if labels.count == count, count > 0 {
            return Split(features: selected, labels: indices.map { labels[$0] })
        }
        return Split(features: selected, values: indices.map { values[$0] })
    }

    /// The same targets with other features (standardised, for example).
    func replacingFeatures(_ newFeatures: [Float]) -> Split {
        if labels.count == count, count > 0 {
            return Split(features: newFeatures, labels: labels)
        }
        return Split(features: newFeatures, values: values)
    }
}
