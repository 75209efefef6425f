"""Reading the one JSON object an LLM was asked for out of its reply."""

from __future__ import annotations

import json
from typing import Any, Dict, Optional, Tuple

import json_repair


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
