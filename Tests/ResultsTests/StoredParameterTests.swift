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

    /// Where the data spec tells the input and output widths, a damaged first or last weight
    /// is measured against them, not against its own columns.
    func testKnownWidthsJudgeTheFirstAndLastWeights() {
        var damaged = tensors([5, 4, 3])
        damaged[0].shape = [3, 3]
        XCTAssertEqual(ResultsFile.parameterProblem(damaged, hidden: [4], widths: (5, 3)), "layer0.weight has shape [3, 3], not [4, 5]")
        XCTAssertEqual(ResultsFile.parameterProblem(damaged, hidden: [4]), "layer0.weight has shape [3, 3], not [4, 3]")
        XCTAssertEqual(ResultsFile.parameterProblem(tensors([5, 4, 2]), hidden: [4], widths: (5, 3)),
                       "layer1.weight has shape [2, 4], not [3, 4]; layer1.bias has shape [2], not [3]")
        XCTAssertNil(ResultsFile.parameterProblem(tensors([5, 4, 3]), hidden: [4], widths: (5, 3)))
        var vector = tensors([5, 3])
        vector[0].shape = [15]
        XCTAssertEqual(ResultsFile.parameterProblem(vector, hidden: [], widths: (5, 3)), "layer0.weight has shape [15], not [3, 5]")
        XCTAssertEqual(ResultsFile.parameterProblem(Array(tensors([5, 3]).dropFirst()), hidden: [], widths: (5, 3)), "layer0.weight is missing")
    }
}
