"""LLM question answering over system outputs (the LAU paper's QA protocol).

1. Questions: read from a gold ``qa.jsonl`` (``{"id", "question", "answers"}`` per line,
   several lines per utterance allowed), or generated from each reference by the LLM
   (1-2 factual questions with their short answer, plus 1-5 critical keywords).
2. Answering: the LLM answers each question from the system output alone, or replies
   ``NE PEUT RÉPONDRE``. An empty output is "cannot answer" without an LLM call.
3. Judging: the LLM says OUI/YES or NON/NO, given the reference, the question, the
   accepted answers and the proposed answer. "Cannot answer" is NO without a call.

accuracy = #YES / #questions. A question whose answering or judging failed (no reply
after retries, or no usable JSON) counts as not-YES and is reported in ``n_failed``;
``accuracy_valid`` = #YES / (#questions − #failed) is given beside it.
"""

from __future__ import annotations

import dataclasses
import logging
import unicodedata
from typing import Any, Dict, List, Mapping, Optional, Sequence

from espnet_lau.data.jsonl import iter_json_lines
from espnet_lau.evaluation.llm import LLMClient
from espnet_lau.evaluation.prompts import Prompt, load_prompt
from espnet_lau.text.normalization import TextNormalizer
from espnet_lau.utils.errors import UserError
from espnet_lau.utils.fileio import PathLike

CANNOT_ANSWER = "NE PEUT RÉPONDRE"

#: Accepted JSON keys (the prompts ask for the French ones; English ones are tolerated).
_ANSWER_KEYS = ("reponse", "réponse", "answer")
_KEYWORD_KEYS = ("mots_cles", "mots_clés", "keywords")
_VERDICT_KEYS = ("jugement", "verdict", "judgement", "judgment", "answer")
_YES = {"OUI", "YES"}
_NO = {"NON", "NO"}


@dataclasses.dataclass
class QAItem:
    """One question about one utterance.

    Attributes:
        uttid: the utterance the question is about.
        question: the question text.
        answers: accepted answers (alternatives; may be empty).
        qid: unique id ``<uttid>#<index within the utterance>``.
    """

    uttid: str
    question: str
    answers: List[str]
    qid: str = ""


class QAFileError(UserError, ValueError):
    """A malformed ``qa.jsonl``; the message carries ``file:line``."""


def read_qa_jsonl(path: PathLike) -> List[QAItem]:
    """Read gold questions: one JSON object per line ``{"id", "question", "answers"}``.

    Raises:
        QAFileError: bad JSON or a missing/ill-typed field, with ``file:line``.
    """
    items: List[QAItem] = []
    per_utt: Dict[str, int] = {}
    for where, obj in iter_json_lines(path, lambda where, e: QAFileError(f"{where}: not JSON ({e})")):
        if not isinstance(obj, dict):
            raise QAFileError(f"{where}: expected a JSON object")
        uttid, question, answers = obj.get("id"), obj.get("question"), obj.get("answers", [])
        if not isinstance(uttid, str) or not uttid:
            raise QAFileError(f"{where}: 'id' must be a non-empty string")
        if not isinstance(question, str) or not question.strip():
            raise QAFileError(f"{where}: 'question' must be a non-empty string")
        if isinstance(answers, str):
            answers = [answers]
        if not isinstance(answers, list) or not all(isinstance(a, str) for a in answers):
            raise QAFileError(f"{where}: 'answers' must be a list of strings")
        index = per_utt.get(uttid, 0)
        per_utt[uttid] = index + 1
        items.append(QAItem(uttid, question.strip(), answers, f"{uttid}#{index}"))
    return items


def _first_str(obj: Mapping[str, Any], keys: Sequence[str]) -> Optional[str]:
    for key in keys:
        value = obj.get(key)
        if isinstance(value, str):
            return value
    return None


def _strip_accents(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn"
    )


def is_cannot_answer(answer: str) -> bool:
    """True for an empty answer or one containing "NE PEUT RÉPONDRE" (any case/accents)."""
    norm = _strip_accents(TextNormalizer()(answer))
    return not norm or "ne peut repondre" in norm


def parse_verdict(obj: Mapping[str, Any]) -> Optional[bool]:
    """``True`` for OUI/YES, ``False`` for NON/NO, ``None`` when unusable."""
    value = _first_str(obj, _VERDICT_KEYS)
    if value is None:
        return None
    word = _strip_accents(value).strip().strip(".!\"'« »").upper()
    if word in _YES:
        return True
    if word in _NO:
        return False
    return None


@dataclasses.dataclass
class QAPrompts:
    """The three prompts of the protocol (latest versions by default)."""

    generate: Prompt = dataclasses.field(default_factory=lambda: load_prompt("qa_generate"))
    answer: Prompt = dataclasses.field(default_factory=lambda: load_prompt("qa_answer"))
    judge: Prompt = dataclasses.field(default_factory=lambda: load_prompt("qa_judge"))

    def ids(self) -> Dict[str, str]:
        return {"generate": self.generate.id, "answer": self.answer.id, "judge": self.judge.id}


