"""turbogen: fast image generation with language models in the loop."""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("turbogen")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
