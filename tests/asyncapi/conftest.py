import sys
from pathlib import Path

# Tests import the helpers beside them (pytest runs with --import-mode=importlib).
sys.path.insert(0, str(Path(__file__).resolve().parent))
