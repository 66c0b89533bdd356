"""The dashboard worker process: ``livedash serve``, its identity, heartbeat and health."""
