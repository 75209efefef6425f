"""The one disk-cache design (content_store) and its two users: embeddings and LLM replies."""

import json
import logging

import numpy as np

from espnet_lau.evaluation.llm import LLMClient
from espnet_lau.evaluation.llm_backends import LLMBackend
from espnet_lau.evaluation.prompts import parse_prompt
from espnet_lau.teachers.embed import embedding_cache, embedding_key
from espnet_lau.utils.content_store import ContentStore, sha256_key


def text_store(root):
    return ContentStore(root, ".txt", load=lambda p: p.read_text(), save=lambda p, v: p.parent.mkdir(
        parents=True, exist_ok=True) or p.write_text(v), valid=lambda v: v != "bad")


def test_layout_roundtrip_and_misses(tmp_path, caplog):
    store = text_store(tmp_path / "s")
    key = sha256_key("material")
    assert len(key) == 64 and store.get(key) is None
    store.put(key, "value")
    assert store.path(key) == (tmp_path / "s" / key[:2] / f"{key}.txt").resolve()
    assert store.get(key) == "value"
    store.put(key, "bad")
    with caplog.at_level(logging.WARNING):
        assert store.get(key) is None
    assert "ignoring invalid cache entry" in caplog.text


def test_embedding_cache_treats_damaged_entries_as_misses(tmp_path, caplog):
    cache = embedding_cache(tmp_path, dim=3)
    key = embedding_key("teacher-fp", "une phrase")
    assert key == sha256_key("teacher-fp\nune phrase")  # the key of caches written before
    cache.put(key, np.ones(3, dtype=np.float32))
    np.testing.assert_array_equal(cache.get(key), np.ones(3, dtype=np.float32))
    assert embedding_cache(tmp_path, dim=4).get(key) is None  # another teacher's size
    cache.path(key).write_bytes(cache.path(key).read_bytes()[:20])  # truncated
    with caplog.at_level(logging.WARNING):
        assert cache.get(key) is None
    assert "ignoring unreadable cache entry" in caplog.text
    cache.put(key, np.array([1.0, np.nan, 0.0], dtype=np.float32))
    assert cache.get(key) is None


class EchoBackend(LLMBackend):
    model_id = "echo"

    def __init__(self):
        self.calls = 0

    def chat(self, messages):
        self.calls += 1
        return messages[-1]["content"]


def test_llm_cache_recovers_from_a_damaged_entry(tmp_path):
    prompt = parse_prompt("[user]\nsay $word\n", name="echo", version=1)
    backend = EchoBackend()
    client = LLMClient(backend, cache_dir=tmp_path)
    assert client.complete(prompt, word="a") == "say a"
    key = client.cache_key(prompt, prompt.render(word="a"))
    entry = json.loads(client.cache.path(key).read_text(encoding="utf-8"))
    assert entry["response"] == "say a" and entry["prompt"] == prompt.id
    assert LLMClient(backend, cache_dir=tmp_path).complete(prompt, word="a") == "say a"
    assert backend.calls == 1
    client.cache.path(key).write_text('{"response": ', encoding="utf-8")
    again = LLMClient(backend, cache_dir=tmp_path)
    assert again.complete(prompt, word="a") == "say a"
    assert backend.calls == 2 and again.stats.cache_hits == 0
