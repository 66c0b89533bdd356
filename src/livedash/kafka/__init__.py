"""Kafka access for livedash: settings, consumer, producer, topic admin and error mapping.

Everything that talks to librdkafka lives in this package, and every librdkafka error is
translated into the small hierarchy of :mod:`livedash.kafka.errors` before it leaves it.
:mod:`livedash.kafka.memory` is an in-memory stand-in with the same interface
(:mod:`livedash.kafka.transport`) for tests that need no broker.
"""
