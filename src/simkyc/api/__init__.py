"""The HTTP API (FastAPI): thin routes over the application layer (:mod:`simkyc.services`)."""
