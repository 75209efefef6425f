"""Outputs follow the umask like any other tool's (mkstemp alone would make them 0600)."""

import os
import stat

import pytest

from espnet_lau.utils.fileio import atomic_output_path, write_text_atomic


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


def test_reports_and_per_utterance_tables_never_leave_half_a_file(tmp_path):
    from espnet_lau.evaluation.report_io import write_json
    from espnet_lau.evaluation.translation import write_per_utt_tsv

    report, table = tmp_path / "scores.json", tmp_path / "per_utt.tsv"
    report.write_text('{"bleu": 1}\n')
    table.write_text("old\n")
    with pytest.raises(TypeError):
        write_json({"bleu": 2, "bad": object()}, report)  # fails while serialising
    with pytest.raises(KeyError):
        write_per_utt_tsv([{"uttid": "u1", "bleu": 1.0}], table)  # a row without its columns
    assert report.read_text() == '{"bleu": 1}\n' and table.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["per_utt.tsv", "scores.json"]  # no temporary left
