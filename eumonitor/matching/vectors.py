"""The fitted matcher as plain data (arrays, JSON) in the archive's match_model row, and back; no pickle."""

from __future__ import annotations

import io
import json
from typing import Any, Protocol

import numpy as np
from scipy import sparse

from eumonitor.matching.score import Model
from eumonitor.matching.text import Vectorizer

# How scores are computed. A new version re-fits and re-scores every profile, so stored scores never mix two
# ways of scoring. 2: single words plus the profiles' phrases (no bigrams of everything); 3: safer stemming and
# the role boost; 4: (only because pickles named classes by module, which plain data no longer does).
MODEL_VERSION = 4
# How the state is laid out in match_model (which columns, which encodings); another layout is fitted anew.
# 2: keys as two parallel lists (1 had one [source, id] pair per row).
VECTORS_FORMAT = 2


class StateReader(Protocol):
    """What loading needs from the archive (eumonitor.store.Store has it)."""

    def model_state(self) -> dict[str, Any] | None: ...


def to_state(model: Model) -> dict[str, Any]:
    """The model as plain values: JSON for the texts, .npy and .npz bytes for the numbers."""
    return {
        "format": VECTORS_FORMAT,
        "model_version": MODEL_VERSION,
        "stamp": model.stamp,
        "fitted_rows": model.fitted_rows,
        "phrases": _json(sorted(model.analyzer.names.values())),
        "terms": _json(model.names().tolist()),
        # Two parallel lists, not one pair per row: zipping them back is several times faster than 50,000 lists.
        "keys": _json([[source for source, _ in model.keys], [external_id for _, external_id in model.keys]]),
        "hashes": _json(model.hashes),
        "programmes": _json(model.programmes),
        "idf": _npy(np.asarray(model.vectorizer.idf_)),
        # Uncompressed: at 50,000 calls compressing saves a third of the bytes but costs seconds per run.
        "matrix": _npz(model.matrix),
    }


def from_state(state: dict[str, Any] | None) -> Model | None:
    """The model back, or None when there is none, it is of another version or layout, or it does not add up."""
    if not state or state.get("format") != VECTORS_FORMAT or state.get("model_version") != MODEL_VERSION:
        return None
    try:
        terms = json.loads(state["terms"])
        sources, external_ids = json.loads(state["keys"])
        keys = list(zip(sources, external_ids, strict=True))
        hashes, programmes = json.loads(state["hashes"]), json.loads(state["programmes"])
        # allow_pickle=False (load_npz's default too): reading the archive never runs code from it.
        idf = np.load(io.BytesIO(state["idf"]), allow_pickle=False)
        matrix = sparse.load_npz(io.BytesIO(state["matrix"])).tocsr()
        vectorizer = Vectorizer.restored(json.loads(state["phrases"]), terms, idf)
    except (KeyError, TypeError, ValueError, OSError):
        return None  # unreadable: fitting again is always possible
    rows, cols = matrix.shape
    if not (rows == len(keys) == len(hashes) == len(programmes) and cols == len(terms) == idf.shape[0]):
        return None
    model = Model(vectorizer, keys, hashes, programmes, matrix, str(state["stamp"]), int(state["fitted_rows"]))
    model._names = np.asarray(terms, dtype=object)  # the terms by column are at hand: no need to rebuild them
    return model


def load_model(store: StateReader) -> Model | None:
    """The kept vectors, or None (then a match run fits everything again)."""
    return from_state(store.model_state())


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def _npz(matrix: sparse.csr_matrix) -> bytes:
    buffer = io.BytesIO()
    sparse.save_npz(buffer, matrix.tocsr(), compressed=False)
    return buffer.getvalue()
