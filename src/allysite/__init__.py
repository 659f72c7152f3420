"""allysite: a static multilingual partner-profile website generator."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("allysite")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+source"
