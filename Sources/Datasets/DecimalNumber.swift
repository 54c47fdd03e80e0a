/// Numbers as people and data files write them: decimal only.
public enum DecimalNumber {
    /// `text` as a Double, or nil when it is not a decimal number. `Double(_:)` alone also
    /// reads C's hexadecimal ("0x10" as 16, "0x1p3" as 8), which no CSV writer or user means
    /// (pandas reads it as text), and reads text as a C string, stopping at a NUL ("1\01" as 1).
    public static func parse(_ text: String) -> Double? {
        guard !text.utf8.contains(0), !text.contains(where: { $0 == "x" || $0 == "X" }) else { return nil }
        return Double(text)
    }
}
