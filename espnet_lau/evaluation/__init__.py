"""Evaluation suite: translation scores, semantic preservation, parameter drift, results.

Modules (one concept each):

- ``kaldi_text``: reading ``uttid text`` files, id matching with explicit errors.
- ``translation``: BLEU / chrF / TER (sacrebleu), WER / CER (jiwer), per utterance too.
- ``clustering``: KMeans topic clustering scored by NMI, purity, ARI.
- ``similarity``: mean cosine between output and reference embeddings.
- ``keyword_recall``: keywords / accepted answers found in the output.
- ``prompts``, ``llm``, ``qa``, ``topic_label``: the LLM-QA protocol.
- ``semantic_eval``: the semantic measures gathered in one report.
- ``drift``: Total Parameter Drift between two checkpoints.
- ``results``: RESULTS.md table and plots against λ over several runs.
"""
