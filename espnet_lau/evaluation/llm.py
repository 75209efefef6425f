"""Pluggable LLM backends, an on-disk response cache, bounded retries and JSON repair.

Backends:

- :class:`OpenAIChatBackend`: any OpenAI-compatible ``/chat/completions`` HTTP server
  (llama.cpp ``llama-server``, vLLM, TGI, …), temperature 0.
- :class:`TransformersBackend`: a local transformers causal LM, greedy decoding, the
  tokenizer's chat template when it has one.

:class:`LLMClient` wraps a backend: it caches every successful response on disk under
``sha256(model id, prompt id (name + version), rendered messages, generation params)``,
retries timeouts / connection errors / HTTP 5xx and 429 a bounded number of times, and
turns every failure into ``None`` plus a counter in :class:`LLMStats` — an evaluation run
never crashes on a flaky or chatty LLM.
"""

from __future__ import annotations

import abc
import dataclasses
import hashlib
import json
import logging
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

import json_repair
import requests

from espnet_lau.evaluation.prompts import Prompt
from espnet_lau.fileio import write_text_atomic

Messages = List[Dict[str, str]]


class LLMUnavailable(RuntimeError):
    """The endpoint stopped answering: ``max_consecutive_timeouts`` calls in a row failed."""


class LLMCallError(RuntimeError):
    """One failed attempt.

    Attributes:
        kind: ``timeout``, ``http``, ``connection``, ``bad_response`` or ``backend``.
        retryable: whether another attempt may succeed.
    """

    def __init__(self, message: str, kind: str, retryable: bool):
        super().__init__(message)
        self.kind = kind
        self.retryable = retryable


class LLMBackend(abc.ABC):
    """A chat model: messages in, text out (one attempt, no retry, no cache)."""

    #: Identifies the model in cache keys and reports.
    model_id: str

    @abc.abstractmethod
    def chat(self, messages: Messages) -> str:
        """Generate the assistant reply.

        Raises:
            LLMCallError: the attempt failed.
        """

    def cache_params(self) -> Dict[str, Any]:
        """Generation parameters that change the output (part of the cache key)."""
        return {}

    def describe(self) -> Dict[str, Any]:
        """For reports."""
        return {"backend": type(self).__name__, "model": self.model_id, **self.cache_params()}


