"""unixhttp.py: HTTP to termijnd over its unix socket, for the tests that read the API."""
import http.client
import socket


class Connection(http.client.HTTPConnection):
    """http.client's connection, to the socket at path."""

    def __init__(self, path):
        super().__init__("localhost")
        self.socket_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(self.socket_path)
