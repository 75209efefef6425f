"""Speech synthesis with espeak-ng and sox: text → 16 kHz mono 16-bit wav files.

There is no Bambara voice in espeak-ng; the Swahili voice (``sw``) reading Bambara text
transliterated by :func:`transliterate_for_espeak` is the closest stand-in. A speaker is a
:class:`Voice`: an espeak-ng voice with a variant (``sw+m3``, ``sw+f2``, ``sw+klatt``…), a
pitch (``-p``) and a speed in words per minute (``-s``).

Each utterance runs ``espeak-ng … --stdin --stdout`` and pipes the wav through
``sox -D - -r 16000 -c 1 -b 16`` (no dither, so the output is bit-exact for a
given input) into a temporary file that is then renamed into place. The temporary files
of one :meth:`EspeakSynthesizer.synthesize` call are in one hidden folder of the wav
folder (:func:`~espnet_lau.utils.fileio.scratch_dir`), removed however the call ends: an
error, Ctrl-C or SIGTERM.
:meth:`EspeakSynthesizer.synthesize` runs ``nj`` of these pipelines at a time (threads
driving the external processes, which do the work) and skips files whose
:class:`~espnet_lau.data.wav_manifest.WavManifest` key (text, voice, rate, tool versions)
is unchanged, so a re-run costs nothing.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from tqdm import tqdm

from espnet_lau.data.wav_manifest import WavManifest
from espnet_lau.utils.fileio import atomic_output_path, scratch_dir

_ESPEAK_TRANSLITERATION = {"ɛ": "e", "Ɛ": "E", "ɔ": "o", "Ɔ": "O", "ɲ": "ny", "Ɲ": "Ny", "ŋ": "ng", "Ŋ": "Ng"}


def transliterate_for_espeak(text: str) -> str:
    """Map Bambara letters to what the Swahili voice reads best: ɛ→e ɔ→o ɲ→ny ŋ→ng."""
    return "".join(_ESPEAK_TRANSLITERATION.get(c, c) for c in text)


class SynthesisError(RuntimeError):
    """espeak-ng or sox failed for one utterance; the message names it and the command."""


def run_tool(cmd: List[str], uttid: str, stdin: Optional[bytes] = None,
             timeout: Optional[float] = None) -> bytes:
    """Run an audio tool for one utterance; its stdout, or an error naming the utterance.

    Raises:
        SynthesisError: the command could not run or exited non-zero (stderr included).
    """
    try:
        out = subprocess.run(cmd, input=stdin, capture_output=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise SynthesisError(f"utterance {uttid}: {' '.join(cmd)} failed: {e}") from e
    if out.returncode != 0:
        stderr = out.stderr.decode("utf-8", "replace").strip()
        raise SynthesisError(
            f"utterance {uttid}: {' '.join(cmd)} exited with status {out.returncode}: {stderr}"
        )
    return out.stdout


def sox_to_wav(src: str, dst: Path, uttid: str, sample_rate: int = 16000,
               effects: Sequence[str] = ()) -> None:
    """Convert ``src`` to a 16-bit mono wav at ``sample_rate`` (plus sox ``effects``), atomically."""
    with atomic_output_path(dst, suffix=".wav") as tmp:
        run_tool(["sox", "-D", str(src), "-r", str(sample_rate), "-c", "1", "-b", "16", str(tmp),
                  *effects], uttid)


@dataclasses.dataclass(frozen=True)
class Voice:
    """An espeak-ng speaker.

    Attributes:
        name: espeak-ng voice with optional variant, e.g. ``"sw+m3"``.
        pitch: ``-p`` (0–99, default 50).
        speed: ``-s`` in words per minute (default 175).
    """

    name: str
    pitch: int = 50
    speed: int = 175

    def espeak_args(self) -> List[str]:
        return ["-v", self.name, "-p", str(self.pitch), "-s", str(self.speed)]


@dataclasses.dataclass(frozen=True)
class SynthesisJob:
    """One utterance to synthesise: ``text`` is passed to espeak-ng as is."""

    uttid: str
    text: str
    voice: Voice


@dataclasses.dataclass
class SynthesisReport:
    """Counts from one :meth:`EspeakSynthesizer.synthesize` call."""

    synthesized: int = 0
    skipped: int = 0


def _tool_version(cmd: Sequence[str]) -> str:
    try:
        out = subprocess.run(list(cmd), capture_output=True, text=True, timeout=30)
    except OSError as e:
        raise SynthesisError(f"cannot run {' '.join(cmd)!r}: {e}") from e
    return (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else ""


class EspeakSynthesizer:
    """Synthesise utterances into ``<wav_dir>/<uttid>.wav``.

    Args:
        sample_rate: output sampling rate (Hz).
        nj: number of espeak-ng/sox pipelines running at once.
        espeak: espeak-ng executable.
        sox: sox executable.
        timeout: seconds allowed per command.
        progress: show a progress bar on stderr.
    """

    def __init__(
        self,
        sample_rate: int = 16000,
        nj: int = 1,
        espeak: str = "espeak-ng",
        sox: str = "sox",
        timeout: float = 120.0,
        progress: bool = True,
    ):
        for tool in (espeak, sox):
            if shutil.which(tool) is None:
                raise SynthesisError(f"{tool!r} not found on PATH (install espeak-ng and sox)")
        self.sample_rate = int(sample_rate)
        self.nj = max(1, int(nj))
        self.espeak = espeak
        self.sox = sox
        self.timeout = timeout
        self.progress = progress
        self.tool_versions = _tool_version([espeak, "--version"]) + " | " + _tool_version([sox, "--version"])

    def espeak_command(self, job: SynthesisJob) -> List[str]:
        return [self.espeak, *job.voice.espeak_args(), "--stdin", "--stdout"]

    def sox_command(self, output: str) -> List[str]:
        return [
            self.sox, "-V1", "-D", "-t", "wav", "-", "-r", str(self.sample_rate), "-c", "1", "-b", "16",
            "-e", "signed-integer", "-t", "wav", output,
        ]

    def key(self, job: SynthesisJob) -> str:
        """A hash of everything that determines the output file."""
        spec = {
            "text": job.text,
            "voice": dataclasses.asdict(job.voice),
            "sample_rate": self.sample_rate,
            "tools": self.tool_versions,
            "pipeline": self.espeak_command(job)[1:] + self.sox_command("OUT")[1:],
        }
        return hashlib.sha1(json.dumps(spec, sort_keys=True).encode("utf-8")).hexdigest()

    def synthesize_one(self, job: SynthesisJob, wav_path: Path, tmp_dir: Optional[Path] = None) -> None:
        """Run espeak-ng | sox for one utterance, writing ``wav_path`` atomically (its
        temporary file in ``tmp_dir``, default: beside it).

        Raises:
            SynthesisError: naming the utterance, the failing command and its stderr.
        """
        espeak_cmd = self.espeak_command(job)
        audio = self._run(espeak_cmd, job.text.encode("utf-8"), job.uttid)
        if len(audio) <= 44:
            raise SynthesisError(
                f"utterance {job.uttid}: {' '.join(espeak_cmd)} produced no audio for {job.text!r}"
            )
        with atomic_output_path(wav_path, suffix=".wav", tmp_dir=tmp_dir) as tmp:
            self._run(self.sox_command(str(tmp)), audio, job.uttid)

    def _run(self, cmd: List[str], stdin: bytes, uttid: str) -> bytes:
        return run_tool(cmd, uttid, stdin=stdin, timeout=self.timeout)

    def synthesize(self, jobs: Sequence[SynthesisJob], wav_dir: Path, desc: str = "synthesis") -> Dict[str, Path]:
        """Synthesise every job into ``wav_dir``, skipping up-to-date files.

        Returns:
            ``{uttid: absolute wav path}`` for every job.
        """
        wav_dir = Path(wav_dir).absolute()
        manifest = WavManifest(wav_dir)
        keys = {job.uttid: self.key(job) for job in jobs}
        todo = [job for job in jobs if not manifest.is_current(job.uttid, keys[job.uttid])]
        report = SynthesisReport(synthesized=len(todo), skipped=len(jobs) - len(todo))
        with scratch_dir(wav_dir, prefix=".synthesis-") as tmp_dir:
            pool = ThreadPoolExecutor(max_workers=self.nj)
            try:
                with tqdm(
                    total=len(todo), desc=desc, unit="utt", disable=not self.progress or not todo,
                    mininterval=1.0,
                ) as bar:
                    futures = {pool.submit(self.synthesize_one, job, manifest.wav_path(job.uttid), tmp_dir): job
                               for job in todo}
                    for future in as_completed(futures):
                        job = futures[future]
                        future.result()  # re-raises SynthesisError for this utterance
                        manifest.update(job.uttid, keys[job.uttid])
                        bar.update(1)
            finally:
                # On an error, queued jobs are dropped; finished ones stay recorded.
                pool.shutdown(wait=True, cancel_futures=True)
                manifest.save()
        logging.info("%s: %d synthesised, %d up to date", desc, report.synthesized, report.skipped)
        return {job.uttid: manifest.wav_path(job.uttid) for job in jobs}
