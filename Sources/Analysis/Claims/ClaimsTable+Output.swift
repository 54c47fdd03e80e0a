import Foundation

extension ClaimsTable {
    /// The table for a terminal: one line per claim and context, notes indented below.
    public var text: String {
        var rows: [[String]] = [["claim", "file", "scope", "value", "95% CI", "seeds", "verdict"]]
        for result in results {
            rows.append([result.claim.id, result.file ?? "—", result.finding?.scope ?? "", Self.number(result.finding?.value),
                         Self.interval(result.finding?.interval), result.finding.map { String($0.seeds) } ?? "",
                         result.verdict.rawValue + (result.selectedOnTestSplit ? " (selected on the test split)" : "")])
        }
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max()! }
        var lines = rows.map { row in
            zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }
        lines.insert(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "), at: 1)
        let counts = self.counts
        lines.append("")
        lines.append(Verdict.allCases.map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
                     + ". Rules and statistics: decaybench claims --help, or the README's section on decaybench claims.")
        return lines.joined(separator: "\n")
    }

    /// The table and every claim's statement, source, statistic, rule and notes, as Markdown.
    public var markdown: String {
        var lines = ["# Claims", "", "Files: " + files.map { "`\($0)`" }.joined(separator: ", "), "", readingRule, "",
                     "| claim | file | scope | value | 95% CI | seeds | verdict |", "|---|---|---|---|---|---|---|"]
        for result in results {
            lines.append("| \(result.claim.id) | \(result.file ?? "—") | \(Self.escape(result.finding?.scope ?? "")) | \(Self.number(result.finding?.value)) | "
                         + "\(Self.interval(result.finding?.interval)) | \(result.finding.map { String($0.seeds) } ?? "") | "
                         + "**\(result.verdict.rawValue)**\(result.selectedOnTestSplit ? " (selected on the test split)" : "") |")
        }
        var seen = Set<String>()
        for result in results where seen.insert(result.claim.id).inserted {
            let claim = result.claim
            lines += ["", "## \(claim.id)", "", "- **Claim:** \(claim.statement) (\(claim.source))", "- **Statistic:** \(claim.statistic)",
                      "- **Rule:** \(claim.rule.text)", "- **Needs:** \(claim.needs)"]
            for other in results where other.claim.id == claim.id {
                guard let finding = other.finding, let file = other.file else {
                    let place = other.file.map { "`\($0)`: " } ?? ""
                    lines.append("- \(place)not run: \(other.reasonNotRun ?? "no file given has these runs")")
                    continue
                }
                var header = "- `\(file)`" + (finding.scope.isEmpty ? "" : " (\(Self.escape(finding.scope)))")
                header += ": \(Self.number(finding.value)), CI \(Self.interval(finding.interval)) over \(finding.seeds) seeds — **\(other.verdict.rawValue)**"
                if other.selectedOnTestSplit { header += "; selected on the test split (no validation split)" }
                lines.append(header)
                lines += finding.notes.map { "  - \(Self.escape($0))" }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Which claims each file was read for, in a sentence.
    var readingRule: String {
        if everyFile { return "Every file was read for every claim its runs span (`--every-file`)." }
        let declaring = zip(files, declaredClaims).filter { !$0.1.isEmpty }
        guard !declaring.isEmpty else { return "No grid declares its claims: every file was read for every claim its runs span." }
        var text = "Each grid that declares its claims was read for those alone: "
            + declaring.map { "`\($0.0)` (\($0.1.joined(separator: ", ")))" }.joined(separator: "; ") + "."
        if declaring.count < files.count { text += " The other files were read for every claim their runs span." }
        return text
    }

    /// Everything in `markdown`, as JSON for scripts (the report reads it). Non-finite numbers are null.
    public var json: Data {
        let claims: [[String: Any]] = results.map { result in
            var entry: [String: Any] = [
                "id": result.claim.id, "statement": result.claim.statement, "source": result.claim.source,
                "statistic": result.claim.statistic, "rule": result.claim.rule.text, "needs": result.claim.needs,
                "verdict": result.verdict.rawValue, "selected_on": result.file == nil ? NSNull() : (result.selectedOnTestSplit ? "test" : "validation"),
                "file": result.file ?? NSNull(),
            ]
            if let reason = result.reasonNotRun { entry["reason_not_run"] = reason }
            if let finding = result.finding {
                entry["scope"] = finding.scope
                entry["value"] = Self.jsonNumber(finding.value)
                entry["ci"] = finding.interval.map { [Self.jsonNumber($0.lower), Self.jsonNumber($0.upper)] } ?? NSNull()
                entry["seeds"] = finding.seeds
                entry["notes"] = finding.notes
            }
            return entry
        }
        let object: [String: Any] = ["files": files, "declared_claims": Dictionary(zip(files, declaredClaims).map { ($0, $1) }, uniquingKeysWith: { first, _ in first }),
                                     "every_file": everyFile, "claims": claims, "bootstrap_seed": SeedBootstrap.generatorSeed,
                                     "bootstrap_replicates": SeedBootstrap.replicates]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data("{}".utf8)
    }

    static func jsonNumber(_ value: Double?) -> Any {
        guard let value, value.isFinite else { return NSNull() }
        return value
    }

    static func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "—" }
        return String(format: "%.4g", value)
    }

    static func interval(_ interval: Interval?) -> String {
        guard let interval else { return "—" }
        return "[\(number(interval.lower)), \(number(interval.upper))]"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|")
    }
}
