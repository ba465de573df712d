"""The one exception the runtime raises for problems the user can fix, and the one place that turns the
system's errors (a file that cannot be read or written, memory that runs out, onnxruntime's own) into it."""

import contextlib
import functools


class EdgeVAEError(Exception):
    """Bad input, a bad model file or an unwritable output; the message is one line."""

    def __init__(self, message: str):
        # The CLI prints the message as is, so keep it to a single line.
        super().__init__(" ".join(str(message).split()))


@contextlib.contextmanager
def reraised(message, *also: type[Exception]):
    """Turn OSError, MemoryError and the exception types `also` raised in the block into one EdgeVAEError:
    "message: reason", or `message(error)` when it is a function (built only when something failed)."""
    try:
        yield
    except (MemoryError, OSError, *also) as error:
        raise EdgeVAEError(message(error) if callable(message) else f"{message}: {reason(error)}") from None


def reason(error: BaseException) -> str:
    """What went wrong, in words: the system's message without its errno, or the exception's own."""
    if isinstance(error, MemoryError):
        return "not enough memory"
    return getattr(error, "strerror", None) or str(error) or type(error).__name__


@functools.cache
def onnxruntime_errors() -> tuple[type[Exception], ...]:
    """onnxruntime's exceptions: its C++ errors (Fail, InvalidArgument, InvalidProtobuf, ...: pybind classes
    with no common base but Exception) and the ValueError, TypeError and RuntimeError of its Python layer."""
    from onnxruntime.capi import onnxruntime_pybind11_state as state

    native = [kind for kind in vars(state).values() if isinstance(kind, type) and issubclass(kind, Exception)]
    return (*native, ValueError, TypeError, RuntimeError)
