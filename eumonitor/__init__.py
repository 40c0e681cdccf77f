"""eumonitor: collect EU funding calls, match them to a city's themes, and send weekly digests."""

__version__ = "0.1.0"
