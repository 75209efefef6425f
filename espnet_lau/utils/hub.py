"""Whether the Hugging Face hub can be reached, in about two seconds at most.

One probe for the package: the teachers ask before a hub lookup (which can hang for a
minute offline), ``upload_hf`` before uploading.
"""

from __future__ import annotations

import os
import socket
import threading
from urllib.parse import urlsplit


def hub_endpoint() -> str:
    """The hub's URL: ``HF_ENDPOINT``, else ``https://huggingface.co``."""
    return os.environ.get("HF_ENDPOINT", "https://huggingface.co")


def hub_is_reachable(timeout: float = 2.0) -> bool:
    """Whether a TCP connection to the hub (or the HTTPS proxy) opens within ``timeout``.

    Costs at most about ``timeout`` seconds, DNS included, where a failing hub lookup
    by sentence-transformers can hang for a minute.
    """
    proxy = os.environ.get("HTTPS_PROXY") or os.environ.get("https_proxy")
    url = urlsplit(proxy or hub_endpoint())
    host = url.hostname
    port = url.port or (443 if url.scheme == "https" else 80)
    if not host:
        return False
    result: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                result.append(True)
        except OSError:
            result.append(False)

    thread = threading.Thread(target=probe, daemon=True)  # bounds a slow DNS lookup too
    thread.start()
    thread.join(timeout + 0.5)
    return bool(result and result[0])
