"""The refusal every analysis raises for input it will not take.

The interfaces (the API, the commands, background jobs) show such a refusal's message to the
user as it is, e.g. as an HTTP 400; any other exception is a fault of the program.
"""


class AnalysisRefusal(ValueError):
    """Input an analysis will not take; the message says why, for the user."""
