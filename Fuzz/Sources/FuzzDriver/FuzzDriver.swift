/// Hands a process over to libFuzzer's driver. SwiftPM links a debug executable with `main`
/// renamed to `<module>_main` (so that tests could import it); the fuzz entry points define that
/// name and call this. In a release build the name is unused and libFuzzer's own `main` runs.
public enum FuzzDriver {
    public typealias TestOneInput = @convention(c) (UnsafeRawPointer, Int) -> CInt

    public static func run(
        _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, _ testOneInput: TestOneInput
    ) -> CInt {
        var count = argc
        var arguments = argv
        return llvmFuzzerRunDriver(&count, &arguments, testOneInput)
    }
}

/// libFuzzer's `int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*)(const uint8_t *, size_t))`,
/// linked in by `-sanitize=fuzzer` (so it lives here, not in FuzzTargets, which tests link too).
@_silgen_name("LLVMFuzzerRunDriver")
func llvmFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: FuzzDriver.TestOneInput
) -> CInt
