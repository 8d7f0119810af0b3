import FuzzDriver
import FuzzTargets

/// libFuzzer's entry: line framing, JSON-RPC decoding, access and dispatch into the pure core.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRPC(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    RPCFuzzTarget.run(Array(UnsafeRawBufferPointer(start: start, count: count)))
    return 0
}

/// The debug build's entry (FuzzDriver says why).
@_cdecl("fuzz_rpc_main")
public func fuzzRPCMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    FuzzDriver.run(argc, argv, fuzzRPC)
}
