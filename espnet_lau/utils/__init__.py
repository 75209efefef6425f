"""What every part of espnet-lau shares, and nothing else: entry-point plumbing (``cli``,
``errors``), atomic writes (``fileio``), disk caches (``content_store``), ``.pth`` loading
(``checkpoint``), packed-model unpacking (``archive``), the hub probe (``hub``), checked
numbers (``numbers``), redacted URLs (``redaction``) and provenance (``provenance``).

Like ``espnet2/utils``, it imports nothing of ours outside ``utils/``
(``tests/test_layering.py``)."""
