"""The one exception the runtime raises for problems the user can fix."""


class EdgeVAEError(Exception):
    """Bad input, a bad model file or an unwritable output; the message is one line."""

    def __init__(self, message: str):
        # The CLI prints the message as is, so keep it to a single line.
        super().__init__(" ".join(str(message).split()))
