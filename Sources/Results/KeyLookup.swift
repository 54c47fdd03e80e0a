/// Runs named on the command line by their key or by its first characters (`inspect --key`,
/// `rerun --key`).
public enum KeyLookup {
    /// The items whose key is `key`; when there is none, those whose key begins with it.
    public static func matches<Item>(_ items: [Item], key: String, keyOf: (Item) -> String) -> [Item] {
        let exact = items.filter { keyOf($0) == key }
        return exact.isEmpty ? items.filter { keyOf($0).hasPrefix(key) } : exact
    }

    /// The message for a `key` that the runs `keys` (more than one) all begin with.
    public static func ambiguity(in path: String, key: String, keys: [String]) -> String {
        let shown = keys.prefix(5).joined(separator: ", ") + (keys.count > 5 ? ", …" : "")
        return "\(path) has \(keys.count) runs whose keys begin with \(key) (\(shown)); give more of the key"
    }
}
