"""simkyc: live identity verification and real-name registration for telecom operators."""

__version__ = "0.1.0"

__all__ = ["__version__"]
