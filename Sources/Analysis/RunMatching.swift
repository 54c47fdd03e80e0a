import Planning
import Results

/// Pairs the runs of two results files: by key, then, among runs whose keys match nothing,
/// by grid coordinates (block and every axis label) when those are unique on both sides.
struct RunMatching {
    var pairs: [(baseline: RunRecord, new: RunRecord)] = []
    var byKey = 0
    var byCoordinates: [(baseline: String, new: String)] = []
    var onlyInBaseline: [RunRecord] = []
    var onlyInNew: [RunRecord] = []

    init(baseline: [RunRecord], new: [RunRecord]) {
        let newByKey = Dictionary(new.map { ($0.run.key, $0) }, uniquingKeysWith: { first, _ in first })
        let baselineKeys = Set(baseline.map(\.run.key))
        var unmatchedBaseline: [RunRecord] = []
        for record in baseline {
            if let partner = newByKey[record.run.key] {
                pairs.append((record, partner))
                byKey += 1
            } else {
                unmatchedBaseline.append(record)
            }
        }
        let unmatchedNew = new.filter { !baselineKeys.contains($0.run.key) }
        func coordinates(_ record: RunRecord) -> String {
            "block=\(record.run.block) " + record.run.coordinates.map { "\($0.axis)=\($0.label)" }.joined(separator: " ")
        }
        let newByCoordinates = Dictionary(grouping: unmatchedNew, by: coordinates)
        let baselineByCoordinates = Dictionary(grouping: unmatchedBaseline, by: coordinates)
        var claimed: Set<String> = []
        for record in unmatchedBaseline {
            let place = coordinates(record)
            if baselineByCoordinates[place]?.count == 1, let candidates = newByCoordinates[place], candidates.count == 1 {
                pairs.append((record, candidates[0]))
                byCoordinates.append((record.run.key, candidates[0].run.key))
                claimed.insert(candidates[0].run.key)
            } else {
                onlyInBaseline.append(record)
            }
        }
        onlyInNew = unmatchedNew.filter { !claimed.contains($0.run.key) }
    }
}
