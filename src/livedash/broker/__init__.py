"""The embedded Kafka-compatible broker (Tansu) used by the demo and the tests."""
