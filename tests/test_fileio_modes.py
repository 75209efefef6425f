"""Outputs follow the umask like any other tool's (mkstemp alone would make them 0600)."""

import os
import stat

import pytest

from espnet_lau.fileio import atomic_output_path, write_text_atomic


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_atomic_writes_follow_the_umask(tmp_path, umask, mode):
    old = os.umask(umask)
    try:
        write_text_atomic(tmp_path / "a.txt", "x\n")
        with atomic_output_path(tmp_path / "b.wav") as tmp:
            tmp.write_bytes(b"RIFF")
    finally:
        os.umask(old)
    for name in ("a.txt", "b.wav"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == mode, name
