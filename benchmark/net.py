import socket
from urllib.parse import urlparse


def reachable(url: str, default_port: int = 6379) -> bool:
    """Whether something listens at a broker or database URL's host and port."""
    parts = urlparse(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or default_port), timeout=1):
            return True
    except OSError:
        return False
