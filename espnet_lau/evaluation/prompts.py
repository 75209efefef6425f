"""Versioned LLM prompt files shipped in ``espnet_lau/prompts/``.

A prompt file is named ``<name>_v<version>.txt``. Lines before the first section header
are a free-form comment. Sections start with a line ``[system]`` or ``[user]``; their
bodies are :class:`string.Template` texts (placeholders ``$reference``, ``$question``…,
so that literal JSON braces need no escaping). A change to a prompt's wording must come
with a new version file: the version is part of every LLM cache key.
"""

from __future__ import annotations

import dataclasses
import re
import string
from pathlib import Path
from typing import Dict, List, Optional

PROMPT_DIR = Path(__file__).resolve().parent.parent / "prompts"
_FILE_RE = re.compile(r"^(?P<name>.+)_v(?P<version>\d+)\.txt$")
_SECTION_RE = re.compile(r"^\[(system|user)\]\s*$")


@dataclasses.dataclass(frozen=True)
class Prompt:
    """A chat prompt: an optional system message and a user message template."""

    name: str
    version: int
    user: str
    system: Optional[str] = None
    path: Optional[str] = None

    @property
    def id(self) -> str:
        """``<name>_v<version>``, the identifier used in cache keys and reports."""
        return f"{self.name}_v{self.version}"

    def render(self, **variables: str) -> List[Dict[str, str]]:
        """OpenAI-style chat messages with the placeholders filled.

        Raises:
            KeyError: a placeholder has no value.
        """
        messages = []
        if self.system:
            messages.append(
                {"role": "system", "content": string.Template(self.system).substitute(variables)}
            )
        messages.append(
            {"role": "user", "content": string.Template(self.user).substitute(variables)}
        )
        return messages


def parse_prompt(text: str, name: str, version: int, path: Optional[str] = None) -> Prompt:
    """Parse the text of a prompt file (see the module docstring)."""
    sections: Dict[str, List[str]] = {}
    current = None
    for line in text.splitlines():
        m = _SECTION_RE.match(line)
        if m:
            current = m.group(1)
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
    if "user" not in sections:
        raise ValueError(f"prompt {path or name}: no [user] section")
    body = {k: "\n".join(v).strip() for k, v in sections.items()}
    return Prompt(
        name=name, version=version, user=body["user"], system=body.get("system"), path=path
    )


def available_versions(name: str, prompt_dir: Path = PROMPT_DIR) -> List[int]:
    """The versions of prompt ``name`` found in ``prompt_dir``, ascending."""
    versions = []
    for p in prompt_dir.glob(f"{name}_v*.txt"):
        m = _FILE_RE.match(p.name)
        if m and m.group("name") == name:
            versions.append(int(m.group("version")))
    return sorted(versions)


def load_prompt(name: str, version: Optional[int] = None, prompt_dir: Path = PROMPT_DIR) -> Prompt:
    """Load ``<prompt_dir>/<name>_v<version>.txt`` (the highest version by default)."""
    if version is None:
        versions = available_versions(name, prompt_dir)
        if not versions:
            raise FileNotFoundError(f"no prompt file {name}_v*.txt in {prompt_dir}")
        version = versions[-1]
    path = Path(prompt_dir) / f"{name}_v{version}.txt"
    return parse_prompt(path.read_text(encoding="utf-8"), name, int(version), str(path))
