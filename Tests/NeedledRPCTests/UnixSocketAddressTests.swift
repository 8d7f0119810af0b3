import Foundation
import NeedledRPC
import Testing

@Suite("Unix socket addresses")
struct UnixSocketAddressTests {
    @Test("A path up to 107 bytes is taken, NUL-terminated; one byte more or none is refused")
    func pathLength() {
        #expect(UnixSocketAddress.pathBytesMax == 107)
        let longest = "/" + String(repeating: "a", count: 106)
        let length = UnixSocketAddress(path: longest)?.withSocketAddress { $1 }
        #expect(length == socklen_t(MemoryLayout<sa_family_t>.size + 107 + 1))
        #expect(UnixSocketAddress(path: longest + "a") == nil)
        #expect(UnixSocketAddress(path: "") == nil)
    }

    @Test("An abstract name (@name) starts with NUL and has no terminator")
    func abstractName() {
        let address = UnixSocketAddress(path: "@needled-test")
        let (first, length) =
            address?.withSocketAddress { pointer, length in
                pointer.withMemoryRebound(to: sockaddr_un.self, capacity: 1) { ($0.pointee.sun_path.0, length) }
            } ?? (1, 0)
        #expect(first == 0)
        #expect(length == socklen_t(MemoryLayout<sa_family_t>.size + 13))
    }

    @Test("It connects: a listener bound through it accepts a client connected through it")
    func connects() throws {
        let path = NSTemporaryDirectory() + "uds-\(UUID().uuidString.prefix(8)).sock"
        defer { unlink(path) }
        let address = try #require(UnixSocketAddress(path: path))
        let server = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(server) }
        #expect(address.withSocketAddress { bind(server, $0, $1) } == 0)
        #expect(listen(server, 1) == 0)
        let client = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(client) }
        #expect(address.withSocketAddress { connect(client, $0, $1) } == 0)
    }
}
