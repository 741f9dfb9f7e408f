"""The API process's background work: record delivery, the retention purge, and
loading the models.

The loop is started by the app's lifespan when ``SIMKYC_DELIVERY_LOOP`` is on (the
default), stopped when the app shuts down. The first scheduled purge runs one minute
after start, then every ``policy.retention.purge_interval_seconds``. With
``SIMKYC_WARM_MODELS`` on (``simkyc serve``'s default) the models load in a background
thread as the app starts (``app.state.warming``, the thread; ``None`` when off).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from simkyc.adapters.sinks import build_sinks
from simkyc.services.outbox import BackgroundLoop
from simkyc.services.retention import purge


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    loop = None
    app.state.warming = (app.state.models.warm_in_background()
                         if app.state.settings.warm_models else None)
    if app.state.settings.delivery_loop:
        ctx = app.state.context
        loop = BackgroundLoop(ctx, build_sinks(ctx.policy),
                              purge=lambda: purge(ctx, actor=None))
        loop.start()
    try:
        yield
    finally:
        if loop is not None:
            loop.stop()


__all__ = ["lifespan"]
