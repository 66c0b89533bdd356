"""``livedash inspect``: decode and print livedata messages, for support staff."""
