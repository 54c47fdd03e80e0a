@testable import Results
import XCTest

/// A run's stored final tensors are checked against the network they claim to be: a missing
/// or misshapen tensor makes the file damaged, never a finished run with fewer parameters.
final class StoredParameterTests: XCTestCase {
    /// The tensors of a network `widths[0]`-…-`widths.last`, as a run stores them.
    private func tensors(_ widths: [Int]) -> [RunRecord.NamedTensor] {
        zip(widths, widths.dropFirst()).enumerated().flatMap { layer, pair in
            [RunRecord.NamedTensor(name: "layer\(layer).weight", shape: [pair.1, pair.0], values: .init(repeating: 0, count: pair.0 * pair.1)),
             RunRecord.NamedTensor(name: "layer\(layer).bias", shape: [pair.1], values: .init(repeating: 0, count: pair.1))]
        }
    }

    func testCompleteNetworksPass() {
        XCTAssertNil(ResultsFile.parameterProblem(tensors([6, 8, 3]), hidden: [8]))
        XCTAssertNil(ResultsFile.parameterProblem(tensors([784, 10]), hidden: []))
        XCTAssertNil(ResultsFile.parameterProblem(tensors([20, 16, 16, 16, 1]), hidden: [16, 16, 16]))
    }

    func testEachKindOfDamageIsNamed() {
        var missing = tensors([6, 8, 3])
        missing.remove(at: 0)
        XCTAssertEqual(ResultsFile.parameterProblem(missing, hidden: [8]), "layer0.weight is missing")
        var missingBias = tensors([6, 8, 3])
        missingBias.remove(at: 1)
        XCTAssertEqual(ResultsFile.parameterProblem(missingBias, hidden: [8]), "layer0.bias is missing")
        var misshapen = tensors([6, 8, 3])
        misshapen[3].shape = [2]
        XCTAssertEqual(ResultsFile.parameterProblem(misshapen, hidden: [8]), "layer1.bias has shape [2], not [3]")
        var vector = tensors([6, 8, 3])
        vector[2].shape = [24]
        XCTAssertEqual(ResultsFile.parameterProblem(vector, hidden: [8]), "layer1.weight has shape [24], not [out, in]")
        // Hidden widths that disagree with the configuration's: the chain breaks at layer 1.
        XCTAssertEqual(ResultsFile.parameterProblem(tensors([6, 9, 3]), hidden: [8]),
                       "layer0.weight has shape [9, 6], not [8, 6]; layer0.bias has shape [9], not [8]; layer1.weight has shape [3, 9], not [3, 8]")
        XCTAssertEqual(ResultsFile.parameterProblem(tensors([6, 8, 3]) + tensors([3, 2]).prefix(1).map {
            RunRecord.NamedTensor(name: "extra", shape: $0.shape, values: $0.values) }, hidden: [8]), "unexpected tensors extra")
    }
}
