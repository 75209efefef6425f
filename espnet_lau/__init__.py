"""espnet-lau: LAU semantic regularisation for ESPnet speech translation."""

__version__ = "0.1.0"
