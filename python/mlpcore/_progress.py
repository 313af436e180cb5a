"""Per-epoch progress of a fit with verbose=True: a tqdm bar when tqdm is installed,
else one line per epoch on standard error."""

from __future__ import annotations

import sys


class EpochProgress:
    def __init__(self, name: str, epochs: int):
        self.name = name
        self.epochs = epochs
        try:
            from tqdm.auto import tqdm
        except ImportError:
            self.bar = None
        else:
            self.bar = tqdm(total=epochs, desc=name, unit="epoch", leave=True)

    def update(self, history: dict) -> None:
        fields = {"loss": f"{history['loss'][-1]:.4g}"}
        if history.get("val_score"):
            fields["val_score"] = f"{history['val_score'][-1]:.4f}"
        if "mistakes" in history:
            fields["mistakes"] = str(history["mistakes"][-1])
        if self.bar is not None:
            self.bar.set_postfix(fields, refresh=False)
            self.bar.update(1)
        else:
            epoch = len(history["loss"])
            text = ", ".join(f"{k} {v}" for k, v in fields.items())
            print(f"{self.name} epoch {epoch}/{self.epochs}: {text}", file=sys.stderr, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
