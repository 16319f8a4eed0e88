"""Shared set-up for the ws_codec tests: makes ``codec_models`` importable."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
