"""JSON-lines reading: one reader under read_jsonl, read_qa_jsonl and the NeMo manifests."""

import pytest

from espnet_lau.data.jsonl import format_jsonl, iter_json_lines, read_jsonl
from espnet_lau.data.kaldi_table import KaldiDataDirError


def test_blank_lines_are_skipped_and_positions_kept(tmp_path):
    path = tmp_path / "qa.jsonl"
    path.write_text(format_jsonl([{"id": "a"}]) + "\n  \n" + format_jsonl([{"id": "é"}]), encoding="utf-8")
    assert list(iter_json_lines(path, error=lambda where, e: ValueError(where))) == [
        (f"{path}:1", {"id": "a"}), (f"{path}:4", {"id": "é"})]
    assert read_jsonl(path) == [{"id": "a"}, {"id": "é"}]


def test_a_line_that_is_not_json_is_named(tmp_path):
    path = tmp_path / "qa.jsonl"
    path.write_text('{"id": "a"}\n{"id": \n', encoding="utf-8")
    with pytest.raises(KaldiDataDirError, match=rf"{path}:2: invalid JSON \(Expecting value"):
        read_jsonl(path)
