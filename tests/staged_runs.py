"""Runs of the staged grid in the layout run_ablation.sh leaves, from real-format files:
ESPnet's Reporter in checkpoint.pth, hypotheses scored by the real score_st, by_epoch/ep<E>
copies of the test decoding, stage_times.tsv as lau_st.sh writes it."""

from pathlib import Path

from espnet_lau.bin import save_run_record, score_st
from test_plot_training import write_checkpoint

TAG = "decode_st_st_model_valid.acc.ave"
#: Training targets: the first sentence is the most frequent (4 of 10).
TRAIN = ["Il pleut à Bamako."] * 4 + [f"le marché {w} ouvre tôt" for w in ("un", "deux", "trois", "quatre", "cinq", "six")]
REFS = [f"le marché de la ville {w} ouvre demain matin à huit heures" for w in
        ("un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit")]
PERFECT = list(REFS)
POOR = [" ".join(r.split()[:3] + [r.split()[5]]) for r in REFS]  # 4 words, all different: low BLEU, no collapse
COLLAPSED = ["il pleut à bamako"] * len(REFS)  # one training target for every utterance
SECONDS = {"train": 50.0, "valid": 10.0}  # per epoch


def write_kaldi(path: Path, lines) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"utt{i:02d} {t}\n" for i, t in enumerate(lines)), encoding="utf-8")
    return path


def data_files(root: Path):
    """(training targets, test reference) as dump/raw has them."""
    return (write_kaldi(root / "dump/raw/train/text.lc.rm.fr", TRAIN),
            write_kaldi(root / "dump/raw/test/text.lc.rm.fr", REFS))


def decode(folder: Path, hyps, ref: Path) -> None:
    """<folder>/text and its score_bleu/, scored by score_st as stage 13 does."""
    write_kaldi(folder / "text", hyps)
    score_st.main(["--hyp", str(folder / "text"), "--ref", str(ref), "--outdir", str(folder / "score_bleu"),
                   "--log_level", "WARNING"])


def staged_run(exp: Path, hyps_by_epoch: dict, ref: Path, epochs: int = 12, extra=None) -> Path:
    """A run trained to ``epochs`` with a test decoding after each epoch of
    ``hyps_by_epoch`` ({E: hypotheses}) and the last one as the final decoding."""
    write_checkpoint(exp, epochs, stats=lambda e: {
        "train": {"loss": 20.0 / e, "loss_st": 18.0 / e, "acc": 0.04 * e, "train_time": 0.5},
        "valid": {"loss": 22.0 / e, "loss_st": 20.0 / e, "acc": 0.05 * e + 0.001 * len(exp.name)}},
        seconds=SECONDS, extra=extra)
    for e, hyps in hyps_by_epoch.items():
        decode(exp / "by_epoch" / f"ep{e}", hyps, ref)
    decode(exp / TAG / "test", hyps_by_epoch[max(hyps_by_epoch)], ref)
    (exp / "config.yaml").write_text("semantic_weight: 0.0\nsemantic_loss: mse\n")
    (exp / "stage_times.tsv").write_text(  # as lau_st.sh appends it: trained to 6, then resumed
        "stage\tseconds\tfinished\n11\t300\t2026-12-06T10:00:00\n12\t15\t2026-12-06T10:01:00\n"
        "13\t10\t2026-12-06T10:02:00\n11\t400\t2026-12-06T10:09:00\n12\t15\t2026-12-06T10:10:00\n"
        "13\t10\t2026-12-06T10:11:00\n")
    return exp


def record(exp: Path, train: Path, ref: Path, *extra: str) -> None:
    save_run_record.main(["--exp", str(exp), "--train_text", str(train), "--ref", str(ref),
                          "--log_level", "WARNING", *extra])
