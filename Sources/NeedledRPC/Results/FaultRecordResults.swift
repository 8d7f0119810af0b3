/// A fault as the records keep it (`fault.list`'s elements; `fault.get` adds its flight
/// window): what latched, when, in which session, and how many ticks before it were kept.
public struct FaultRecordResult: MethodResult, Equatable {
    public var id: String
    public var recordID: String?
    public var session: String?
    public var code: String
    public var message: String
    public var action: String
    public var tick: Int64
    public var wallTime: String
    public var tickPeriodMicroseconds: Int64
    public var sampleCount: Int64

    public init(
        id: String, recordID: String?, session: String?, code: String, message: String, action: String, tick: Int64,
        wallTime: String, tickPeriodMicroseconds: Int64, sampleCount: Int64
    ) {
        self.id = id
        self.recordID = recordID
        self.session = session
        self.code = code
        self.message = message
        self.action = action
        self.tick = tick
        self.wallTime = wallTime
        self.tickPeriodMicroseconds = tickPeriodMicroseconds
        self.sampleCount = sampleCount
    }

    public var json: JSONValue {
        let members: [(String, JSONValue)] = [
            ("id", .string(id)),
            ("recordID", .nullable(recordID)),
            ("session", .nullable(session)),
            ("code", .string(code)),
            ("message", .string(message)),
            ("action", .string(action)),
            ("tick", .int(tick)),
            ("wallTime", .string(wallTime)),
            ("tickPeriodMicroseconds", .int(tickPeriodMicroseconds)),
            ("sampleCount", .int(sampleCount)),
        ]
        return .object(members)
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        id = try result.string("id")
        recordID = try result.nullableString("recordID")
        session = try result.nullableString("session")
        code = try result.string("code")
        message = try result.string("message")
        action = try result.string("action")
        tick = try result.integer("tick")
        wallTime = try result.string("wallTime")
        tickPeriodMicroseconds = try result.integer("tickPeriodMicroseconds")
        sampleCount = try result.integer("sampleCount")
    }
}

/// `fault.get`: a fault's record and its flight window, the ticks before it oldest first (one
/// object on the wire).
public struct FaultDetailResult: MethodResult, Equatable {
    public var fault: FaultRecordResult
    public var samples: [FlightSampleResult]

    public init(fault: FaultRecordResult, samples: [FlightSampleResult]) {
        self.fault = fault
        self.samples = samples
    }

    public var json: JSONValue { fault.json.appending("samples", .array(samples.map(\.json))) }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        fault = try FaultRecordResult(reading: result)
        samples = try result.list("samples")
    }
}

/// One tick of a fault's flight window: the state, targets and outputs the loop wrote and the
/// inputs it read, as the flight recorder kept them.
public struct FlightSampleResult: MethodResult, Equatable {
    public var tick: Int64
    public var state: String
    public var depthMicrometres: Int64
    public var depthTargetMicrometres: Int64
    public var speedMillihertz: Int64
    public var speedTargetMillihertz: Int64
    public var rampedSpeedMillihertz: Int64
    public var motorEnabled: Bool
    public var brakeEngaged: Bool
    public var motorDutyPpm: Int64
    public var heartbeat: Bool
    public var stepperEnabled: Bool
    public var depthSteps: Int64
    public var encoderCount: Int64
    public var homeSwitch: Bool
    public var cartridgePresent: Bool
    public var driverFault: Bool
    public var emergencyStop: Bool
    public var temperatureMillicelsius: Int64
    public var measuredPeriodMicroseconds: Int64
    public var hardware: String

