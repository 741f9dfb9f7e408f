"""Pure domain model: standard library only, imports nothing else of simkyc."""
