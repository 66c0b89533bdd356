"""The System Status tab: dashboard workers, dashboard sessions and backend services."""

from .view import ServiceRegistryReader, SystemStatusView

__all__ = ["ServiceRegistryReader", "SystemStatusView"]
