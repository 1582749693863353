"""The demo request files are drawn from the demo model's training distribution: no drift on the demo."""

from __future__ import annotations

from pathlib import Path

from scoregate.adapters.files.demo import write_demo_file
from scoregate.app.paths import DEMO_MODEL, DEMO_MODELS_DIR
from scoregate.core.drift import DEFAULT_THRESHOLD, DriftMonitor
from scoregate.core.registry import load_version


def test_a_demo_file_shows_no_drift_against_the_models_training_data(tmp_path: Path) -> None:
    metadata = load_version(DEMO_MODELS_DIR / DEMO_MODEL / "1").metadata
    demo = write_demo_file(tmp_path / "DEMO.DAT", 10_000, with_features=True)
    monitor = DriftMonitor(metadata, window_rows=10_000)  # the core's default window
    monitor.observe(demo.features, list(metadata.feature_schema.names))
    psi = monitor.psi()
    assert len(psi) == 20
    # 0.1 is "stable" by the usual rule of thumb; the core warns above DEFAULT_THRESHOLD (0.2).
    drifting = {name: round(value, 3) for name, value in psi.items() if value >= 0.1}
    assert not drifting, f"demo features drift from the training data (core warns above {DEFAULT_THRESHOLD}): {drifting}"
