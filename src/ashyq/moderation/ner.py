"""People's names found by a Russian named-entity model, beside the rules of redaction.py.

The model is slovnet's NER (news, v1) with the navec embeddings it reads; both are files inside the
natasha package (natasha/data/), installed from PyPI with the rest of the requirements, so nothing is
downloaded at run time and it works with the network closed. slovnet runs it with numpy alone.

It loads once per process (about 3 s and 60 MB) on the first text it reads, then costs about
15 milliseconds per appeal (benchmarks/redaction_bench.py measures it per appeal). ASHYQ_REDACTION_NER=0
turns it off; so does a missing package: the rules then work alone.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import os
from pathlib import Path

from threadpoolctl import threadpool_limits

log = logging.getLogger(__name__)

EMBEDDINGS = "data/emb/navec_news_v1_1B_250K_300d_100q.tar"
MODEL = "data/model/slovnet_ner_news_v1.tar"
# Longer texts are read in pieces of this many characters, cut at a line or sentence end.
PIECE = 2000


def enabled() -> bool:
    return os.environ.get("ASHYQ_REDACTION_NER", "1").strip().lower() not in ("0", "false", "no", "off")


def _package_dir() -> Path | None:
    # Located without importing natasha itself, whose import pulls in a morphology package we do not use.
    spec = importlib.util.find_spec("natasha")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


@functools.cache
def model():
    """The loaded NER model (once per process), or None when it is not installed."""
    try:
        from navec import Navec
        from slovnet import NER
    except ImportError:
        log.warning("slovnet/navec are not installed: names are found by rules alone")
        return None
    folder = _package_dir()
    if folder is None or not (folder / MODEL).exists():
        log.warning("the natasha package with its NER model is not installed: names are found by rules alone")
        return None
    ner = NER.load(str(folder / MODEL))
    ner.navec(Navec.load(str(folder / EMBEDDINGS)))
    return ner


def _pieces(text: str):
    start = 0
    while start < len(text):
        end = min(len(text), start + PIECE)
        if end < len(text):
            cut = max(text.rfind("\n", start, end), text.rfind(". ", start, end))
            if cut > start:
                end = cut + 1
        yield start, text[start:end]
        start = end


def people(text: str) -> list[tuple[int, int]]:
    """(start, end) of each span the model tags as a person."""
    if not enabled() or not text or not any(c.isalpha() for c in text):
        return []
    ner = model()
    if ner is None:
        return []
    found = []
    # One BLAS thread: the model's matrices are small, and on a busy two-core server several threads per
    # request made each appeal cost 250 ms instead of 15 (benchmarks/text_bench.py).
    with threadpool_limits(limits=1):
        for offset, piece in _pieces(text):
            for span in ner(piece).spans:
                if span.type == "PER":
                    found.append((offset + span.start, offset + span.stop))
    return found
