public import NIOCore

/// One frame of the wire protocol: a line without its `\n`, or the news that a line grew past
/// the limit (the connection is then answered and closed).
public enum LineFrame: Sendable, Equatable {
    case line(ByteBuffer)
    case tooLong
}

/// Splits the byte stream into `\n`-terminated lines of at most `lineBytesMax` bytes. A `\r`
/// before the `\n` is dropped, so `socat` and `nc -C` both work.
public struct LineFramingDecoder: ByteToMessageDecoder, Sendable {
    public typealias InboundOut = LineFrame

    public static let defaultLineBytesMax = 64 * 1024

    public let lineBytesMax: Int
    private var overflowed = false

    public init(lineBytesMax: Int = LineFramingDecoder.defaultLineBytesMax) {
        precondition(lineBytesMax > 0)
        self.lineBytesMax = lineBytesMax
    }

    public mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard !overflowed else {
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)  // discard: the connection is closing
            return .needMoreData
        }
        let view = buffer.readableBytesView
        guard let newline = view.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > lineBytesMax {
                overflowed = true
                buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
                context.fireChannelRead(wrapInboundOut(.tooLong))
            }
            return .needMoreData
        }
        let length = newline - view.startIndex
        guard length <= lineBytesMax else {
            overflowed = true
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
            context.fireChannelRead(wrapInboundOut(.tooLong))
            return .needMoreData
        }
        var line = buffer.readSlice(length: length)!
        buffer.moveReaderIndex(forwardBy: 1)
        if line.readableBytesView.last == UInt8(ascii: "\r") {
            line = line.getSlice(at: line.readerIndex, length: line.readableBytes - 1)!
        }
        context.fireChannelRead(wrapInboundOut(.line(line)))
        return .continue
    }

    public mutating func decodeLast(
        context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool
    ) throws -> DecodingState {
        // A partial line at EOF (a client that disconnected mid-message) is dropped.
        while try decode(context: context, buffer: &buffer) == .continue {}
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        return .needMoreData
    }
}