class OpenAIChatBackend(LLMBackend):
    """OpenAI-compatible chat-completions over HTTP (``requests``).

    Args:
        base_url: e.g. ``http://127.0.0.1:8080/v1``; ``/chat/completions`` is appended.
        model: the ``model`` field sent to the server.
        timeout: seconds per HTTP request.
        max_tokens: generation limit.
        api_key: sent as ``Authorization: Bearer …`` when given.
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        timeout: float = 120.0,
        max_tokens: int = 512,
        api_key: Optional[str] = None,
    ):
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model_id = model
        self.timeout = timeout
        self.max_tokens = max_tokens
        self.session = requests.Session()
        if api_key:
            self.session.headers["Authorization"] = f"Bearer {api_key}"

    def cache_params(self) -> Dict[str, Any]:
        return {"temperature": 0, "max_tokens": self.max_tokens}

    def describe(self) -> Dict[str, Any]:
        return {**super().describe(), "url": self.url, "timeout": self.timeout}

    def chat(self, messages: Messages) -> str:
        payload = {"model": self.model_id, "messages": messages, **self.cache_params()}
        try:
            resp = self.session.post(self.url, json=payload, timeout=self.timeout)
        except requests.Timeout as e:
            raise LLMCallError(f"timeout after {self.timeout}s: {e}", "timeout", True) from e
        except requests.ConnectionError as e:
            raise LLMCallError(f"connection error: {e}", "connection", True) from e
        except requests.RequestException as e:  # e.g. a broken chunked transfer
            raise LLMCallError(f"request failed: {e}", "connection", True) from e
        if resp.status_code != 200:
            retryable = resp.status_code >= 500 or resp.status_code == 429
            raise LLMCallError(
                f"HTTP {resp.status_code}: {resp.text[:200]!r}", "http", retryable
            )
        try:
            content = resp.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as e:
            raise LLMCallError(
                f"not a chat-completions answer: {resp.text[:200]!r}", "bad_response", False
            ) from e
        if not isinstance(content, str):
            raise LLMCallError(f"non-text content: {content!r}", "bad_response", False)
        return content


class TransformersBackend(LLMBackend):
    """A local Hugging Face causal LM, greedy decoding.

    Args:
        path: a local model folder (or a hub name where the hub is reachable).
        device: torch device.
        max_new_tokens: generation limit.
    """

    def __init__(self, path: str, device: str = "cpu", max_new_tokens: int = 256):
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.path = path
        self.model_id = "hf:" + (str(Path(path).resolve()) if Path(path).exists() else path)
        self.device = device
        self.max_new_tokens = max_new_tokens
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModelForCausalLM.from_pretrained(path).to(device).eval()
        self.has_chat_template = bool(getattr(self.tokenizer, "chat_template", None))
        logging.info(
            "Loaded %s (chat template: %s)", path, "yes" if self.has_chat_template else "no"
        )

    def cache_params(self) -> Dict[str, Any]:
        return {"temperature": 0, "max_new_tokens": self.max_new_tokens}

    def build_inputs(self, messages: Messages) -> Dict[str, Any]:
        """Token ids (1, T) for the messages: the chat template, or plain concatenation."""
        if self.has_chat_template:
            enc = self.tokenizer.apply_chat_template(
                messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
            )
        else:
            text = "\n\n".join(m["content"] for m in messages) + "\n\n"
            enc = self.tokenizer(text, return_tensors="pt")
        keep = ("input_ids", "attention_mask")
        return {k: v.to(self.device) for k, v in enc.items() if k in keep}

    def chat(self, messages: Messages) -> str:
        import torch

        inputs = self.build_inputs(messages)
        pad_id = self.tokenizer.pad_token_id
        if pad_id is None:
            pad_id = self.tokenizer.eos_token_id
        try:
            with torch.no_grad():
                out = self.model.generate(
                    **inputs,
                    max_new_tokens=self.max_new_tokens,
                    do_sample=False,
                    pad_token_id=pad_id,
                )
        except (RuntimeError, ValueError, IndexError) as e:  # e.g. prompt too long
            raise LLMCallError(f"generation failed: {e}", "backend", False) from e
        new_tokens = out[0, inputs["input_ids"].shape[1]:]
        return self.tokenizer.decode(new_tokens, skip_special_tokens=True)


# --------------------------------------------------------------------------- JSON repair


def _first_object(text: str) -> Optional[str]:
    """The first balanced ``{...}`` block of ``text`` (braces inside strings ignored);
    None when every object is left open, i.e. the reply was cut off."""
    start = text.find("{")
    while start != -1:
        depth, in_str, escaped = 0, False, False
        for i in range(start, len(text)):
            c = text[i]
            if in_str:
                if escaped:
                    escaped = False
                elif c == "\\":
                    escaped = True
                elif c == '"':
                    in_str = False
            elif c == '"':
                in_str = True
            elif c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    return text[start:i + 1]
        start = text.find("{", start + 1)
    return None


def parse_llm_json(text: str) -> Tuple[Optional[Dict[str, Any]], bool]:
    """Parse an LLM reply that should be one JSON object, repairing common damage.

    Small models wrap the object in Markdown fences or prose and leave trailing commas:
    the first balanced ``{...}`` block is kept and mended by ``json_repair`` (a
    maintained library). A reply whose object is never closed was cut off and is no
    answer: a truncated verdict is not repaired into one.

    Returns:
        ``(obj, repaired)``: the object (``None`` when there is none) and whether a
        repair was needed.
    """
    try:
        obj = json.loads(text)
        if isinstance(obj, dict):
            return obj, False
    except ValueError:
        pass
    block = _first_object(text)
    obj = json_repair.loads(block) if block is not None else None
    return (obj if isinstance(obj, dict) and obj else None), True


# --------------------------------------------------------------------------- client


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
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
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
        blob = json.dumps(material, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def _cache_path(self, key: str) -> Optional[Path]:
        return None if self.cache_dir is None else self.cache_dir / key[:2] / f"{key}.json"

    def _cache_get(self, key: str) -> Optional[str]:
        path = self._cache_path(key)
        if path is None or not path.exists():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))["response"]
        except (ValueError, KeyError) as e:
            logging.warning("Ignoring unreadable cache entry %s (%s)", path, e)
            return None

    def _cache_put(self, key: str, prompt: Prompt, messages: Messages, response: str) -> None:
        path = self._cache_path(key)
        if path is None:
            return
        entry = {
            "model": self.backend.model_id,
            "prompt": prompt.id,
            "messages": messages,
            "response": response,
        }
        write_text_atomic(path, json.dumps(entry, ensure_ascii=False))

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
        cached = self._cache_get(key)
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


def build_backend(
    llm_url: Optional[str] = None,
    llm_model: Optional[str] = None,
    llm_hf: Optional[str] = None,
    timeout: float = 120.0,
    max_tokens: int = 512,
    api_key: Optional[str] = None,
    device: str = "cpu",
) -> Optional[LLMBackend]:
    """The backend the options name, or ``None`` when none is given.

    Raises:
        ValueError: both an HTTP and a local backend, or a URL without a model name.
    """
    if llm_url and llm_hf:
        raise ValueError("give either --llm_url/--llm_model or --llm_hf, not both")
    if llm_url or llm_model:
        if not (llm_url and llm_model):
            raise ValueError("--llm_url and --llm_model go together")
        return OpenAIChatBackend(
            llm_url, llm_model, timeout=timeout, max_tokens=max_tokens, api_key=api_key
        )
    if llm_hf:
        return TransformersBackend(llm_hf, device=device, max_new_tokens=max_tokens)
    return None
