/// How numbers read as labels everywhere: axis labels, coordinates, summaries, dependent-axis keys.
public enum NumberLabel {
    /// The shortest decimal that reads back as `value`, with integers bare (`5`, not `5.0`) and
    /// exponents short (`1e-5`, not Swift's `1e-05`), so labels look like what people write.
    public static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 {
            return String(Int64(value))
        }
        var text = "\(value)"
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            var exponent = String(text[text.index(after: e)...])
            let negative = exponent.hasPrefix("-")
            exponent = String(exponent.drop { $0 == "-" || $0 == "+" || $0 == "0" })
            text = String(text[..<e]) + "e" + (negative ? "-" : "") + (exponent.isEmpty ? "0" : exponent)
        }
        return text
    }
}
