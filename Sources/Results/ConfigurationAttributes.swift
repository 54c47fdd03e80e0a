import Foundation
import HDF5Store
import Planning
import Training

/// A run's configuration as flat HDF5 attributes: "optimizer.learningRate" = 0.001, …
///
/// Every field becomes one attribute with its Swift type kept (a Double λ of 0 stays a
/// float64, never an integer), so MATLAB or h5dump users see every setting without parsing
/// JSON. Unset optional fields are written as the string "none". The canonical JSON is
/// kept beside them for tools.
enum ConfigurationAttributes {
    static func flatten(_ configuration: RunConfiguration) -> [(String, HDF5AttributeValue)] {
        var attributes: [(String, HDF5AttributeValue)] = []
        visit(configuration, path: "", into: &attributes)
        return attributes
    }

    private static func visit(_ value: Any, path: String, into attributes: inout [(String, HDF5AttributeValue)]) {
        switch value {
        case let number as Double: attributes.append((path, .double(number)))
        case let number as Int: attributes.append((path, .int64(Int64(number))))
        case let number as UInt64:
            // Seeds are UInt64; the rare one above Int64.max is kept exact as text.
            attributes.append((path, number <= UInt64(Int64.max) ? .int64(Int64(number)) : .string(String(number))))
        case let flag as Bool: attributes.append((path, .int64(flag ? 1 : 0)))
        case let text as String: attributes.append((path, .string(text)))
        case let numbers as [Int]: attributes.append((path, .int64s(numbers.map(Int64.init))))
        case let raw as any RawRepresentable: attributes.append((path, .string("\(raw.rawValue)")))
        default:
            let mirror = Mirror(reflecting: value)
            if mirror.displayStyle == .optional {
                if let wrapped = mirror.children.first?.value {
                    visit(wrapped, path: path, into: &attributes)
                } else {
                    attributes.append((path, .string("none")))
                }
                return
            }
            for child in mirror.children {
                guard let label = child.label else { continue }
                visit(child.value, path: path.isEmpty ? label : path + "." + label, into: &attributes)
            }
        }
    }
}
