"""The one exception the runtime raises for problems the user can fix, and the one place that turns the
system's errors (a file that cannot be read or written, memory that runs out) into it."""

import contextlib


class EdgeVAEError(Exception):
    """Bad input, a bad model file or an unwritable output; the message is one line."""

    def __init__(self, message: str):
        # The CLI prints the message as is, so keep it to a single line.
        super().__init__(" ".join(str(message).split()))


@contextlib.contextmanager
def reraised(message: str, *also: type[Exception]):
    """Turn OSError, MemoryError and the exception types `also` raised in the block into
    EdgeVAEError("message: reason")."""
    try:
        yield
    except MemoryError:
        raise EdgeVAEError(f"{message}: not enough memory") from None
    except (OSError, *also) as error:
        reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
        raise EdgeVAEError(f"{message}: {reason}") from None
