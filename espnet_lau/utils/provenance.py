"""Where a result came from: the date, the versions and the git commit, as ESPnet's
RESULTS.md ``## Environments`` section lists them."""

from __future__ import annotations

import datetime
import importlib.metadata
import platform
import subprocess
from typing import List


def environment_markdown() -> List[str]:
    """The ``## Environments`` lines of a RESULTS.md."""

    def version(pkg: str) -> str:
        try:
            return importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            return "not installed"

    try:
        git = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        git = "unknown"
    return [
        "## Environments",
        f"- date: `{datetime.datetime.now().astimezone().strftime('%a %b %d %H:%M:%S %Z %Y')}`",
        f"- python version: `{platform.python_version()}`",
        f"- espnet_lau version: `espnet_lau {version('espnet_lau')}`",
        f"- espnet version: `espnet {version('espnet')}`",
        f"- pytorch version: `pytorch {version('torch')}`",
        f"- Git hash: `{git}`",
    ]
