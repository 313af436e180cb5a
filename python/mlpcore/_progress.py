"""Per-epoch progress of a fit with verbose=True: a tqdm bar when tqdm is installed,
else lines on standard error: the first epoch, then at most one a second, and the
last epoch run. ``unit`` names what is counted ("block" for
``mlpcore.distributed.Incremental``)."""

from __future__ import annotations

import sys
import time


class EpochProgress:
    def __init__(self, name: str, epochs: int, unit: str = "epoch"):
        self.name = name
        self.epochs = epochs
        self.unit = unit
        self.pending = None  # the last epoch's line, when it was not printed yet
        self.printed_at = None
        try:
            from tqdm.auto import tqdm
        except ImportError:
            self.bar = None
        else:
            self.bar = tqdm(total=epochs, desc=name, unit=unit, leave=True)

    def update(self, history: dict) -> None:
        fields = {"loss": f"{history['loss'][-1]:.4g}"}
        if history.get("val_score"):
            fields["val_score"] = f"{history['val_score'][-1]:.4f}"
        if "mistakes" in history:
            fields["mistakes"] = str(history["mistakes"][-1])
        if self.bar is not None:
            self.bar.set_postfix(fields, refresh=False)
            self.bar.update(1)
            return
        epoch = len(history["loss"])
        text = ", ".join(f"{k} {v}" for k, v in fields.items())
        self.pending = f"{self.name} {self.unit} {epoch}/{self.epochs}: {text}"
        now = time.monotonic()
        if self.printed_at is None or now - self.printed_at >= 1.0 or epoch == self.epochs:
            self._print(now)

    def _print(self, now: float) -> None:
        print(self.pending, file=sys.stderr, flush=True)
        self.pending, self.printed_at = None, now

    def close(self, reason: str | None = None) -> None:
        """Ends the report; reason says why the fit stopped before max_epochs."""
        if self.bar is not None:
            self.bar.close()
        elif self.pending is not None:  # the fit stopped early: its last epoch
            self._print(time.monotonic())
        if reason:
            print(f"{self.name} stopped: {reason}", file=sys.stderr, flush=True)
