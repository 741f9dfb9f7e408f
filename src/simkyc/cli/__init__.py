"""The ``simkyc`` command line (Typer)."""
