import Foundation
import NeedledClient
import NeedledRPC
import Testing

/// Access by peer credentials against the real daemon: clients started as other users with
/// setpriv(1) (util-linux), so the kernel's SO_PEERCRED is what decides.
@Suite("Access control (SO_PEERCRED)")
struct AccessControlTests {
    static let config = """
        [access]
        operator-group = 4242
        read-only-group = 4343
        """

    /// Sends lines as uid 65534 with the given groups; returns what came back, line by line.
    func exchange(_ daemon: DaemonProcess, groupArguments: [String], _ lines: [String]) throws -> [String] {
        let (status, output, errors) = try DaemonProcess.run(
            "/usr/bin/setpriv",
            ["--reuid=65534"] + groupArguments + ["socat", "-t", "2", "-", "UNIX-CONNECT:\(daemon.socketPath)"],
            stdin: lines.map { $0 + "\n" }.joined())
        #expect(status == 0, "socat: \(errors)")
        return output.split(separator: "\n").map(String.init)
    }

    func id(of line: String) -> Int64 {
        guard case .int(let id)? = JSONValue.parse(Array(line.utf8))?["id"] else { return -1 }
        return id
    }

    static let status = #"{"jsonrpc":"2.0","id":1,"method":"pen.status"}"#
    static let home = #"{"jsonrpc":"2.0","id":2,"method":"pen.home"}"#

    @Test("Anyone outside the groups is refused at connect with -32004, and the log names the uid")
    func strangerRefused() throws {
        let daemon = try DaemonProcess(config: Self.config)
        let lines = try exchange(daemon, groupArguments: ["--regid=65534", "--clear-groups"], [Self.home])
        #expect(
            lines == [
                #"{"jsonrpc":"2.0","id":null,"error":{"code":-32004,"message":"Unauthorized: uid 65534 may not use needled; ask for membership of the operator group gid 4242 or the read-only group gid 4343 (Docs/operations.md, \"Permissions\").","data":{"uid":65534}}}"#
            ])
        #expect(try daemon.status()["state"] == "idle", "a refused client changed the pen")
        #expect(daemon.log.contains("refused a connection from uid 65534"))
        // Nor may a stranger stop the pen by sending the stop first (the acceptor's way): refused
        // alike, and the pen is not faulted.
        let stop = try exchange(
            daemon, groupArguments: ["--regid=65534", "--clear-groups"],
            [#"{"jsonrpc":"2.0","id":5,"method":"pen.emergencyStop"}"#])
        #expect(stop.count == 1 && stop[0].contains(#""code":-32004"#), "\(stop)")
        let after = try daemon.status()
        #expect(after["state"] == "idle" && after["fault"] == .null, "\(after.serialized)")
        #expect(try daemon.call("daemon.info")["stops"]?["answeredAtAccept"] == .int(0))
        // The socket lets everyone connect so that the refusal can be read, not a bare EACCES.
        let attributes = try FileManager.default.attributesOfItem(atPath: daemon.socketPath)
        #expect((attributes[.posixPermissions] as? Int) == 0o666)
    }

    @Test("The read-only group reads and stops; motion and records are refused and change nothing")
    func readOnlyGroup() throws {
        let daemon = try DaemonProcess(config: Self.config)
        let unordered = try exchange(
            daemon, groupArguments: ["--regid=65534", "--groups=4343"],
            [
                Self.status, Self.home, #"{"jsonrpc":"2.0","id":3,"method":"pen.emergencyStop"}"#,
                #"{"jsonrpc":"2.0","id":4,"method":"daemon.stats","params":{"reset":true}}"#,
            ])
        // Answers come as each is ready (the stop waits for the loop's tick): put them in id order.
        let lines = unordered.sorted { id(of: $0) < id(of: $1) }
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix(#"{"jsonrpc":"2.0","id":1,"result":{"state":"idle""#))
        #expect(
            lines[1]
                == #"{"jsonrpc":"2.0","id":2,"error":{"code":-32004,"message":"Unauthorized: pen.home moves the pen or changes the records; uid 65534 may only read and stop. It needs the operator group gid 4242.","data":{"method":"pen.home","uid":65534,"role":"readOnly"}}}"#
        )
        #expect(lines[2] == #"{"jsonrpc":"2.0","id":3,"result":{"accepted":true,"state":"fault"}}"#)
        #expect(lines[3].contains(#""code":-32004"#) && lines[3].contains("daemon.stats"))
        #expect(try daemon.status()["fault"]?["code"] == "emergencyStop")
        // Its stop sent first is taken on the acceptor's thread, like an operator's.
        #expect(daemon.resetWhenStill())
        let first = try exchange(
            daemon, groupArguments: ["--regid=65534", "--groups=4343"],
            [#"{"jsonrpc":"2.0","id":6,"method":"pen.stop"}"#])
        #expect(first == [#"{"jsonrpc":"2.0","id":6,"result":{"accepted":true,"state":"idle"}}"#])
        #expect(try daemon.call("daemon.info")["stops"]?["answeredAtAccept"] == .int(1))
    }

    @Test("The operator group, by primary or supplementary group, commands motion")
    func operatorGroup() throws {
        let daemon = try DaemonProcess(config: Self.config)
        let primary = try exchange(daemon, groupArguments: ["--regid=4242", "--clear-groups"], [Self.home])
        #expect(primary == [#"{"jsonrpc":"2.0","id":2,"result":{"accepted":true,"state":"homing"}}"#])
        _ = try daemon.waitFor { $0["state"] == "ready" }
        let speed = #"{"jsonrpc":"2.0","id":5,"method":"pen.setSpeed","params":{"hertz":90}}"#
        let supplementary = try exchange(daemon, groupArguments: ["--regid=65534", "--groups=4343,4242"], [speed])
        #expect(supplementary == [#"{"jsonrpc":"2.0","id":5,"result":{"accepted":true,"state":"ready"}}"#])
    }

    @Test("needlectl as a read-only user says what is refused and why")
    func needlectlReadOnly() throws {
        let daemon = try DaemonProcess(config: Self.config)
        let (status, output, errors) = try DaemonProcess.run(
            "/usr/bin/setpriv",
            [
                "--reuid=65534", "--regid=65534", "--groups=4343", DaemonProcess.binary("needlectl"), "--socket",
                daemon.socketPath, "home",
            ])
        #expect(status != 0)
        #expect(output.isEmpty)
        #expect(errors.contains("pen.home moves the pen or changes the records; uid 65534 may only read and stop"))
        let stranger = try DaemonProcess.run(
            "/usr/bin/setpriv",
            [
                "--reuid=65534", "--regid=65534", "--clear-groups", DaemonProcess.binary("needlectl"), "--socket",
                daemon.socketPath, "status",
            ])
        #expect(stranger.0 != 0)
        #expect(
            stranger.2
                == "needlectl: refused: Unauthorized: uid 65534 may not use needled; ask for membership of the operator group gid 4242 or the read-only group gid 4343 (Docs/operations.md, \"Permissions\").\n"
        )
    }
}
