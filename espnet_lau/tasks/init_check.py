"""``--init_param`` checked against the built model before training: every tensor loads, or
the run stops with one line naming the first offending key and the fix.

ESPnet's ``load_pretrained_model`` (``--init_param <file>:<src_key>:<dst_key>:<exclude>``)
loads nothing and says nothing when ``src_key`` matches no key of the file, never reports
a tensor of the model that the file lacks (the model keeps its random value), and unpickles
the file with ``weights_only=False``. Here, before ESPnet loads it, each file is read
weights-only (:func:`espnet_lau.utils.checkpoint.load_checkpoint`, ``--trust_pickle true``
for a file you made that holds other objects), its keys are mapped as ESPnet maps them and
matched against ``model.<dst_key>.state_dict()``:

* ``loaded N of M encoder tensors from FILE`` is logged (M: the destination's tensors, less
  those ``exclude`` leaves out on purpose);
* zero tensors matching stops the run, also with ``--ignore_init_mismatch true`` (a file
  that initialises nothing is never what was meant);
* a tensor of the model that the file lacks, a key of the file with no tensor in the model,
  or a shape that differs stops the run, unless ``--ignore_init_mismatch true``: then the
  run goes on (ESPnet loads the tensors that match) and every skipped key is logged.

``LAUSTTask.main`` asks for the check (:func:`request_init_check`) and
``LAUSTTask.build_model`` runs it on the model it built (:func:`check_requested_init`), so
the ``--init_param`` of ``lau_st_train`` and of the recipe (``--pretrained_asr``,
``--pretrained_encoder``) are both checked, before λ is measured and before training.
"""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Tuple

import torch

from espnet_lau.lau_model import HEAD_PREFIX
from espnet_lau.utils.checkpoint import load_checkpoint
from espnet_lau.utils.errors import UserError

#: The ``args`` attribute that asks ``build_model`` for the check; popped there, so
#: ``config.yaml`` (written after the build) never holds it.
REQUEST = "_lau_init_check"
#: How many skipped keys one log line lists (the count is always complete).
LISTED = 20


class InitParamError(UserError, ValueError):
    """An ``--init_param`` that would load nothing, or not every tensor, or the wrong shapes."""


@dataclass(frozen=True)
class InitParam:
    """One ``--init_param``, split as ESPnet splits it (``split(":", 4)``)."""

    spec: str
    path: str
    src_key: Optional[str] = None
    dst_key: Optional[str] = None
    excludes: Tuple[str, ...] = ()

    @classmethod
    def parse(cls, spec: str) -> "InitParam":
        parts = spec.split(":", 4)
        path, src, dst, excludes = (parts + [None] * 3)[:4]
        # As ESPnet: an empty exclude ("<file>:a:b:") excludes every key.
        return cls(spec, path, src or None, dst or None, tuple(excludes.split(",")) if excludes is not None else ())

    def source_key(self, dst_name: str) -> str:
        """The key of the file that ESPnet loads into ``<dst_key>.<dst_name>``."""
        return f"{self.src_key}.{dst_name}" if self.src_key else dst_name

    def excluded(self, source_key: str) -> bool:
        return any(source_key.startswith(e) for e in self.excludes)


@dataclass
class InitMatch:
    """How the tensors of one ``--init_param`` file meet the model's destination module."""

    init: InitParam
    destination: str  # "encoder", or "model" without dst_key
    total: int  # destination tensors that the file should fill (excluded ones left out)
    loaded: List[str] = field(default_factory=list)  # destination keys
    missing: List[str] = field(default_factory=list)  # destination keys the file lacks
    unexpected: List[str] = field(default_factory=list)  # file keys with no destination
    mismatched: List[Tuple[str, tuple, tuple]] = field(default_factory=list)  # (key, file, model)
    file_prefixes: List[str] = field(default_factory=list)  # first parts of the file's keys

    def summary(self) -> str:
        return f"loaded {len(self.loaded)} of {self.total} {self.destination} tensors from {self.init.path}"

    def skipped(self) -> List[str]:
        """Every skipped key, with why, for the log."""
        where = self.destination
        return ([f"{where}.{k} (not in the file)" for k in self.missing]
                + [f"{self.init.source_key(k)} (in the file, not in the model)" for k in self.unexpected]
                + [f"{where}.{k} (shape {s} in the file, {d} in the model)" for k, s, d in self.mismatched])


def read_source_state(init: InitParam, trust_pickle: bool) -> Dict[str, torch.Tensor]:
    """The file's tensors as ESPnet reads them (a ``module`` entry unwrapped), weights-only.

    Raises:
        InitParamError: the file is ESPnet's training ``checkpoint.pth`` or no state dict.
    """
    obj = load_checkpoint(init.path, trust_pickle=trust_pickle)
    if isinstance(obj, Mapping) and "module" in obj:
        obj = obj["module"]
    if isinstance(obj, Mapping) and isinstance(obj.get("model"), Mapping) and "optimizers" in obj:
        raise InitParamError(
            f"--init_param {init.spec}: {init.path} is ESPnet's training checkpoint.pth (model, "
            "optimizers, ...), which ESPnet's --init_param cannot read: give the model file "
            "(e.g. valid.acc.ave.pth) of the same experiment")
    if not isinstance(obj, Mapping):
        raise InitParamError(f"--init_param {init.spec}: {init.path} holds a {type(obj).__name__}, "
                             "not a state dict: give a model file saved by ESPnet (*.pth)")
    return {k: v for k, v in obj.items() if isinstance(v, torch.Tensor)}


