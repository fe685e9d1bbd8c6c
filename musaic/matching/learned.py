"""The learned second stage's model at request time: loaded once per index build and process."""

from __future__ import annotations

import logging
import time
from typing import Any
from weakref import WeakKeyDictionary

import numpy as np
import numpy.typing as npt
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, scoped_session

from musaic.models import RankerModel

log = logging.getLogger(__name__)
FloatMatrix = npt.NDArray[np.float64]


class LearnedRanker:
    """A LightGBM booster and the feature names it was trained on, in column order."""

    def __init__(self, model: str, features: list[str]) -> None:
        import lightgbm  # imported here: only processes that rank with it pay for the import

        self.booster = lightgbm.Booster(model_str=model)
        self.features = list(features)

    def score(self, rows: FloatMatrix) -> FloatMatrix:
        """Return one score per row of features (higher is better)."""
        if rows.shape[0] == 0:
            return np.zeros(0)
        return np.asarray(self.booster.predict(rows, num_threads=1), dtype=np.float64)


# A build without a model is asked again this often: `musaic index train` (make run starts it in
# the background) stores a model for the build already serving, and processes pick it up.
RECHECK_SECONDS = 30.0

_CACHE: WeakKeyDictionary[Engine, tuple[int, LearnedRanker | None, float]] = WeakKeyDictionary()


def load_ranker(
    session: Session | scoped_session[Any], build_id: int | None, features: list[str]
) -> LearnedRanker | None:
    """Return the model stored with `build_id` if its features are `features`, else None.

    Cached per engine and build, so every request after the first reuses the loaded booster;
    a new active build (a rebuild swaps model and neighbours together) loads its own, and a
    build found without one is looked at again after RECHECK_SECONDS.
    """
    if build_id is None:
        return None
    engine = session.get_bind()
    cached = _CACHE.get(engine) if isinstance(engine, Engine) else None
    now = time.monotonic()
    stale = cached is not None and cached[1] is None and now - cached[2] >= RECHECK_SECONDS
    if cached is None or cached[0] != build_id or stale:
        cached = (build_id, _read(session, build_id), now)
        if isinstance(engine, Engine):
            _CACHE[engine] = cached
    ranker = cached[1]
    if ranker is not None and ranker.features != list(features):
        log.warning("ranker model of build %s takes other features; hybrid order", build_id)
        return None
    return ranker


def _read(session: Session | scoped_session[Any], build_id: int) -> LearnedRanker | None:
    """Load the model stored with `build_id`, if any."""
    row = session.execute(
        select(RankerModel.model, RankerModel.features).where(RankerModel.build_id == build_id)
    ).first()
    return None if row is None else LearnedRanker(row.model, list(row.features))