@dataclasses.dataclass
class GeneratedQA:
    """LLM-made questions and keywords.

    Attributes:
        items: the questions (answer = the LLM's short answer).
        keywords: ``{uttid: [keyword, ...]}`` (1-5 per reference).
        n_failed_utts: references for which no usable question came back.
    """

    items: List[QAItem]
    keywords: Dict[str, List[str]]
    n_failed_utts: int


def generate_qa(
    refs: Mapping[str, str],
    client: LLMClient,
    prompts: Optional[QAPrompts] = None,
    max_questions: int = 2,
    max_keywords: int = 5,
) -> GeneratedQA:
    """Ask the LLM for 1-``max_questions`` questions and 1-``max_keywords`` keywords
    per reference. Extra questions/keywords are cut; malformed entries are skipped.

    Args:
        refs: ``{uttid: reference}``; empty references are skipped.
    """
    prompts = prompts or QAPrompts()
    items: List[QAItem] = []
    keywords: Dict[str, List[str]] = {}
    n_failed = 0
    for uttid, ref in refs.items():
        if not ref.strip():
            continue
        obj = client.complete_json(prompts.generate, valid=lambda o: isinstance(o.get("questions"), list),
                                   reference=ref)
        questions = obj.get("questions") if obj else None
        kept = 0
        for q in questions if isinstance(questions, list) else []:
            if kept == max_questions:
                break
            if isinstance(q, str):
                q = {"question": q}
            text = q.get("question") if isinstance(q, dict) else None
            if not isinstance(text, str) or not text.strip():
                continue
            answer = _first_str(q, _ANSWER_KEYS)
            items.append(QAItem(uttid, text.strip(), [answer] if answer else [], f"{uttid}#{kept}"))
            kept += 1
        if not kept:
            n_failed += 1
        kws = None
        if obj:
            kws = next((obj[k] for k in _KEYWORD_KEYS if isinstance(obj.get(k), list)), None)
        if kws:
            keywords[uttid] = [k for k in kws if isinstance(k, str) and k.strip()][:max_keywords]
    logging.info(
        "Generated %d questions for %d references (%d failed)", len(items), len(refs), n_failed
    )
    return GeneratedQA(items, keywords, n_failed)


def qa_accuracy(
    items: Sequence[QAItem],
    hyps: Mapping[str, str],
    refs: Mapping[str, str],
    client: LLMClient,
    prompts: Optional[QAPrompts] = None,
) -> Dict[str, Any]:
    """Answer each question from the system output, judge it, and count YES.

    Args:
        items: questions (their ``uttid`` must be in ``hyps`` and ``refs``).
        hyps: ``{uttid: system output}``.
        refs: ``{uttid: reference}``.

    Returns:
        ``{"accuracy", "accuracy_valid"}`` in percent, counts ``n_questions, n_yes,
        n_no, n_cannot_answer, n_failed`` and ``details`` (one dict per question:
        ``qid, uttid, question, answers, answer, cannot_answer, verdict, failed``).
    """
    prompts = prompts or QAPrompts()
    counts = {"n_yes": 0, "n_no": 0, "n_cannot_answer": 0, "n_failed": 0}
    details = []
    for item in items:
        hyp = hyps[item.uttid]
        row = {
            "qid": item.qid, "uttid": item.uttid, "question": item.question,
            "answers": item.answers, "answer": None, "cannot_answer": False,
            "verdict": None, "failed": False,
        }
        answer: Optional[str] = CANNOT_ANSWER
        if hyp.strip():
            obj = client.complete_json(prompts.answer, valid=lambda o: _first_str(o, _ANSWER_KEYS) is not None,
                                       hypothesis=hyp, question=item.question)
            answer = _first_str(obj, _ANSWER_KEYS) if obj else None
        row["answer"] = answer
        if answer is None:
            row["failed"] = True
        elif is_cannot_answer(answer):
            row["cannot_answer"] = True
            row["verdict"] = False
        else:
            obj = client.complete_json(
                prompts.judge,
                valid=lambda o: parse_verdict(o) is not None,
                reference=refs[item.uttid],
                question=item.question,
                accepted=" ; ".join(item.answers) if item.answers else "(non fournie)",
                answer=answer,
            )
            row["verdict"] = parse_verdict(obj) if obj else None
            row["failed"] = row["verdict"] is None
        if row["failed"]:
            counts["n_failed"] += 1
        elif row["verdict"]:
            counts["n_yes"] += 1
        else:
            counts["n_no"] += 1
        counts["n_cannot_answer"] += row["cannot_answer"]
        details.append(row)
    n = len(items)
    if n == 0:
        raise ValueError("no question to answer")
    n_valid = n - counts["n_failed"]
    result = {
        "accuracy": 100.0 * counts["n_yes"] / n,
        "accuracy_valid": 100.0 * counts["n_yes"] / n_valid if n_valid else None,
        "n_questions": n,
        **counts,
        "details": details,
    }
    logging.info(
        "QA accuracy %.2f%% (%d/%d YES, %d cannot answer, %d failed)",
        result["accuracy"], counts["n_yes"], n, counts["n_cannot_answer"], counts["n_failed"],
    )
    return result
