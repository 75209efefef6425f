"""The front door stays short, and the documentation's relative links lead somewhere.

Every relative markdown link (``[text](path)``, ``![alt](path)``, ``[name]: path``) in
README.md, egs2/bambara_fr/{st1,s2t1}/README.md and docs/*.md must name a file or folder that
exists, resolved from the folder of the page that holds it (``#anchor`` parts ignored).
Links inside code (fenced blocks, backtick spans) are not links. The README is the front
door: at most 200 lines.
"""

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README_MAX_LINES = 200
# [text](target "title") and ![alt](target); the text may hold one level of brackets.
INLINE = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|#)", re.I)


def pages():
    return [REPO / "README.md", REPO / "egs2/bambara_fr/st1/README.md", REPO / "egs2/bambara_fr/s2t1/README.md",
            *sorted((REPO / "docs").glob("*.md"))]


def without_code(text: str) -> list[str]:
    """The page's lines with fenced blocks blanked and backtick spans removed."""
    lines, fence = [], None
    for line in text.splitlines():
        marker = re.match(r"^\s{0,3}(`{3,}|~{3,})", line)
        if fence is None and marker:
            fence = marker.group(1)[0] * len(marker.group(1))
            lines.append("")
        elif fence is not None:
            if line.strip().startswith(fence):
                fence = None
            lines.append("")
        else:
            lines.append(re.sub(r"(`+)(?:(?!\1).)+?\1", "", line))
    return lines


def relative_links(text: str) -> list[tuple[int, str]]:
    """(line number, target) of every relative link outside code."""
    found = []
    for number, line in enumerate(without_code(text), start=1):
        targets = INLINE.findall(line)
        reference = REFERENCE.match(line)
        if reference:
            targets.append(reference.group(1))
        found += [(number, t) for t in targets if not EXTERNAL.match(t)]
    return found


def broken_links(page: Path) -> list[str]:
    """'<line>: <target>' for each relative link of ``page`` whose file does not exist."""
    broken = []
    for number, target in relative_links(page.read_text(encoding="utf-8")):
        path = target.split("#", 1)[0].split("?", 1)[0]
        if path and not (page.parent / path).exists():
            broken.append(f"{number}: {target}")
    return broken


def test_the_pages_to_check_exist():
    missing = [str(p.relative_to(REPO)) for p in pages() if not p.is_file()]
    assert missing == []
    assert len(pages()) > 3


@pytest.mark.parametrize("page", pages(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_relative_link_names_an_existing_file(page):
    assert broken_links(page) == [], f"{page.relative_to(REPO)}: links to missing files"


def test_the_readme_is_a_front_door_of_at_most_200_lines():
    lines = (REPO / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MAX_LINES, f"README.md has {len(lines)} lines"


def test_the_checker_finds_broken_links_and_ignores_code(tmp_path):
    (tmp_path / "there.md").write_text("x")
    (tmp_path / "sub").mkdir()
    page = tmp_path / "page.md"
    page.write_text(
        "[ok](there.md) [ok too](there.md#a-section) ![img](sub/) [web](https://x.org/missing.md)\n"
        "[anchor](#here) [gone](missing.md) ![gone image](sub/missing.png \"a title\")\n"
        "`[in code](missing_in_code.md)`\n"
        "```\n[in a fence](missing_in_fence.md)\n```\n"
        "[ref]: missing_ref.md\n",
        encoding="utf-8",
    )
    assert broken_links(page) == ["2: missing.md", "2: sub/missing.png", "7: missing_ref.md"]

