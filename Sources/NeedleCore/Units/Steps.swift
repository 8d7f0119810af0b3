/// A position or distance of the depth stepper, in whole (micro)steps as the driver counts them.
public struct Steps: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: Int32

    public init(_ rawValue: Int32) { self.rawValue = rawValue }

    public static let zero = Steps(0)
    public static func + (a: Self, b: Self) -> Self { Self(a.rawValue + b.rawValue) }
    public static func - (a: Self, b: Self) -> Self { Self(a.rawValue - b.rawValue) }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    public var description: String { "\(rawValue) steps" }
}

/// A stepper rate in steps per second, and an acceleration in steps per second squared.
public struct StepsPerSecond: Hashable, Comparable, Sendable {
    public var rawValue: Int32
    public init(_ rawValue: Int32) { self.rawValue = rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

public struct StepsPerSecondSquared: Hashable, Comparable, Sendable {
    public var rawValue: Int32
    public init(_ rawValue: Int32) { self.rawValue = rawValue }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}