    public init(
        tick: Int64, state: String, depthMicrometres: Int64, depthTargetMicrometres: Int64, speedMillihertz: Int64,
        speedTargetMillihertz: Int64, rampedSpeedMillihertz: Int64, motorEnabled: Bool, brakeEngaged: Bool,
        motorDutyPpm: Int64, heartbeat: Bool, stepperEnabled: Bool, depthSteps: Int64, encoderCount: Int64,
        homeSwitch: Bool, cartridgePresent: Bool, driverFault: Bool, emergencyStop: Bool,
        temperatureMillicelsius: Int64, measuredPeriodMicroseconds: Int64, hardware: String
    ) {
        self.tick = tick
        self.state = state
        self.depthMicrometres = depthMicrometres
        self.depthTargetMicrometres = depthTargetMicrometres
        self.speedMillihertz = speedMillihertz
        self.speedTargetMillihertz = speedTargetMillihertz
        self.rampedSpeedMillihertz = rampedSpeedMillihertz
        self.motorEnabled = motorEnabled
        self.brakeEngaged = brakeEngaged
        self.motorDutyPpm = motorDutyPpm
        self.heartbeat = heartbeat
        self.stepperEnabled = stepperEnabled
        self.depthSteps = depthSteps
        self.encoderCount = encoderCount
        self.homeSwitch = homeSwitch
        self.cartridgePresent = cartridgePresent
        self.driverFault = driverFault
        self.emergencyStop = emergencyStop
        self.temperatureMillicelsius = temperatureMillicelsius
        self.measuredPeriodMicroseconds = measuredPeriodMicroseconds
        self.hardware = hardware
    }

    public var json: JSONValue {
        let members: [(String, JSONValue)] = [
            ("tick", .int(tick)),
            ("state", .string(state)),
            ("depthMicrometres", .int(depthMicrometres)),
            ("depthTargetMicrometres", .int(depthTargetMicrometres)),
            ("speedMillihertz", .int(speedMillihertz)),
            ("speedTargetMillihertz", .int(speedTargetMillihertz)),
            ("rampedSpeedMillihertz", .int(rampedSpeedMillihertz)),
            ("motorEnabled", .bool(motorEnabled)),
            ("brakeEngaged", .bool(brakeEngaged)),
            ("motorDutyPpm", .int(motorDutyPpm)),
            ("heartbeat", .bool(heartbeat)),
            ("stepperEnabled", .bool(stepperEnabled)),
            ("depthSteps", .int(depthSteps)),
            ("encoderCount", .int(encoderCount)),
            ("homeSwitch", .bool(homeSwitch)),
            ("cartridgePresent", .bool(cartridgePresent)),
            ("driverFault", .bool(driverFault)),
            ("emergencyStop", .bool(emergencyStop)),
            ("temperatureMillicelsius", .int(temperatureMillicelsius)),
            ("measuredPeriodMicroseconds", .int(measuredPeriodMicroseconds)),
            ("hardware", .string(hardware)),
        ]
        return .object(members)
    }

    public init(reading result: ResultReader) throws(ResultShapeError) {
        tick = try result.integer("tick")
        state = try result.string("state")
        depthMicrometres = try result.integer("depthMicrometres")
        depthTargetMicrometres = try result.integer("depthTargetMicrometres")
        speedMillihertz = try result.integer("speedMillihertz")
        speedTargetMillihertz = try result.integer("speedTargetMillihertz")
        rampedSpeedMillihertz = try result.integer("rampedSpeedMillihertz")
        motorEnabled = try result.bool("motorEnabled")
        brakeEngaged = try result.bool("brakeEngaged")
        motorDutyPpm = try result.integer("motorDutyPpm")
        heartbeat = try result.bool("heartbeat")
        stepperEnabled = try result.bool("stepperEnabled")
        depthSteps = try result.integer("depthSteps")
        encoderCount = try result.integer("encoderCount")
        homeSwitch = try result.bool("homeSwitch")
        cartridgePresent = try result.bool("cartridgePresent")
        driverFault = try result.bool("driverFault")
        emergencyStop = try result.bool("emergencyStop")
        temperatureMillicelsius = try result.integer("temperatureMillicelsius")
        measuredPeriodMicroseconds = try result.integer("measuredPeriodMicroseconds")
        hardware = try result.string("hardware")
    }
}
