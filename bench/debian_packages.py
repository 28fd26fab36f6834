"""Installing the Debian packages an anchor of a benchmark needs (pgRouting, gdal_calc.py)
when they are missing: as root with apt-get, otherwise the line to run is printed and the
benchmark stops."""
import os
import subprocess
import sys


def install(packages, what):
    """Install `packages` (for `what`, as the user knows it); the command run, in words."""
    command = ["apt-get", "install", "-y", *packages]
    if os.geteuid() != 0:
        print(f"{what} is not installed; run:\n  sudo {' '.join(command)}", file=sys.stderr)
        raise SystemExit(2)
    print(f"installing {what}: {' '.join(command)}", flush=True)
    environment = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if subprocess.run(command, env=environment).returncode != 0:
        subprocess.run(["apt-get", "update"], env=environment, check=True)
        subprocess.run(command, env=environment, check=True)
    return f"installed now with: {' '.join(command)}"
