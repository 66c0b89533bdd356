"""livedash: a live-data dashboard speaking the ESS live-data Kafka protocol."""

__version__ = "0.1.0"
