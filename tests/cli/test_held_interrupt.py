import signal
import threading

import pytest

from cli.held_interrupt import HeldInterrupt


def test_a_press_inside_is_noted_and_raised_on_leaving(ctrl_c):
    reached_the_end = False
    with pytest.raises(KeyboardInterrupt):
        with HeldInterrupt() as interrupt:
            assert not interrupt.pressed
            ctrl_c()
            assert interrupt.pressed
            reached_the_end = True
    assert reached_the_end
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_no_press_leaves_quietly_and_restores_the_handler(ctrl_c):
    with HeldInterrupt() as interrupt:
        assert signal.getsignal(signal.SIGINT) != signal.default_int_handler
    assert not interrupt.pressed
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_an_error_inside_is_not_replaced_by_the_held_press(ctrl_c):
    with pytest.raises(ValueError, match="the block's own error"):
        with HeldInterrupt():
            ctrl_c()
            raise ValueError("the block's own error")
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_outside_the_main_thread_it_installs_nothing(ctrl_c):
    seen = []

    def guarded():
        with HeldInterrupt() as interrupt:
            seen.append(signal.getsignal(signal.SIGINT))
        seen.append(interrupt.pressed)

    thread = threading.Thread(target=guarded)
    thread.start()
    thread.join()
    assert seen == [signal.default_int_handler, False]
