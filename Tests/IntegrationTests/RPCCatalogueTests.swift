import Foundation
import NeedledClient
import NeedledRPC
import Testing

/// The API's bad-input catalogue, against the real daemon: every method with each wrong param
/// (missing, wrong type, out of range, unknown, not an object), each with the exact line a
/// person reads, and the pen, the session and the records unchanged after every one.
@Suite("RPC catalogue: every method, every wrong param")
struct RPCCatalogueTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let method: String
        /// The params as JSON text (`SERIAL`: the inserted cartridge's serial), or nil: none.
        let params: String?
        let expected: String
        init(_ method: String, _ params: String?, _ expected: String) {
            self.method = method
            self.params = params
            self.expected = expected
        }
        var testDescription: String { "\(method) \(params ?? "(no params)")" }
    }

    static let cases: [Case] = [
        Case(
            "daemon.info", "{\"verbose\":true}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: daemon.info does not take \\\"verbose\\\"; it takes no params.\"}}"
        ),
        Case(
            "daemon.info", "[1]",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: daemon.info takes its params as an object with named fields.\"}}"
        ),
        Case(
            "daemon.stats", "{\"reset\":\"yes\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"reset\\\" must be true or false, not a string.\"}}"
        ),
        Case(
            "daemon.metrics", "{\"format\":\"openmetrics\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: daemon.metrics does not take \\\"format\\\"; it takes no params.\"}}"
        ),
        Case(
            "daemon.stats", "{\"clear\":true}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: daemon.stats does not take \\\"clear\\\"; it takes only \\\"reset\\\".\"}}"
        ),
        Case(
            "rpc.listMethods", "{\"all\":true}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: rpc.listMethods does not take \\\"all\\\"; it takes no params.\"}}"
        ),
        Case(
            "pen.status", "{\"fields\":[\"state\"]}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: pen.status does not take \\\"fields\\\"; it takes no params.\"}}"
        ),
        Case(
            "pen.status", "\"x\"",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32600,\"message\":\"Invalid request: \\\"params\\\" must be an object or an array.\"}}"
        ),
        Case(
            "pen.home", "{\"fast\":true}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: pen.home does not take \\\"fast\\\"; it takes no params.\"}}"
        ),
        Case(
            "pen.arm", "{\"now\":1}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: pen.arm does not take \\\"now\\\"; it takes no params.\"}}"
        ),
        Case(
            "pen.start", "{\"hertz\":100}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: pen.start does not take \\\"hertz\\\"; it takes no params.\"}}"
        ),
        Case(
            "pen.stop", "{\"soft\":true}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: pen.stop does not take \\\"soft\\\"; it takes no params.\"}}"
        ),
        Case(
            "pen.resetFault", "{\"code\":\"stall\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: pen.resetFault does not take \\\"code\\\"; it takes no params.\"}}"
        ),
        Case(
            "pen.setDepth", nil,
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: pen.setDepth needs \\\"micrometres\\\" (the depth in micrometres, e.g. 500 for 0.5 mm).\"}}"
        ),
        Case(
            "pen.setDepth", "{\"micrometres\":\"500\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"micrometres\\\" must be a whole number (the depth in micrometres, e.g. 500 for 0.5 mm), not a string.\"}}"
        ),
        Case(
            "pen.setDepth", "{\"micrometres\":0.5}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"micrometres\\\" must be a whole number (the depth in micrometres, e.g. 500 for 0.5 mm), not a number.\"}}"
        ),
        Case(
            "pen.setDepth", "{\"micrometres\":5000}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32001,\"message\":\"Depth 5.00 mm is deeper than the cheeks limit of 1.00 mm; allowed 0.00 mm to 1.00 mm.\",\"data\":{\"limit\":\"areaMaxDepth\",\"requested\":5000,\"allowed\":{\"min\":0,\"max\":1000},\"unit\":\"micrometres\",\"area\":\"cheeks\"}}}"
        ),
        Case(
            "pen.setDepth", "{\"micrometres\":-20}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32001,\"message\":\"Depth -0.02 mm is outside the limit minDepth; allowed 0.00 mm to 1.00 mm.\",\"data\":{\"limit\":\"minDepth\",\"requested\":-20,\"allowed\":{\"min\":0,\"max\":1000},\"unit\":\"micrometres\"}}}"
        ),
        Case(
            "pen.setDepth", "{\"micrometres\":99999999}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32001,\"message\":\"Depth 99999999 µm is far outside any limit.\",\"data\":{\"limit\":\"maxDepth\",\"requested\":99999999}}}"
        ),
        Case(
            "pen.setDepth", "{\"micrometres\":500,\"mm\":0.5}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: pen.setDepth does not take \\\"mm\\\"; it takes only \\\"micrometres\\\".\"}}"
        ),
        Case(
            "pen.setDepth", "{\"depth\":500}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: pen.setDepth does not take \\\"depth\\\"; it takes only \\\"micrometres\\\".\"}}"
        ),
        Case(
            "pen.setDepth", "[500]",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: pen.setDepth takes its params as an object with named fields.\"}}"
        ),
        Case(
            "pen.setSpeed", nil,
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: pen.setSpeed needs \\\"hertz\\\" (strokes per second, e.g. 120).\"}}"
        ),
        Case(
            "pen.setSpeed", "{\"hertz\":\"fast\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"hertz\\\" must be a number (strokes per second, e.g. 120), not a string.\"}}"
        ),
        Case(
            "pen.setSpeed", "{\"hertz\":151}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32001,\"message\":\"Speed 151 Hz is outside the limit maxSpeed; allowed 25 Hz to 150 Hz.\",\"data\":{\"limit\":\"maxSpeed\",\"requested\":151,\"allowed\":{\"min\":25,\"max\":150},\"unit\":\"hertz\"}}}"
        ),
        Case(
            "pen.setSpeed", "{\"hertz\":10}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32001,\"message\":\"Speed 10 Hz is outside the limit minSpeed; allowed 25 Hz to 150 Hz.\",\"data\":{\"limit\":\"minSpeed\",\"requested\":10,\"allowed\":{\"min\":25,\"max\":150},\"unit\":\"hertz\"}}}"
        ),
        Case(
            "pen.setSpeed", "{\"hertz\":1000000000.0}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32001,\"message\":\"Speed 1000000000.0 Hz is far outside any limit.\",\"data\":{\"limit\":\"maxSpeed\"}}}"
        ),
        Case(
            "pen.setSpeed", "{\"hertz\":100,\"ramp\":5}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: pen.setSpeed does not take \\\"ramp\\\"; it takes only \\\"hertz\\\".\"}}"
        ),
        Case(
            "session.open", nil,
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: session.open needs \\\"area\\\" (the treatment area).\"}}"
        ),
        Case(
            "session.open", "{\"area\":\"lips\",\"cartridge\":\"SERIAL\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: unknown area \\\"lips\\\"; the areas are forehead, periorbital, nose, cheeks, perioral, neck, decolletage, scalp, scars, stretchMarks.\"}}"
        ),
        Case(
            "session.open", "{\"area\":5,\"cartridge\":\"SERIAL\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"area\\\" must be a string (the treatment area), not a number.\"}}"
        ),
        Case(
            "session.open", "{\"area\":\"cheeks\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: session.open needs \\\"cartridge\\\" (the serial of the cartridge in the pen).\"}}"
        ),
        Case(
            "session.open", "{\"area\":\"cheeks\",\"cartridge\":7}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"cartridge\\\" must be a string (the serial of the cartridge in the pen), not a number.\"}}"
        ),
        Case(
            "session.open", "{\"area\":\"cheeks\",\"cartridge\":\"SERIAL\",\"patient\":\"x\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: session.open does not take \\\"patient\\\"; it takes only \\\"area\\\", \\\"cartridge\\\", \\\"reference\\\".\"}}"
        ),
        Case(
            "session.open", "{\"area\":\"cheeks\",\"cartridge\":\"SERIAL\",\"reference\":5}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"reference\\\" must be a string (the clinic's reference for the treatment), not a number.\"}}"
        ),
        Case(
            "session.close", "{\"id\":\"S-0001\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: session.close does not take \\\"id\\\"; it takes no params.\"}}"
        ),
        Case(
            "session.acceptCartridge", nil,
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: session.acceptCartridge needs \\\"cartridge\\\" (the serial of the cartridge in the pen).\"}}"
        ),
        Case(
            "session.acceptCartridge", "{\"cartridge\":3}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"cartridge\\\" must be a string (the serial of the cartridge in the pen), not a number.\"}}"
        ),
        Case(
            "session.acceptCartridge", "{\"cartridge\":\"X\",\"force\":true}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: session.acceptCartridge does not take \\\"force\\\"; it takes only \\\"cartridge\\\".\"}}"
        ),
        Case(
            "session.list", "{\"limit\":0}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"limit\\\" must be from 1 to 1000, not 0.\"}}"
        ),
        Case(
            "session.list", "{\"limit\":\"ten\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"limit\\\" must be a whole number (1 to 1000 sessions), not a string.\"}}"
        ),
        Case(
            "session.list", "{\"since\":5}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"since\\\" must be a string (an ISO 8601 time, e.g. 2026-11-24T00:00:00Z), not a number.\"}}"
        ),
        Case(
            "session.list", "{\"order\":\"desc\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: session.list does not take \\\"order\\\"; it takes only \\\"since\\\", \\\"limit\\\".\"}}"
        ),
        Case(
            "session.get", nil,
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: session.get needs \\\"id\\\" (a session id such as S-0001).\"}}"
        ),
        Case(
            "session.get", "{\"id\":1}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"id\\\" must be a string (a session id such as S-0001), not a number.\"}}"
        ),
        Case(
            "session.get", "{\"id\":\"S-x\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"id\\\" must be a session id such as S-0001, not \\\"S-x\\\".\"}}"
        ),
        Case(
            "session.get", "{\"id\":\"S-9999\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: no session S-9999.\",\"data\":{\"id\":\"S-9999\"}}}"
        ),
        Case(
            "session.get", "{\"id\":\"S-0001\",\"full\":true}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: session.get does not take \\\"full\\\"; it takes only \\\"id\\\".\"}}"
        ),
        Case(
            "session.verify", nil,
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: session.verify needs \\\"id\\\" (a session id such as S-0001).\"}}"
        ),
        Case(
            "session.verify", "{\"id\":\"S-9999\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: no session S-9999.\",\"data\":{\"id\":\"S-9999\"}}}"
        ),
        Case(
            "records.verify", "{\"since\":\"2026-01-01\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: records.verify does not take \\\"since\\\"; it takes no params.\"}}"
        ),
        Case(
            "session.export", "{\"id\":\"S-0001\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: session.export needs \\\"format\\\" (the export's format: \\\"fhir\\\" (a FHIR R4 Bundle)).\"}}"
        ),
        Case(
            "session.export", "{\"id\":\"S-0001\",\"format\":\"hl7v2\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"format\\\" must be \\\"fhir\\\" (a FHIR R4 Bundle), not \\\"hl7v2\\\".\"}}"
        ),
        Case(
            "session.export", "{\"id\":\"S-9999\",\"format\":\"fhir\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: no session S-9999.\",\"data\":{\"id\":\"S-9999\"}}}"
        ),
        Case(
            "records.export", nil,
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: records.export needs \\\"since\\\" (an ISO 8601 date or time, e.g. 2026-01-01).\"}}"
        ),
        Case(
            "records.export", "{\"since\":\"2026-13-45\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"since\\\" must be an ISO 8601 date or time such as 2026-01-01, not \\\"2026-13-45\\\".\"}}"
        ),
        Case(
            "records.export", "{\"since\":\"2026-01-01\",\"limit\":500}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"limit\\\" must be from 1 to 200, not 500.\"}}"
        ),
        Case(
            "session.telemetry", nil,
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: session.telemetry needs \\\"id\\\" (a session id such as S-0001).\"}}"
        ),
        Case(
            "session.telemetry", "{\"id\":\"S-0001\",\"limit\":0}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"limit\\\" must be from 1 to 36000, not 0.\"}}"
        ),
        Case(
            "session.telemetry", "{\"id\":\"S-0001\",\"limit\":36001}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"limit\\\" must be from 1 to 36000, not 36001.\"}}"
        ),
        Case(
            "session.telemetry", "{\"id\":\"S-0001\",\"after\":\"x\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"after\\\" must be a whole number (the last tick already read, for the next page), not a string.\"}}"
        ),
        Case(
            "session.telemetry", "{\"id\":\"S-0001\",\"hz\":10}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: session.telemetry does not take \\\"hz\\\"; it takes only \\\"id\\\", \\\"limit\\\", \\\"after\\\".\"}}"
        ),
        Case(
            "cartridge.register", nil,
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: cartridge.register needs \\\"serial\\\" (the serial printed on the cartridge).\"}}"
        ),
        Case(
            "cartridge.register", "{\"serial\":\"\",\"needles\":12}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"serial\\\" must be 1 to 24 characters.\"}}"
        ),
        Case(
            "cartridge.register", "{\"serial\":\"C-1\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: cartridge.register needs \\\"needles\\\" (the cartridge's needle count, 1 to 100).\"}}"
        ),
        Case(
            "cartridge.register", "{\"serial\":\"C-1\",\"needles\":0}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"needles\\\" must be from 1 to 100, not 0.\"}}"
        ),
        Case(
            "cartridge.register", "{\"serial\":\"C-1\",\"needles\":\"12\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"needles\\\" must be a whole number (the cartridge's needle count, 1 to 100), not a string.\"}}"
        ),
        Case(
            "cartridge.register", "{\"serial\":\"C-1\",\"needles\":12,\"expires\":\"tomorrow\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"expires\\\" must be a date as YYYY-MM-DD, not \\\"tomorrow\\\".\"}}"
        ),
        Case(
            "cartridge.register", "{\"serial\":\"C-1\",\"needles\":12,\"lot\":4}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"lot\\\" must be a string (the manufacturer's lot), not a number.\"}}"
        ),
        Case(
            "cartridge.register", "{\"serial\":\"C-1\",\"needles\":12,\"colour\":\"red\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: cartridge.register does not take \\\"colour\\\"; it takes only \\\"serial\\\", \\\"needles\\\", \\\"lot\\\", \\\"expires\\\".\"}}"
        ),
        Case(
            "cartridge.list", "{\"all\":true}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: cartridge.list does not take \\\"all\\\"; it takes no params.\"}}"
        ),
        Case(
            "cartridge.get", nil,
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: cartridge.get needs \\\"serial\\\" (the cartridge's serial).\"}}"
        ),
        Case(
            "cartridge.get", "{\"serial\":3}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"serial\\\" must be a string (the cartridge's serial), not a number.\"}}"
        ),
        Case(
            "cartridge.get", "{\"serial\":\"NOPE\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32005,\"message\":\"No cartridge NOPE is registered.\",\"data\":{\"reason\":\"unknown\"}}}"
        ),
        Case(
            "cartridge.get", "{\"serial\":\"NOPE\",\"x\":1}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: cartridge.get does not take \\\"x\\\"; it takes only \\\"serial\\\".\"}}"
        ),
        Case(
            "telemetry.subscribe", "{\"hz\":0}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"hz\\\" must be from 1 to 100 notifications per second, not 0.\"}}"
        ),
        Case(
            "telemetry.subscribe", "{\"hz\":101}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"hz\\\" must be from 1 to 100 notifications per second, not 101.\"}}"
        ),
        Case(
            "telemetry.subscribe", "{\"hz\":\"fast\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"hz\\\" must be a whole number (notifications per second, 1 to 100), not a string.\"}}"
        ),
        Case(
            "telemetry.subscribe", "{\"rate\":10}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: telemetry.subscribe does not take \\\"rate\\\"; it takes only \\\"hz\\\".\"}}"
        ),
        Case(
            "telemetry.unsubscribe", "{\"all\":true}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: telemetry.unsubscribe does not take \\\"all\\\"; it takes no params.\"}}"
        ),
        Case(
            "events.subscribe", "{\"kinds\":[\"fault\"]}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: events.subscribe does not take \\\"kinds\\\"; it takes no params.\"}}"
        ),
        Case(
            "events.unsubscribe", "{\"x\":1}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: events.unsubscribe does not take \\\"x\\\"; it takes no params.\"}}"
        ),
        Case(
            "fault.list", "{\"limit\":0}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"limit\\\" must be from 1 to 1000, not 0.\"}}"
        ),
        Case(
            "fault.list", "{\"session\":\"x\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"session\\\" must be a session id such as S-0001, not \\\"x\\\".\"}}"
        ),
        Case(
            "fault.list", "{\"code\":\"stall\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: fault.list does not take \\\"code\\\"; it takes only \\\"session\\\", \\\"limit\\\".\"}}"
        ),
        Case(
            "fault.get", nil,
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: fault.get needs \\\"id\\\" (a fault id such as F-0001).\"}}"
        ),
        Case(
            "fault.get", "{\"id\":\"F-x\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"id\\\" must be a fault id such as F-0001, not \\\"F-x\\\".\"}}"
        ),
        Case(
            "fault.get", "{\"id\":\"F-9999\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: no fault F-9999.\",\"data\":{\"id\":\"F-9999\"}}}"
        ),
        Case(
            "fault.get", "{\"id\":\"F-0001\",\"limit\":0}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"limit\\\" must be from 1 to 100000, not 0.\"}}"
        ),
        Case(
            "fault.get", "{\"id\":7}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"id\\\" must be a string (a fault id such as F-0001), not a number.\"}}"
        ),
        Case(
            "sim.injectFault", nil,
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: sim.injectFault needs \\\"fault\\\" (one of stall, encoderLoss, stepLoss, cartridgeRemoved, driverFault, overTemperature, runaway, edgeLoss).\"}}"
        ),
        Case(
            "sim.injectFault", "{\"fault\":\"meteor\"}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: unknown fault \\\"meteor\\\"; the simulator's faults are stall, encoderLoss, stepLoss, cartridgeRemoved, driverFault, overTemperature, runaway, edgeLoss.\"}}"
        ),
        Case(
            "sim.injectFault", "{\"fault\":3}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: \\\"fault\\\" must be a string (one of stall, encoderLoss, stepLoss, cartridgeRemoved, driverFault, overTemperature, runaway, edgeLoss), not a number.\"}}"
        ),
        Case(
            "sim.clearFault", "{\"fault\":\"stall\",\"all\":true}",
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32602,\"message\":\"Invalid params: sim.clearFault does not take \\\"all\\\"; it takes only \\\"fault\\\".\"}}"
        ),
        Case(
            "pen.fly", nil,
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32601,\"message\":\"Method not found: pen.fly.\",\"data\":{\"method\":\"pen.fly\"}}}"
        ),
    ]

    /// What must not change: the pen's state and targets, the session, the fault, the records.
    func fingerprint(_ daemon: DaemonProcess) throws -> String {
        let status = try daemon.status()
        let fields = ["state", "homed", "depthTargetMicrometres", "speedTargetHertz", "fault", "cartridge"]
        let pen = fields.map { "\($0)=\(status[$0]?.serialized ?? "-")" }.joined(separator: " ")
        let session = status["session"]?["id"]?.serialized ?? "-"
        let sessions = try daemon.call("session.list").serialized
        let cartridges = try daemon.call("cartridge.list").serialized
        let faults = try daemon.call("fault.list").serialized
        return "\(pen) session=\(session) \(sessions) \(cartridges) \(faults)"
    }

    @Test("Each wrong param gets its exact error, and nothing changes")
    func catalogue() throws {
        let daemon = try DaemonProcess()
        _ = try daemon.call("pen.home")
        _ = try daemon.waitFor { $0["state"] == "ready" }
        guard case .string(let serial)? = try daemon.status()["cartridge"]?["serial"] else {
            Issue.record("the simulated pen has no cartridge")
            return
        }
        _ = try daemon.call("session.open", .object([("area", "cheeks"), ("cartridge", .string(serial))]))
        let client = try daemon.client()
        let before = try fingerprint(daemon)
        for entry in Self.cases {
            let params = entry.params.map { $0.replacingOccurrences(of: "SERIAL", with: serial) }
            let line =
                #"{"jsonrpc":"2.0","id":1,"method":"\#(entry.method)""# + (params.map { #","params":\#($0)"# } ?? "")
                + "}"
            try client.send(line)
            var answer = try client.readMessage()
            while answer["id"] == nil { answer = try client.readMessage() }  // a notification
            #expect(answer.serialized == entry.expected, "\(entry.testDescription)")
            #expect(try fingerprint(daemon) == before, "\(entry.testDescription) changed something")
        }
        #expect(Self.cases.count >= 80)
    }

    @Test("Every method of the API has at least one case above")
    func everyMethodCovered() {
        let covered = Set(Self.cases.map(\.method))
        for method in APIMethods.all where method != "pen.emergencyStop" {
            #expect(covered.contains(method), "no bad-input case for \(method)")
        }
    }

    @Test("pen.emergencyStop is never refused, not even for a stray param")
    func emergencyStopIgnoresParams() throws {
        let daemon = try DaemonProcess()
        let result = try daemon.call("pen.emergencyStop", .object([("reason", "patient moved")]))
        #expect(result.serialized == #"{"accepted":true,"state":"fault"}"#)
        #expect(try daemon.status()["fault"]?["code"] == "emergencyStop")
    }
}
