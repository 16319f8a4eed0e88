"""Version of this distribution (lockstep across all ws-kit distributions)."""

__version__ = "0.1.0"
