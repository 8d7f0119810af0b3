import Foundation
import NeedledRPC
import Testing

/// needlectl reads every result through the API's typed reader (issue 19, item 2): against a
/// daemon whose answer drifted from the API, it names the method and the field and exits 76
/// (EX_PROTOCOL), where it used to print "?" in the field's place.
@Suite("needlectl against a result that drifted from the API")
struct NeedlectlResultShapeTests {
    /// A one-connection stand-in for needled: the socket is bound and listening before this
    /// returns (nothing to wait for); a thread accepts one client, reads its request line and
    /// answers `result` as request 1's.
    static func standIn(answering result: String) throws -> (Thread, String) {
        let path = NSTemporaryDirectory() + "needled-standin-\(UUID().uuidString.prefix(8)).sock"
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        let address = try #require(UnixSocketAddress(path: path))
        try #require(address.withSocketAddress { bind(listener, $0, $1) } == 0, "bind \(path): errno \(errno)")
        try #require(listen(listener, 1) == 0)
        let reply = Array((#"{"jsonrpc":"2.0","id":1,"result":\#(result)}"# + "\n").utf8)
        let thread = Thread {
            defer {
                close(listener)
                unlink(path)
            }
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            defer { close(client) }
            var byte: UInt8 = 0
            while read(client, &byte, 1) == 1 && byte != UInt8(ascii: "\n") {}  // the request line
            _ = reply.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
        }
        thread.start()
        return (thread, path)
    }

    @Test("pen.status without depthMicrometres: exit 76 naming the method and the field, nothing printed")
    func missingField() throws {
        let (_, path) = try Self.standIn(
            answering:
                #"{"state":"idle","homed":false,"depthTargetMicrometres":0,"maxDepthMicrometres":1500,"speedHertz":0,"speedTargetHertz":100,"fault":null,"cartridge":null,"session":null,"recordsWritable":true,"recordsFillPercent":0,"recordsWarning":null}"#
        )
        let (code, output, errors) = try DaemonProcess.run(
            DaemonProcess.binary("needlectl"), ["--socket", path, "status"])
        #expect(code == 76)
        #expect(output.isEmpty)
        #expect(
            errors
                == "needlectl: pen.status answered a result whose \"depthMicrometres\" is missing, not an integer: needled and needlectl disagree on the API (Docs/api.md); use the needlectl of the same release as needled.\n"
        )
    }

    @Test("A field of another type inside an object is named with its path")
    func changedNestedField() throws {
        let (_, path) = try Self.standIn(
            answering:
                #"{"state":"fault","homed":true,"depthMicrometres":0,"depthTargetMicrometres":0,"speedHertz":0,"speedTargetHertz":100,"maxDepthMicrometres":1500,"motorEnabled":false,"temperatureMillicelsius":30000,"fault":{"code":7,"message":"x","tick":5,"action":"y"},"cartridge":null,"session":null,"tick":9,"recordsWritable":true,"recordsFillPercent":0,"recordsWarning":null}"#
        )
        let (code, _, errors) = try DaemonProcess.run(DaemonProcess.binary("needlectl"), ["--socket", path, "status"])
        #expect(code == 76)
        #expect(
            errors.hasPrefix("needlectl: pen.status answered a result whose \"fault.code\" is a number, not a string"))
    }

    @Test("A command's answer is read as the one CommandAnswer the daemon writes: a state it does not know is named")
    func commandAnswer() throws {
        let (_, path) = try Self.standIn(answering: #"{"accepted":true,"state":"spinning"}"#)
        let (code, output, errors) = try DaemonProcess.run(
            DaemonProcess.binary("needlectl"), ["--socket", path, "home"])
        #expect(code == 76)
        #expect(output.isEmpty, "no sentence without the state: \(output)")
        #expect(
            errors.hasPrefix(
                "needlectl: pen.home answered a result whose \"state\" is a string, not one of idle, homing, ready,"),
            "\(errors)")

        let (_, accepted) = try Self.standIn(answering: #"{"accepted":true,"state":"ready"}"#)
        #expect(
            try DaemonProcess.run(DaemonProcess.binary("needlectl"), ["--socket", accepted, "home"])
                == (0, "Homing; the pen is ready.\n", ""))
    }
}
