"""导办 assistant: grounded policy consultation for government service centres."""
__version__ = "0.1.0"
