public import Foundation

/// Runs a program to its end and returns (exit code, stdout, stderr), for tests whose helpers
/// start servers: its output goes through files, not pipes (a server it starts would hold a
/// pipe's write end for as long as it runs), and it is waited for by its pid (posix_spawn,
/// waitpid: Foundation's Process did not see such a script end from an async test's thread).
public enum SpawnedProcess {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:]
    ) throws -> (code: Int32, output: String, errors: String) {
        let base = NSTemporaryDirectory() + "spawned-\(UUID().uuidString.prefix(8))"
        let (outputPath, errorsPath) = (base + ".out", base + ".err")
        defer {
            unlink(outputPath)
            unlink(errorsPath)
        }
        let pid = try start(
            executable, arguments, outputPath: outputPath, errorsPath: errorsPath, environment: environment)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let code = (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOfFile: errorsPath, encoding: .utf8)) ?? ""
        return (code, output, errors)
    }

    /// Starts a program with its output in files and returns its pid; the caller waits for it.
    public static func start(
        _ executable: String, _ arguments: [String], outputPath: String, errorsPath: String,
        environment: [String: String] = [:]
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errorsPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else { throw Failure(description: "posix_spawn \(executable): \(spawned)") }
        return pid
    }

    /// The repository's root (for Scripts/).
    public static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
}