def match_init_param(init: InitParam, model: torch.nn.Module, source: Mapping[str, torch.Tensor]) -> InitMatch:
    """Match the file's tensors (``source``) with ``model.<dst_key>`` as ESPnet would load them.

    Raises:
        InitParamError: ``dst_key`` names no module of the model.
    """
    target: object = model
    for part in (init.dst_key or "").split("."):
        if part:
            target = getattr(target, part, None)
    if not isinstance(target, torch.nn.Module):
        raise InitParamError(f"--init_param {init.spec}: the model has no module {init.dst_key!r} to "
                             "initialise: give one of " + ", ".join(n for n, _ in model.named_children()))
    wanted = {k: v for k, v in source.items() if not init.excluded(k)}
    if init.src_key:  # as ESPnet: a prefix match, then the key less "<src_key>."
        wanted = {k[len(init.src_key) + 1:]: v for k, v in wanted.items() if k.startswith(init.src_key)}
    dst_state = target.state_dict()
    # The LAU head is LAU's own: no pretrained file has it (a whole-model init, as of an
    # OWSM checkpoint, leaves it to train from scratch).
    dst_prefix = f"{init.dst_key}." if init.dst_key else ""  # the keys' prefix in the whole model
    dst_keys = [k for k in dst_state if not init.excluded(init.source_key(k))
                and not (dst_prefix + k).startswith(HEAD_PREFIX)]
    match = InitMatch(init, init.dst_key or "model", len(dst_keys),
                      file_prefixes=sorted({k.split(".", 1)[0] for k in source}))
    for key in dst_keys:
        if key not in wanted:
            match.missing.append(key)
        elif tuple(wanted[key].shape) != tuple(dst_state[key].shape):
            match.mismatched.append((key, tuple(wanted[key].shape), tuple(dst_state[key].shape)))
        else:
            match.loaded.append(key)
    match.unexpected = [k for k in wanted if k not in dst_state]
    return match


def refusal(match: InitMatch) -> Optional[str]:
    """One line for the first problem of ``match`` (None when every tensor loads)."""
    init, where = match.init, f"--init_param {match.init.spec}"
    same_conf = ("build the ST model with the checkpoint's frontend_conf and encoder_conf "
                 "(python -m espnet_lau.bin.prepare_pretrained_encoder writes such a config)")
    if not match.loaded:
        first = match.mismatched[0][0] if match.mismatched else (match.missing or ["(none)"])[0]
        return (f"{where}: 0 of {match.total} {match.destination} tensors load from {init.path} "
                f"(first: {first}); the file's keys start with {', '.join(match.file_prefixes[:8]) or 'nothing'}: "
                f"give the src_key they use (<file>:<src_key>:{init.dst_key or ''}) or the right file")
    if match.mismatched:
        key, src, dst = match.mismatched[0]
        return (f"{where}: {init.source_key(key)} has shape {src} in {init.path} but {dst} in the model "
                f"({len(match.mismatched)} such): {same_conf}, or pass --ignore_init_mismatch true "
                "to train those from scratch")
    if match.missing:
        return (f"{where}: {match.destination}.{match.missing[0]} of the model is not in {init.path} "
                f"(as {init.source_key(match.missing[0])}; {len(match.missing)} such, {len(match.loaded)} of "
                f"{match.total} would load): "
                f"{same_conf}, or pass --ignore_init_mismatch true to train those from scratch")
    if match.unexpected:
        return (f"{where}: {init.source_key(match.unexpected[0])} of {init.path} has no tensor in the "
                f"model's {match.destination} ({len(match.unexpected)} such): {same_conf}, or pass "
                "--ignore_init_mismatch true to leave them out")
    return None


def check_init_params_against(model: torch.nn.Module, init_params, ignore_mismatch: bool,
                              trust_pickle: bool = False) -> List[InitMatch]:
    """Check every ``--init_param`` against ``model``; log ``loaded N of M ...`` for each.

    Raises:
        InitParamError: nothing loads, or (unless ``ignore_mismatch``) a missing, extra or
            mismatched key; the message names the first one and the fix.
    """
    matches = []
    for spec in init_params or ():
        init = InitParam.parse(spec)
        match = match_init_param(init, model, read_source_state(init, trust_pickle))
        problem = refusal(match)
        if problem is not None and (not ignore_mismatch or not match.loaded):
            raise InitParamError(problem)
        logging.info(match.summary())
        skipped = match.skipped()
        if skipped:
            logging.warning(f"--ignore_init_mismatch true: {len(skipped)} tensor(s) of --init_param {spec} "
                            f"skipped (left as initialised): {'; '.join(skipped[:LISTED])}"
                            + (f"; ... and {len(skipped) - LISTED} more" if len(skipped) > LISTED else ""))
        matches.append(match)
    return matches


def request_init_check(args: argparse.Namespace, trust_pickle: bool) -> None:
    """Ask ``build_model`` to check ``args.init_param`` (training only, not statistics)."""
    if getattr(args, "init_param", None) and not getattr(args, "collect_stats", False):
        setattr(args, REQUEST, {"trust_pickle": bool(trust_pickle)})


def check_requested_init(args: argparse.Namespace, model: torch.nn.Module) -> None:
    """Run the check :func:`request_init_check` asked for on the model just built (once per
    ``args``: the request is removed, so ``config.yaml`` never records it)."""
    request = vars(args).pop(REQUEST, None)
    if request is not None:
        check_init_params_against(model, args.init_param, args.ignore_init_mismatch, request["trust_pickle"])
