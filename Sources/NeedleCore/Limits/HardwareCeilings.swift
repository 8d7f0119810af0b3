/// The pen's absolute ceilings. Configuration can only lower these, never raise them: the
/// depth stage's travel and the motor's rating set them, not a clinic's preference.
public enum HardwareCeilings {
    /// The depth stage's full travel: 3.0 mm, the deepest any commercial pen offers (Dermapen 4).
    public static let depthMax = Micrometres(3000)
    /// The highest stroke rate the motor and cam are rated for: 150 strokes per second.
    public static let speedMax = Hertz(150)
    /// The hottest the handpiece may ever be allowed to run: IEC 60601-1 allows 48 °C for an
    /// applied part touching skin for up to 10 minutes.
    public static let temperatureMax = MilliCelsius.degrees(48)
    /// No session may be configured longer than two hours.
    public static let sessionLengthMax = Nanoseconds.minutes(120)
}
