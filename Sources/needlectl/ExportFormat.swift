import ArgumentParser
import Foundation
import NeedledRPC

/// `--format csv|json|fhir` for the export commands (fhir: sessions only).
enum ExportFormat: String, ExpressibleByArgument, CaseIterable {
    case csv, json, fhir
}

extension JSONValue {
    var doubleValue: Double? {
        switch self {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }

    var arrayValue: [JSONValue] { if case .array(let values) = self { values } else { [] } }

    /// A CSV cell: numbers and strings as they are, booleans as 1/0, a string with a comma or a
    /// quote quoted.
    var csvCell: String {
        switch self {
        case .bool(let value): value ? "1" : "0"
        case .int(let value): String(value)
        case .double(let value): String(value)
        case .string(let value):
            value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
                ? "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : value
        case .null: ""
        default: serialized
        }
    }
}

/// Rows of objects as CSV, with the given columns in order.
func csv(_ rows: [JSONValue], columns: [String]) -> String {
    var lines = [columns.joined(separator: ",")]
    for row in rows { lines.append(columns.map { row[$0]?.csvCell ?? "" }.joined(separator: ",")) }
    return lines.joined(separator: "\n") + "\n"
}

/// Writes `text` to `path`, or to standard output without one.
func emit(_ text: String, to path: String?) throws {
    guard let path else {
        FileHandle.standardOutput.write(Data(text.utf8))
        return
    }
    do {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    } catch {
        throw ValidationError("cannot write \(path): \(error.localizedDescription)")
    }
}
