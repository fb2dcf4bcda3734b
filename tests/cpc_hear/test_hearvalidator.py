"""HEAR's own validator on `cpc_hear`, where it is installed.

hearvalidator 2021.0.6 (the last release) declares Requires-Python < 3.9 and imports torch, so
pip refuses it beside this project's Python 3.11 and it is in no requirements file; installed by
hand (``pip install --no-deps --ignore-requires-python hearvalidator==2021.0.6`` plus torch),
this test runs it. test_hear_api.py asserts the same contract without it.
"""

import pytest

validate = pytest.importorskip(
    "hearvalidator.validate",
    reason="hearvalidator not installed: 2021.0.6 needs Python < 3.9 and torch (test_hear_api.py checks its contract)",
)


@pytest.mark.parametrize("kind", ["gar", "genc"])
def test_hearvalidator_accepts_cpc_hear(hear_model_files, kind):
    validate.ValidateModel("cpc_hear", str(hear_model_files[kind]))()
