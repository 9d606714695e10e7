"""AI sales-chat assistant for messengers."""

__version__ = "0.1.0"
