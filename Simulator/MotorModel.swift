public import NeedleCore

/// A small coreless DC motor driving the needle cam, as a first-order electromechanical model:
/// armature resistance, back-EMF, rotor inertia, viscous and Coulomb friction, and a load torque
/// from skin contact. Inductance is left out (its time constant is ~100× shorter than the
/// mechanical one). One revolution is one needle stroke.
public struct MotorModel: Sendable {
    public struct Parameters: Sendable {
        public var supplyVolts = 12.0
        public var resistanceOhms = 4.0
        /// Back-EMF constant, V·s/rad, equal to the torque constant in N·m/A.
        public var backEMFConstant = 0.0115
        public var inertiaKilogramSquareMetres = 1.0e-6
        public var viscousFrictionNewtonMetreSeconds = 1.0e-7
        public var coulombFrictionNewtonMetres = 3.0e-4
        /// The mean load torque of needles puncturing skin.
        public var skinLoadNewtonMetres = 2.5e-4
        /// The stroke-rate sensor on the shaft (the same `[sensor]` the supervisor is told of).
        public var sensor: SpeedSensor = .default
        public init() {}
    }

    public let parameters: Parameters
    /// Angle in radians since start; the encoder reads it.
    public private(set) var angleRadians = 0.0
    public private(set) var speedRadiansPerSecond = 0.0
    public private(set) var currentAmperes = 0.0

    public init(parameters: Parameters = .init()) { self.parameters = parameters }

    /// Starts the motor turning at `strokeRate` (a replay begins mid-treatment).
    mutating func prime(strokeRateHertz: Double) { speedRadiansPerSecond = strokeRateHertz * 2 * .pi }

    /// Strokes per second right now.
    public var strokeRateHertz: Double { speedRadiansPerSecond / (2 * .pi) }

    /// The shaft's angle in sensor counts (fractional): the sensor's edges lie at its whole numbers.
    public var angleCounts: Double { angleRadians / (2 * .pi) * Double(parameters.sensor.countsPerRevolution) }

    enum Drive {
        case volts(Double)  // driven, or braked (0 V across shorted windings)
        case coasting  // driver disabled, brake off: no current
    }

    mutating func advance(drive: Drive, loadNewtonMetres: Double, locked: Bool, seconds dt: Double) {
        let p = parameters
        let backEMF = p.backEMFConstant * speedRadiansPerSecond
        switch drive {
        case .volts(let volts): currentAmperes = (volts - backEMF) / p.resistanceOhms
        case .coasting: currentAmperes = 0
        }
        guard !locked else {
            speedRadiansPerSecond = 0
            if case .volts(let volts) = drive { currentAmperes = volts / p.resistanceOhms }
            return
        }
        let driveTorque = p.backEMFConstant * currentAmperes
        let resisting = p.coulombFrictionNewtonMetres + loadNewtonMetres
        var netTorque = driveTorque - p.viscousFrictionNewtonMetreSeconds * speedRadiansPerSecond
        if speedRadiansPerSecond > 1e-9 {
            netTorque -= resisting
        } else if speedRadiansPerSecond < -1e-9 {
            netTorque += resisting
        } else if abs(netTorque) <= resisting {
            return  // static friction holds it
        } else {
            netTorque -= resisting * (netTorque > 0 ? 1 : -1)
        }
        let before = speedRadiansPerSecond
        speedRadiansPerSecond += netTorque / p.inertiaKilogramSquareMetres * dt
        // Friction brings the rotor to rest; it never reverses it.
        if drive.isPassive && before != 0 && (before > 0) != (speedRadiansPerSecond > 0) {
            speedRadiansPerSecond = 0
        }
        angleRadians += speedRadiansPerSecond * dt
    }
}

extension MotorModel.Drive {
    var isPassive: Bool {
        switch self {
        case .coasting: true
        case .volts(let volts): volts == 0
        }
    }
}
