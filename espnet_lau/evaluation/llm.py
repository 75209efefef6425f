"""Cached, retried, failure-counting LLM calls: :class:`LLMClient` over an
:class:`~espnet_lau.evaluation.llm_backends.LLMBackend`.

:class:`LLMClient` caches every accepted response on disk (:mod:`espnet_lau.utils.content_store`)
under ``sha256(model id, prompt id (name + version), rendered messages, generation params)``,
retries timeouts / connection errors / HTTP 5xx and 429 a bounded number of times, and
turns every failure into ``None`` plus a counter in :class:`LLMStats` — an evaluation run
never crashes on a flaky or chatty LLM. Replies meant to be JSON are read by
:func:`~espnet_lau.evaluation.llm_json.parse_llm_json`.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Union

from espnet_lau.evaluation.llm_backends import LLMBackend, LLMCallError, Messages
from espnet_lau.evaluation.llm_json import parse_llm_json
from espnet_lau.evaluation.prompts import Prompt
from espnet_lau.utils.content_store import ContentStore, sha256_key
from espnet_lau.utils.fileio import write_json_atomic


class LLMUnavailable(RuntimeError):
    """The endpoint stopped answering: ``max_consecutive_timeouts`` calls in a row failed."""


@dataclasses.dataclass
class LLMStats:
    """Counters reported with every LLM-based measure."""

    calls: int = 0  # logical calls (one per prompt instance)
    cache_hits: int = 0
    requests: int = 0  # backend attempts (HTTP requests)
    retries: int = 0
    timeouts: int = 0
    http_errors: int = 0
    connection_errors: int = 0
    bad_responses: int = 0
    backend_errors: int = 0  # local model errors
    failures: int = 0  # calls that gave no text after all retries
    json_ok: int = 0
    json_repaired: int = 0
    json_failures: int = 0

    def as_dict(self) -> Dict[str, int]:
        return dataclasses.asdict(self)


_ERROR_COUNTER = {
    "timeout": "timeouts",
    "http": "http_errors",
    "connection": "connection_errors",
    "bad_response": "bad_responses",
    "backend": "backend_errors",
}


class LLMClient:
    """Cached, retried, failure-counting access to an :class:`LLMBackend`.

    Args:
        backend: the model.
        cache_dir: where responses are stored (``<dir>/<key[:2]>/<key>.json``);
            ``None`` disables the cache.
        max_retries: extra attempts after a retryable failure (so at most
            ``1 + max_retries`` requests per call).
        retry_wait: seconds before the first retry, doubled at each further retry.
        max_consecutive_timeouts: give up (:class:`LLMUnavailable`) when this many calls
            in a row found the endpoint timing out or unreachable after their retries.

    Only replies that a call accepts (``accept``) are cached: a failed or invalid reply is
    asked for again next time, and a cached entry that is not acceptable is ignored.
    """

    def __init__(
        self,
        backend: LLMBackend,
        cache_dir: Optional[Union[str, Path]] = None,
        max_retries: int = 2,
        retry_wait: float = 1.0,
        max_consecutive_timeouts: int = 3,
    ):
        self.backend = backend
        self.cache: Optional[ContentStore] = None
        if cache_dir is not None:
            self.cache = ContentStore(
                cache_dir, ".json",
                load=lambda path: json.loads(path.read_text(encoding="utf-8"))["response"],
                save=write_json_atomic,
                valid=lambda response: isinstance(response, str),
            )
        self.max_retries = max_retries
        self.retry_wait = retry_wait
        self.max_consecutive_timeouts = max_consecutive_timeouts
        self._timeouts_in_a_row = 0
        self.stats = LLMStats()

    def cache_key(self, prompt: Prompt, messages: Messages) -> str:
        """sha256 of the model id, prompt id (name + version), messages and parameters."""
        material = {
            "model": self.backend.model_id,
            "prompt": prompt.id,
            "messages": messages,
            "params": self.backend.cache_params(),
        }
        return sha256_key(json.dumps(material, sort_keys=True, ensure_ascii=False))

    def _cache_put(self, key: str, prompt: Prompt, messages: Messages, response: str) -> None:
        if self.cache is not None:
            entry = {"model": self.backend.model_id, "prompt": prompt.id,
                     "messages": messages, "response": response}
            self.cache.put(key, entry)

    def complete(
        self, prompt: Prompt, accept: Optional[Callable[[str], bool]] = None, **variables: str
    ) -> Optional[str]:
        """The model's reply to the rendered prompt, or ``None`` after bounded retries.

        ``accept(reply)`` decides whether a reply may be cached (default: any reply).

        Raises:
            LLMUnavailable: ``max_consecutive_timeouts`` calls in a row timed out.
        """
        self.stats.calls += 1
        accept = accept or (lambda reply: True)
        messages = prompt.render(**variables)
        key = self.cache_key(prompt, messages)
        cached = self.cache.get(key) if self.cache is not None else None
        if cached is not None and accept(cached):
            self.stats.cache_hits += 1
            return cached
        timed_out = False
        for attempt in range(self.max_retries + 1):
            if attempt:
                self.stats.retries += 1
                time.sleep(self.retry_wait * 2 ** (attempt - 1))
            self.stats.requests += 1
            try:
                response = self.backend.chat(messages)
            except LLMCallError as e:
                counter = _ERROR_COUNTER.get(e.kind, "bad_responses")
                setattr(self.stats, counter, getattr(self.stats, counter) + 1)
                logging.warning("LLM call %s, attempt %d: %s", prompt.id, attempt + 1, e)
                timed_out = e.kind in ("timeout", "connection")
                if not e.retryable:
                    break
                continue
            self._timeouts_in_a_row = 0
            if accept(response):
                self._cache_put(key, prompt, messages, response)
            return response
        self.stats.failures += 1
        self._timeouts_in_a_row = self._timeouts_in_a_row + 1 if timed_out else 0
        if self._timeouts_in_a_row >= self.max_consecutive_timeouts:
            raise LLMUnavailable(
                f"gave up: {self._timeouts_in_a_row} LLM calls in a row timed out or found no "
                f"server ({self.backend.describe().get('url', self.backend.model_id)}); check "
                "that the endpoint is up, or raise --llm_timeout"
            )
        return None

    def complete_json(
        self, prompt: Prompt, valid: Optional[Callable[[Dict[str, Any]], bool]] = None, **variables: str
    ) -> Optional[Dict[str, Any]]:
        """Like :meth:`complete`, parsed with :func:`parse_llm_json`; ``None`` on failure.

        A reply is cached only when it parses to a JSON object that ``valid`` accepts.
        """

        def acceptable(text: str) -> bool:
            obj, _ = parse_llm_json(text)
            return obj is not None and (valid is None or bool(valid(obj)))

        text = self.complete(prompt, accept=acceptable, **variables)
        if text is None:
            return None
        obj, repaired = parse_llm_json(text)
        if obj is None:
            self.stats.json_failures += 1
            logging.warning("LLM call %s: no JSON object in reply %r", prompt.id, text[:200])
        elif repaired:
            self.stats.json_repaired += 1
        else:
            self.stats.json_ok += 1
        return obj
