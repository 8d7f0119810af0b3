public import NIOCore

/// What one client may take of the daemon (`[socket]` in needled.toml): bounded so that a flood,
/// a stuck reader or a half-sent line from one client never starves another or grows memory.
public struct ConnectionLimits: Sendable, Equatable {
    /// Connections open at once; one more is answered with -32006 and closed.
    public var connectionsMax = 32
    /// The longest line (request) accepted; a longer one is answered and the connection closed.
    public var lineBytesMax = LineFramingDecoder.defaultLineBytesMax
    /// Requests (a batch counts once) waiting for their answers on one connection; more get -32006.
    public var inFlightMax = 16
    /// No request in and nothing out for this long: closed. Telemetry subscribers get a
    /// notification 10 times a second, so they never idle out.
    public var idleTimeout = TimeAmount.seconds(600)
    /// A line begun must end within this long (a slowloris writer is closed).
    public var lineTimeout = TimeAmount.seconds(10)
    /// A client that reads nothing while its socket buffer stays full for this long is closed.
    public var slowReaderTimeout = TimeAmount.seconds(10)

    public init() {}
}
