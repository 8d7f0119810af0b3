"""What the fleet's benchmarks share (Scripts/bench-fleet, Scripts/bench-fleet-scale): the release
build, a PostgreSQL of their own (Scripts/fleet-server), a pen's `[fleet]` table, and the schema
applied as the clinic's IT applies it (`needled fleet-schema`, as the owner)."""
import os
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SWIFT = "/opt/swift/usr/bin/swift"
FLEET_SERVER = os.path.join(ROOT, "Scripts/fleet-server")


def run(*arguments, **options):
    return subprocess.run(arguments, check=True, capture_output=True, text=True, **options).stdout


def release_build(*products):
    """Builds `products` in the release build `make` and the other benchmarks share
    (.build-static); returns the folder of the binaries."""
    release = [SWIFT, "build", "-c", "release", "--static-swift-stdlib", "--scratch-path", ".build-static"]
    for product in products:
        subprocess.run(release + ["--product", product], cwd=ROOT, check=True)
    return run(*release, "--show-bin-path", cwd=ROOT).strip()


def start_fleet(work, roles, environment=None):
    """A fleet server in `work`/fleet with a login role per pen: (its folder, what it printed:
    HOST, PORT, DATABASE, CA, TLS). Its output goes through a file: the server it starts would
    hold a pipe open as long as it runs."""
    server_dir = os.path.join(work, "fleet")
    with open(os.path.join(work, "fleet-server.out"), "w+") as output:
        subprocess.run([FLEET_SERVER, "start", server_dir, *roles], check=True, stdout=output,
                       env={**os.environ, **(environment or {})})
        output.seek(0)
        return server_dir, dict(line.split("=", 1) for line in output.read().split())


def fleet_table(server, role, port=None, offline="refuse"):
    """needled.toml's `[fleet]` for `role`, through `port` (a proxy's) or straight to the server."""
    return (f'[fleet]\nserver = "{server["HOST"]}:{port or server["PORT"]}"\ndatabase = "{server["DATABASE"]}"\n'
            f'role = "{role}"\nca = "{server["CA"]}"\ncertificate = "{server["TLS"]}/{role}.pem"\n'
            f'key = "{server["TLS"]}/{role}.key"\noffline-cartridges = "{offline}"\n')


def apply_schema(needled, work, server):
    """`needled fleet-schema` as the owner."""
    owner = os.path.join(work, "owner.toml")
    with open(owner, "w") as file:
        file.write(fleet_table(server, "needled_fleet_owner"))
    with open(os.path.join(work, "owner-password"), "w") as file:
        file.write("owner-password\n")
    run(needled, "fleet-schema", "--config", owner, "--certificate", f'{server["TLS"]}/needled_fleet_owner.pem',
        "--key", f'{server["TLS"]}/needled_fleet_owner.key', "--password-file", os.path.join(work, "owner-password"))
