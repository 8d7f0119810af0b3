public import GRDB

/// A fault as recorded: what latched, when (tick and wall clock), in which session, and how many
/// ticks of the flight recorder's window were saved with it (in `flight_sample`).
public struct FaultRecordRow: Codable, Sendable, Equatable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "fault_record"
    public var id: Int64?
    public var sessionID: Int64?
    public var code: String
    public var message: String
    public var tick: Int64
    public var wallTime: String
    public var tickPeriodNanoseconds: Int64
    public var sampleCount: Int
    /// When its flight window was pruned (the fault itself is kept for good).
    public var windowPrunedAt: String? = nil

    public init(
        sessionID: Int64?, code: String, message: String, tick: Int64, wallTime: String, tickPeriodNanoseconds: Int64,
        sampleCount: Int
    ) {
        self.sessionID = sessionID
        self.code = code
        self.message = message
        self.tick = tick
        self.wallTime = wallTime
        self.tickPeriodNanoseconds = tickPeriodNanoseconds
        self.sampleCount = sampleCount
    }

    enum CodingKeys: String, CodingKey {
        case id, code, message, tick
        case sessionID = "session_id"
        case wallTime = "wall_time"
        case tickPeriodNanoseconds = "tick_period_nanoseconds"
        case sampleCount = "sample_count"
        case windowPrunedAt = "window_pruned_at"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    /// "F-0001"
    public var displayID: String { Self.displayID(for: id ?? 0) }

    public static func displayID(for id: Int64) -> String { recordDisplayID(prefix: "F", id) }
}

/// One tick of a fault's flight window: the inputs read, the state and setpoints, the outputs
/// written. Enough to plot what led to the fault and to feed the inputs back to the simulator.
public struct FlightSampleRow: Codable, Sendable, Equatable, FetchableRecord {
    /// What one row may take in the database, its index included: measured 58 bytes (25,937 rows
    /// in 1,515,520 bytes of pages, `dbstat`), with room to spare. Sizes the headroom the records
    /// need before they count as writable again after a refused write (`EventRecorder`).
    public static let storedBytesBudget: Int64 = 96

    public var tick: Int64
    public var state: String
    public var hardware: String
    public var encoderCount: Int64
    public var measuredPeriodNanoseconds: Int64
    public var temperatureMillicelsius: Int64
    public var homeSwitch: Bool
    public var cartridgePresent: Bool
    public var driverFault: Bool
    public var emergencyStop: Bool
    public var motorEnabled: Bool
    public var brakeEngaged: Bool
    public var motorDutyPpm: Int64
    public var heartbeat: Bool
    public var stepperEnabled: Bool
    public var depthSteps: Int64
    public var depthMicrometres: Int64
    public var depthTargetMicrometres: Int64
    public var speedMillihertz: Int64
    public var speedTargetMillihertz: Int64
    public var rampedSpeedMillihertz: Int64

    public init(
        tick: Int64, state: String, hardware: String, encoderCount: Int64, measuredPeriodNanoseconds: Int64,
        temperatureMillicelsius: Int64, homeSwitch: Bool, cartridgePresent: Bool, driverFault: Bool,
        emergencyStop: Bool, motorEnabled: Bool, brakeEngaged: Bool, motorDutyPpm: Int64, heartbeat: Bool,
        stepperEnabled: Bool, depthSteps: Int64, depthMicrometres: Int64, depthTargetMicrometres: Int64,
        speedMillihertz: Int64, speedTargetMillihertz: Int64, rampedSpeedMillihertz: Int64
    ) {
        self.tick = tick
        self.state = state
        self.hardware = hardware
        self.encoderCount = encoderCount
        self.measuredPeriodNanoseconds = measuredPeriodNanoseconds
        self.temperatureMillicelsius = temperatureMillicelsius
        self.homeSwitch = homeSwitch
        self.cartridgePresent = cartridgePresent
        self.driverFault = driverFault
        self.emergencyStop = emergencyStop
        self.motorEnabled = motorEnabled
        self.brakeEngaged = brakeEngaged
        self.motorDutyPpm = motorDutyPpm
        self.heartbeat = heartbeat
        self.stepperEnabled = stepperEnabled
        self.depthSteps = depthSteps
        self.depthMicrometres = depthMicrometres
        self.depthTargetMicrometres = depthTargetMicrometres
        self.speedMillihertz = speedMillihertz
        self.speedTargetMillihertz = speedTargetMillihertz
        self.rampedSpeedMillihertz = rampedSpeedMillihertz
    }

