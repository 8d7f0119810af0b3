import SystemPackage

/// One requested line: its name (for errors) and the handle the adapter uses.
public struct GPIOLine: Sendable, Hashable {
    public let name: String
    public let offset: UInt32
    /// Index into the chip's table of requested lines.
    public let handle: Int

    public init(name: String, offset: UInt32, handle: Int) {
        self.name = name
        self.offset = offset
        self.handle = handle
    }
}

/// An edge seen on an input line, with the kernel's timestamp (CLOCK_MONOTONIC).
public struct GPIOEdge: Sendable, Equatable {
    public var rising: Bool
    public var timestampNanoseconds: Int64

    public init(rising: Bool, timestampNanoseconds: Int64) {
        self.rising = rising
        self.timestampNanoseconds = timestampNanoseconds
    }
}

/// What one read of a line's queued edges brought: how many, and whether the kernel may have
/// dropped some (its buffer was full, or its sequence numbers skipped). The adapter knows its
/// interface's buffer, so it decides `mayHaveLost`; the backend never trusts a count it sets.
public struct GPIOEdgeRead: Sendable, Equatable {
    public var count: Int
    public var mayHaveLost: Bool

    public init(count: Int, mayHaveLost: Bool) {
        self.count = count
        self.mayHaveLost = mayHaveLost
    }

    public static let none = GPIOEdgeRead(count: 0, mayHaveLost: false)
}

/// The GPIO chip as the backend uses it. Every libgpiod call is behind this protocol, so that a
/// libgpiod 2.x adapter is one more file (`LibgpiodV1Chip`, `LibgpiodV2Chip`; `LibgpiodChip` is
/// the one this build links).
public protocol GPIOChip: AnyObject {
    var label: String { get }
    /// False once the chip's device node is gone (the chip was removed).
    var deviceExists: Bool { get }
    func offset(ofLineNamed name: String) -> UInt32?
    /// Requests an output under the consumer "needled", driven to `initial` at once.
    func requestOutput(offset: UInt32, name: String, initial: Bool) throws(GPIOError) -> GPIOLine
    /// Requests an input; with `edges`, both edges are delivered to `readEdges` without blocking.
    func requestInput(offset: UInt32, name: String, edges: Bool, pullDown: Bool) throws(GPIOError) -> GPIOLine
    func set(_ line: GPIOLine, _ value: Bool) throws(GPIOError)
    func get(_ line: GPIOLine) throws(GPIOError) -> Bool
    /// Reads the edges queued on `line` into `buffer`, oldest first (never blocks).
    func readEdges(_ line: GPIOLine, into buffer: inout [GPIOEdge]) throws(GPIOError) -> GPIOEdgeRead
    /// Releases every line, the last requested first (the enable line is requested last).
    func releaseAll()
}
