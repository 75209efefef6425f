#!/usr/bin/env python3
"""Recipe stage 15: upload a packed model to the Hugging Face hub (optional).

Needs network access to the hub and a token (``HF_TOKEN`` or ``huggingface-cli login``);
without either it stops at once with a message that says so.
"""

import argparse
import logging
import os
import socket
import sys
from pathlib import Path

from espnet_lau.cli import setup_logging


def hub_reachable(host: str = "huggingface.co", port: int = 443, timeout: float = 3.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def main(cmd=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--zip", type=Path, required=True, help="the packed model zip")
    parser.add_argument("--repo", required=True, help="e.g. yourname/lau-st-bambara-fr")
    args = parser.parse_args(cmd)
    setup_logging()
    if os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false"):
        logging.error("HF_HUB_OFFLINE is set: unset it (path.sh sets it to 1) to upload")
        sys.exit(1)
    if not hub_reachable():
        logging.error("The Hugging Face hub is not reachable from this machine: upload "
                      f"{args.zip} from a machine with network access")
        sys.exit(1)
    from huggingface_hub import HfApi, get_token

    if not get_token():
        logging.error("No Hugging Face token: set HF_TOKEN or run `huggingface-cli login`")
        sys.exit(1)
    api = HfApi()
    api.create_repo(args.repo, exist_ok=True)
    api.upload_file(path_or_fileobj=str(args.zip), path_in_repo=args.zip.name, repo_id=args.repo)
    logging.info(f"Uploaded {args.zip} to https://huggingface.co/{args.repo}")


if __name__ == "__main__":
    main()