    enum CodingKeys: String, CodingKey {
        case tick, state, hardware, heartbeat
        case encoderCount = "encoder_count"
        case measuredPeriodNanoseconds = "measured_period_nanoseconds"
        case temperatureMillicelsius = "temperature_millicelsius"
        case homeSwitch = "home_switch"
        case cartridgePresent = "cartridge_present"
        case driverFault = "driver_fault"
        case emergencyStop = "emergency_stop"
        case motorEnabled = "motor_enabled"
        case brakeEngaged = "brake_engaged"
        case motorDutyPpm = "motor_duty_ppm"
        case stepperEnabled = "stepper_enabled"
        case depthSteps = "depth_steps"
        case depthMicrometres = "depth_micrometres"
        case depthTargetMicrometres = "depth_target_micrometres"
        case speedMillihertz = "speed_millihertz"
        case speedTargetMillihertz = "speed_target_millihertz"
        case rampedSpeedMillihertz = "ramped_speed_millihertz"
    }

    /// The integer (and boolean) columns, in the order `arguments` gives them.
    static let integerColumns = [
        "tick", "encoder_count", "measured_period_nanoseconds", "temperature_millicelsius", "home_switch",
        "cartridge_present", "driver_fault", "emergency_stop", "motor_enabled", "brake_engaged", "motor_duty_ppm",
        "heartbeat", "stepper_enabled", "depth_steps", "depth_micrometres", "depth_target_micrometres",
        "speed_millihertz", "speed_target_millihertz", "ramped_speed_millihertz",
    ]

    var arguments: StatementArguments {
        [
            tick, encoderCount, measuredPeriodNanoseconds, temperatureMillicelsius, homeSwitch, cartridgePresent,
            driverFault, emergencyStop, motorEnabled, brakeEngaged, motorDutyPpm, heartbeat, stepperEnabled,
            depthSteps, depthMicrometres, depthTargetMicrometres, speedMillihertz, speedTargetMillihertz,
            rampedSpeedMillihertz, state, hardware,
        ]
    }
}

extension TreatmentStore {
    /// Saves a fault and its flight window in one transaction (10,000 rows for 10 s at 1 kHz,
    /// through one prepared statement); returns the record with its id.
    public func saveFault(_ record: FaultRecordRow, samples: [FlightSampleRow]) async throws -> FaultRecordRow {
        try await write { db in
            var record = record
            try record.insert(db)
            let columns = ["fault_id"] + FlightSampleRow.integerColumns + ["state", "hardware"]
            let statement = try db.makeStatement(
                sql: "INSERT INTO flight_sample (\(columns.joined(separator: ", "))) VALUES ("
                    + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")")
            for sample in samples {
                try statement.execute(arguments: [record.id] + sample.arguments)
            }
            if let session = record.sessionID { try RecordChain.linkFault(db, id: record.id!, session: session) }
            return record
        }
    }

    public func faults(session id: Int64?, limit: Int) async throws -> [FaultRecordRow] {
        try await read { db in
            var request = FaultRecordRow.order(Column("id").desc).limit(limit)
            if let id { request = request.filter(Column("session_id") == id) }
            return try request.fetchAll(db)
        }
    }

    public func fault(id: Int64) async throws -> FaultRecordRow? {
        try await read { db in try FaultRecordRow.fetchOne(db, key: id) }
    }

    public func flightSamples(fault id: Int64, limit: Int) async throws -> [FlightSampleRow] {
        try await read { db in
            try FlightSampleRow.fetchAll(
                db, sql: "SELECT * FROM flight_sample WHERE fault_id = ? ORDER BY tick LIMIT ?",
                arguments: [id, limit])
        }
    }
}
