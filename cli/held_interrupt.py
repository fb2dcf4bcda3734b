"""Ctrl-C held back while a section runs that must not be cut halfway."""

import signal
import threading


class HeldInterrupt:
    """Notes Ctrl-C (SIGINT) inside a ``with`` block instead of raising it at a random bytecode.

    Inside the block a press only sets `pressed`; the block polls it and stops at a point of
    its own choosing (typically by raising `KeyboardInterrupt` itself, so that its cleanup runs
    with the press still held). On leaving, the previous handler comes back, and a press that
    the block did not turn into an exception is raised then, once the section is complete.

    A Python-level handler rather than a blocked signal mask: a mask is per thread, and a
    process with helper threads (an executor's, a queue's) takes the signal on any of them,
    while a Python handler always runs in the main thread. Outside the main thread no handler
    can be installed and the block runs unguarded, as the press never reaches it there anyway.
    """

    def __init__(self):
        self.pressed = False
        self._previous = None
        self._installed = False

    def _note(self, signum, frame) -> None:
        self.pressed = True

    def __enter__(self) -> "HeldInterrupt":
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._note)
            self._installed = True
        return self

    def __exit__(self, exc_type, exc, traceback) -> bool:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)
            self._installed = False
        if self.pressed and exc_type is None:
            raise KeyboardInterrupt
        return False
