import Foundation
import Testing

/// needlectl reads every result through the API's typed reader (issue 19, item 2): against a
/// daemon whose answer drifted from the API, it names the method and the field and exits 76
/// (EX_PROTOCOL), where it used to print "?" in the field's place.
@Suite("needlectl against a result that drifted from the API")
struct NeedlectlResultShapeTests {
    /// A one-connection stand-in for needled (socat): reads the request, answers `result`.
    static func standIn(answering result: String) throws -> (Process, String) {
        let path = NSTemporaryDirectory() + "needled-standin-\(UUID().uuidString.prefix(8)).sock"
        let socat = Process()
        socat.executableURL = URL(fileURLWithPath: "/usr/bin/socat")
        // The reply from a file: socat's address syntax would take the JSON's quotes for its own.
        let replyPath = path + ".reply"
        try (#"{"jsonrpc":"2.0","id":1,"result":\#(result)}"# + "\n").write(
            toFile: replyPath, atomically: true, encoding: .utf8)
        socat.arguments = ["UNIX-LISTEN:\(path)", "SYSTEM:read line; cat \(replyPath)"]
        try socat.run()
        // Until socat has bound the socket (its file appears), up to 5 s.
        let deadline = Date().addingTimeInterval(5)
        while !FileManager.default.fileExists(atPath: path) && Date() < deadline { usleep(5_000) }
        return (socat, path)
    }

    @Test("pen.status without depthMicrometres: exit 76 naming the method and the field, nothing printed")
    func missingField() throws {
        let (socat, path) = try Self.standIn(
            answering:
                #"{"state":"idle","homed":false,"depthTargetMicrometres":0,"maxDepthMicrometres":1500,"speedHertz":0,"speedTargetHertz":100,"fault":null,"cartridge":null,"session":null,"recordsWritable":true,"recordsFillPercent":0,"recordsWarning":null}"#
        )
        defer { socat.terminate() }
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
        let (socat, path) = try Self.standIn(
            answering:
                #"{"state":"fault","homed":true,"depthMicrometres":0,"depthTargetMicrometres":0,"maxDepthMicrometres":1500,"speedHertz":0,"speedTargetHertz":100,"fault":{"code":7,"message":"x","action":"y"},"cartridge":null,"session":null,"recordsWritable":true,"recordsFillPercent":0,"recordsWarning":null}"#
        )
        defer { socat.terminate() }
        let (code, _, errors) = try DaemonProcess.run(DaemonProcess.binary("needlectl"), ["--socket", path, "status"])
        #expect(code == 76)
        #expect(
            errors.hasPrefix("needlectl: pen.status answered a result whose \"fault.code\" is a number, not a string"))
    }
}
