"""The HTTP API (FastAPI). Depends inward on the workflow service and the stages."""
