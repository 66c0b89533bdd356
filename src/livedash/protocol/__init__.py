"""The ESS live-data wire protocol: bytes in, models out. Knows nothing of Kafka or Panel."""
