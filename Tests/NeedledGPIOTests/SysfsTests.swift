import Foundation
import NeedledGPIO
import Testing

/// The PWM, hwmon and 1-Wire paths against a temporary sysfs tree (plain files with the
/// kernel's names); the GPIO character device itself is tested in the gpio-sim VM.
@Suite("Sysfs: PWM, temperature, cartridge ID")
struct SysfsTests {
    let root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent(
        "needled-sysfs-\(UUID().uuidString.prefix(8))")

    func makeFile(_ relative: String, _ contents: String) throws -> String {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try contents.write(to: url, atomically: false, encoding: .utf8)
        return url.path
    }

    func read(_ relative: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(relative), encoding: .utf8)
    }

    @Test("A PWM channel: period set, enabled, duty written only when it changes, off at the end")
    func pwm() throws {
        for name in ["period", "duty_cycle", "enable"] { _ = try makeFile("pwmchip0/pwm0/\(name)", "0\n") }
        let channel = try PWMChannel(
            chip: root.appendingPathComponent("pwmchip0").path, channel: 0, periodNanoseconds: 50_000)
        #expect(try read("pwmchip0/pwm0/period").hasPrefix("50000"))
        #expect(try read("pwmchip0/pwm0/enable").hasPrefix("1"))
        try channel.setOnTime(12_345)
        #expect(try read("pwmchip0/pwm0/duty_cycle").hasPrefix("12345\n"))
        channel.off()
        // Each value ends in a newline, as echo writes it: on a plain file (no truncation) the
        // first line is the value even where the old one was longer ("0\n345").
        #expect(try read("pwmchip0/pwm0/duty_cycle").split(separator: "\n").first == "0")
        #expect(try read("pwmchip0/pwm0/enable").hasPrefix("0"))
    }

    @Test("A PWM channel that is not exported yet is exported first")
    func pwmExport() throws {
        _ = try makeFile("pwmchip1/export", "")
        #expect(throws: SysfsError.self) {
            _ = try PWMChannel(
                chip: root.appendingPathComponent("pwmchip1").path, channel: 2, periodNanoseconds: 50_000)
        }
        #expect(try read("pwmchip1/export").hasPrefix("2"), "the channel number was written to export")
    }

    @Test("hwmon and thermal-zone temperatures in millidegrees")
    func temperature() throws {
        let path = try makeFile("hwmon0/temp1_input", "41250\n")
        let sensor = try SysfsAttribute(path: path, writable: false)
        #expect(try sensor.readInteger() == 41_250)
        _ = try makeFile("hwmon0/temp1_input", "-500\n")
        #expect(try sensor.readInteger() == -500)
        _ = try makeFile("hwmon0/temp1_input", "garbage\n")
        #expect(throws: SysfsError.self) { try sensor.readInteger() }
    }

    @Test("A missing attribute names its path and errno")
    func missing() {
        do {
            _ = try SysfsAttribute(path: "/nonexistent/temp1_input", writable: false)
            Issue.record("opened a missing file")
        } catch {
            #expect(error.description == "/nonexistent/temp1_input: open failed: No such file or directory")
        }
    }

    @Test("A 1-Wire ID read as bytes, up to its newline")
    func oneWireID() throws {
        let path = try makeFile("w1/2d-00000abcdef/id", "2d-00000abcdef\n")
        let attribute = try SysfsAttribute(path: path, writable: false)
        var bytes = InlineArray<32, UInt8>(repeating: 0)
        let count = try attribute.readBytes(into: &bytes)
        #expect(count == 14)
        #expect(String(decoding: (0..<count).map { bytes[$0] }, as: UTF8.self) == "2d-00000abcdef")
    }
}
