import time

import pytest

from pretraining.elapsed_time_log import ElapsedTimeLog


def test_epoch_logs_get_the_seconds_since_the_given_start():
    log = ElapsedTimeLog(started=time.monotonic() - 42.0)
    logs = {"loss": 1.0}
    log.on_epoch_end(0, logs)
    assert logs["loss"] == 1.0
    assert logs["elapsed_seconds"] == pytest.approx(42.0, abs=1.0)
