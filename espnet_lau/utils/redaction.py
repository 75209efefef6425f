"""URLs as they may be logged or saved: without the secrets a user can put in them.

An endpoint such as ``--llm_url http://user:sekret@host:8080/v1?key=abc`` carries a
password (userinfo) and often an API key (query string). Reports, logs and error
messages show :func:`redact_url`'s form, ``http://host:8080/v1``; the request itself
still goes to the URL as given. :func:`redact_secrets` scrubs the same secrets from a
text that quotes the URL (e.g. an error of ``requests``, which names the path and query),
and :func:`hide_in_logs` from what the HTTP library logs at DEBUG (urllib3 logs every
request line, query included).
"""

from __future__ import annotations

import logging
from typing import List, Set
from urllib.parse import urlsplit, urlunsplit

#: what stands for a secret removed from a text
REDACTED = "***"
#: shorter secrets are not searched for in free text (they would match ordinary words)
_MIN_SECRET_LEN = 3


def redact_url(url: str) -> str:
    """``url`` without userinfo (``user:password@``), query string and fragment.

    ``http://user:sekret@127.0.0.1:8080/v1?key=abc`` → ``http://127.0.0.1:8080/v1``; a
    string that is not a URL with a host is returned with only its query and fragment
    dropped.
    """
    parts = urlsplit(url)
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def url_secrets(url: str) -> List[str]:
    """The parts of ``url`` that :func:`redact_url` removes: userinfo, password, query
    string, fragment (each when present), longest first."""
    parts = urlsplit(url)
    userinfo = parts.netloc.rpartition("@")[0]
    found = [userinfo, parts.password or "", parts.query, parts.fragment]
    return sorted({s for s in found if len(s) >= _MIN_SECRET_LEN}, key=len, reverse=True)


def redact_secrets(text: str, url: str) -> str:
    """``text`` with every secret of ``url`` (:func:`url_secrets`) replaced by ``***``."""
    for secret in url_secrets(url):
        text = text.replace(secret, REDACTED)
    return text


#: the loggers of the HTTP stack ``requests`` uses that quote request URLs
HTTP_LOGGERS = ("urllib3.connectionpool",)


class _SecretsFilter(logging.Filter):
    """Rewrites a record that quotes a secret of one of :attr:`urls` (one per process)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: Set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = message
        for url in self.urls:
            scrubbed = redact_secrets(scrubbed, url)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True


_FILTER = _SecretsFilter()


def hide_in_logs(url: str) -> None:
    """Keep the secrets of ``url`` out of what :data:`HTTP_LOGGERS` log (they log the
    request line, ``POST /v1/chat/completions?key=... HTTP/1.1``, at DEBUG)."""
    if not url_secrets(url):
        return
    _FILTER.urls.add(url)
    for name in HTTP_LOGGERS:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
