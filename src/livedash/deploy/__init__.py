"""Deploying livedash: rendering nginx.conf and supervisord.conf, scaling, draining, the demo."""
