import NeedledRPC
import Testing

/// A client reads a result as the API documents it, and a result that drifted is an error that
/// names the method and the field (issue 19, item 2): never a "?" on the technician's screen.
@Suite("Typed results: a missing or changed field is named")
struct ResultReaderTests {
    static func result(_ text: String) throws -> JSONValue { try #require(JSONValue.parse(Array(text.utf8))) }

    @Test("Fields of each type are read, nested objects and arrays with their path")
    func readsFields() throws {
        let status = ResultReader(
            .penStatus,
            try Self.result(
                #"{"state":"ready","homed":true,"depthMicrometres":500,"speedHertz":119.5,"fault":null,"cartridge":{"serial":null,"accepted":false},"areas":[{"area":"cheeks"}]}"#
            ))
        #expect(try status.string("state") == "ready")
        #expect(try status.bool("homed"))
        #expect(try status.integer("depthMicrometres") == 500)
        #expect(try status.number("speedHertz") == 119.5)
        #expect(try status.number("depthMicrometres") == 500)
        #expect(try status.nullableObject("fault") == nil)
        let cartridge = try #require(try status.nullableObject("cartridge"))
        #expect(try cartridge.nullableString("serial") == nil)
        #expect(try !cartridge.bool("accepted"))
        #expect(try status.array("areas").map { try $0.string("area") } == ["cheeks"])
        #expect(try status.optionalString("recordsWarning") == nil)
    }

    @Test("A missing field, a field of another type, and a nested one are each named with what was there")
    func namesTheField() throws {
        let status = ResultReader(
            .penStatus, try Self.result(#"{"state":3,"cartridge":{"accepted":"yes"},"areas":[{"area":"cheeks"},{}]}"#))
        #expect(
            throws: ResultShapeError(method: .penStatus, field: "depthMicrometres", expected: "an integer", found: nil)
        ) {
            try status.integer("depthMicrometres")
        }
        #expect(throws: ResultShapeError(method: .penStatus, field: "state", expected: "a string", found: .int(3))) {
            try status.string("state")
        }
        let cartridge = try status.object("cartridge")
        #expect(
            throws: ResultShapeError(
                method: .penStatus, field: "cartridge.accepted", expected: "a boolean", found: .string("yes"))
        ) { try cartridge.bool("accepted") }
        let areas = try status.array("areas")
        #expect(
            throws: ResultShapeError(method: .penStatus, field: "areas[1].area", expected: "a string", found: nil)
        ) { try areas[1].string("area") }
        let error = ResultShapeError(method: .penStatus, field: "depthMicrometres", expected: "an integer", found: nil)
        #expect(
            error.description
                == #"pen.status answered a result whose "depthMicrometres" is missing, not an integer: needled and needlectl disagree on the API (Docs/api.md); use the needlectl of the same release as needled."#
        )
    }
}
