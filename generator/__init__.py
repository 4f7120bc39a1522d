"""bangtin: a static-site generator for QR-linked public notice boards."""

__version__ = "0.1.0"
