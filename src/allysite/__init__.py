"""allysite: a static multilingual partner-profile website generator."""

__version__ = "0.1.0"
"""The one place the version is written (pyproject.toml reads it): importlib.metadata would
cost a build with nothing to do a fifth of its time."""
