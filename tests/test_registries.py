"""Each enumerated name has one registry, in the core: the package and the NumPy
twin (which never imports _core and so keeps its own copy) list the same names."""

import numpy as np

import mlpcore.kernels as K
import mlpcore.reference as R
from mlpcore import _core


def test_core_registries():
    assert _core.ACTIVATIONS == ("identity", "sign", "heaviside", "tanh", "sigmoid", "relu",
                                 "softplus")
    assert _core.LOSSES == ("cross_entropy", "squared_error", "perceptron")
    assert _core.SCHEDULES == ("constant", "invscaling")
    assert _core.OPTIMIZERS == ("sgd", "adam")


def test_kernels_use_the_core_registry():
    assert K.ACTIVATIONS is _core.ACTIVATIONS
    assert K.LOSSES is _core.LOSSES


def test_reference_twin_matches_the_core():
    assert R.ACTIVATIONS == _core.ACTIVATIONS
    assert R.LOSSES == _core.LOSSES
    assert R.OPTIMIZERS == _core.OPTIMIZERS


def test_every_registered_name_is_accepted():
    cfg = {"batch_size": 1, "learning_rate": 0.1}
    for loss in _core.LOSSES:
        for schedule in _core.SCHEDULES:
            config = _core.SgdConfig(loss=loss, schedule=schedule, **cfg)
            assert (config.loss, config.schedule) == (loss, schedule)
    for optimizer in _core.OPTIMIZERS:
        assert _core.SgdConfig(loss="squared_error", optimizer=optimizer, **cfg).optimizer == \
            optimizer
    for name in _core.ACTIVATIONS:
        assert K.activation_forward(name, np.full(3, 0.5)).shape == (3,)


def test_the_estimators_losses_and_schedules_are_the_core_registry():
    from mlpcore import _loss, estimators

    losses = {cls.name for cls in _loss.Loss.__subclasses__()}
    assert losses == set(_core.LOSSES)
    assert estimators._SGDModel._constraints["schedule"] == list(_core.SCHEDULES)
