"""Untrained seed-preset model files for the HEAR API tests."""

import keras
import pytest

from models.ar_model import ar_model
from models.context_model import context_model
from models.encoder_spec import resolve_encoder_spec
from models.genc_model import genc_model


@pytest.fixture(scope="session")
def hear_model_files(tmp_path_factory):
    """``{"gar": gar.keras, "genc": genc.h5}`` of the seed encoder (dim_z 40) and a GRU of 8 units."""
    folder = tmp_path_factory.mktemp("hear_models")
    keras.utils.set_random_seed(19)
    encoder = genc_model(resolve_encoder_spec("seed"))
    context_model(encoder, ar_model(40, 8)).save(folder / "gar.keras")
    encoder.save(folder / "genc.h5")
    return {"gar": folder / "gar.keras", "genc": folder / "genc.h5"}
