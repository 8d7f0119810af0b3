import FuzzDriver
import FuzzTargets

/// libFuzzer's entry: needled.toml parsing and validation.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    ConfigFuzzTarget.run(Array(UnsafeRawBufferPointer(start: start, count: count)))
    return 0
}

/// The debug build's entry (FuzzDriver says why).
@_cdecl("fuzz_config_main")
public func fuzzConfigMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzConfig)
}
