"""The LLMs an evaluation can ask: one attempt per call, no retry, no cache.

- :class:`OpenAIChatBackend`: any OpenAI-compatible ``/chat/completions`` HTTP server
  (llama.cpp ``llama-server``, vLLM, TGI, …), temperature 0.
- :class:`TransformersBackend`: a local transformers causal LM, greedy decoding, the
  tokenizer's chat template when it has one.

Every failed attempt is an :class:`LLMCallError` that says whether a retry may help;
:class:`espnet_lau.evaluation.llm.LLMClient` does the retrying, caching and counting.
"""

from __future__ import annotations

import abc
import logging
from pathlib import Path
from typing import Any, Dict, List, Optional
from urllib.parse import urlsplit, urlunsplit

import requests

from espnet_lau.utils.redaction import hide_in_logs, redact_secrets, redact_url

Messages = List[Dict[str, str]]


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
        base_url: e.g. ``http://127.0.0.1:8080/v1``; ``/chat/completions`` is appended to
            its path (a query string, e.g. ``?key=…``, is kept). Reports and errors show
            it without userinfo and query (:func:`~espnet_lau.utils.redaction.redact_url`).
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
        parts = urlsplit(base_url)
        self.url = urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/chat/completions"))
        hide_in_logs(self.url)
        self.model_id = model
        self.timeout = timeout
        self.max_tokens = max_tokens
        self.session = requests.Session()
        if api_key:
            self.session.headers["Authorization"] = f"Bearer {api_key}"

    def cache_params(self) -> Dict[str, Any]:
        return {"temperature": 0, "max_tokens": self.max_tokens}

    def describe(self) -> Dict[str, Any]:
        return {**super().describe(), "url": redact_url(self.url), "timeout": self.timeout}

    def _failure(self, message: str, kind: str, retryable: bool) -> LLMCallError:
        """An :class:`LLMCallError` whose message (``requests`` quotes the URL's path and
        query) holds none of the URL's secrets."""
        return LLMCallError(redact_secrets(message, self.url), kind, retryable)

    def chat(self, messages: Messages) -> str:
        payload = {"model": self.model_id, "messages": messages, **self.cache_params()}
        try:
            resp = self.session.post(self.url, json=payload, timeout=self.timeout)
        except requests.Timeout as e:
            raise self._failure(f"timeout after {self.timeout}s: {e}", "timeout", True) from None
        except requests.ConnectionError as e:
            raise self._failure(f"connection error: {e}", "connection", True) from None
        except requests.RequestException as e:  # e.g. a broken chunked transfer
            raise self._failure(f"request failed: {e}", "connection", True) from None
        if resp.status_code != 200:
            retryable = resp.status_code >= 500 or resp.status_code == 429
            raise self._failure(f"HTTP {resp.status_code}: {resp.text[:200]!r}", "http", retryable)
        try:
            content = resp.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            raise self._failure(f"not a chat-completions answer: {resp.text[:200]!r}", "bad_response",
                                False) from None
        if not isinstance(content, str):
            raise self._failure(f"non-text content: {content!r}", "bad_response", False)
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
