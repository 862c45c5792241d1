"""Logging from rank 0 only: other ranks get no handler and propagate nothing."""

from __future__ import annotations

import logging
import sys


def setup_logging(comm, level: int = logging.INFO) -> logging.Logger:
    """Configure the ``anodemech`` logger for ``comm`` (messages on rank 0, to stderr)."""
    logger = logging.getLogger("anodemech")
    logger.handlers.clear()
    logger.propagate = False
    if comm.rank == 0:
        h = logging.StreamHandler(sys.stderr)
        h.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
        logger.addHandler(h)
        logger.setLevel(level)
    else:
        logger.addHandler(logging.NullHandler())
        logger.setLevel(logging.CRITICAL + 1)
    return logger
