"""Face stage: detection, quality and 1:1 matching."""
