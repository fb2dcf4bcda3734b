"""Feature extraction speed (`python -m extract`) in audio seconds per wall second.

Synthesizes the demo LibriSpeech training split, links its FLAC files several times into one
folder (so the run lasts long enough to time), saves an untrained encoder + recurrent net of a
preset (`seed` by default) as `gar.keras` (the speed does not depend on the weights) and extracts z_t and c_t from the
folder at a few batch sizes, each several times. Prints the median real-time factor of each.

    python -m bench.extract                     # demo corpus linked 8 times, about 2.5 h
    python -m bench.extract --audio-dir ~/Data/LibriSpeech/dev-clean
    python -m bench.extract --encoder paper --copies 1 --batch-sizes 16
"""

import cli.tensorflow_environment

import argparse
import pathlib
import statistics
import subprocess
import sys
import tempfile

import keras

from bench.timing import machine
from extract.extraction_config import ExtractionConfig
from extract.feature_extraction import extract_features
from models.encoder_spec import resolve_encoder_spec
from models.preset_architecture import PresetArchitecture

REPO = pathlib.Path(__file__).resolve().parents[1]


def demo_audio(scratch: pathlib.Path, copies: int) -> pathlib.Path:
    """The demo training split's FLAC files, each linked ``copies`` times into one folder."""
    root = scratch / "LibriSpeech"
    subprocess.run(
        [sys.executable, "-m", "demo", "librispeech", str(root)],
        check=True,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    folder = scratch / "audio"
    for copy in range(copies):
        for flac in sorted((root / "train-clean-100").rglob("*.flac")):
            target = folder / f"copy{copy}" / flac.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(flac)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--audio-dir", type=pathlib.Path, help="audio to extract from (default: the demo corpus)")
    parser.add_argument("--copies", type=int, default=8, help="links of each demo file (default: %(default)s)")
    parser.add_argument("--batch-sizes", default="4,16", help="comma-separated (default: %(default)s)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (default: %(default)s)")
    parser.add_argument("--encoder", default="seed", help="the preset whose model extracts (default: %(default)s)")
    args = parser.parse_args()

    batch_sizes = [int(size) for size in args.batch_sizes.split(",")]
    factors, hours = {}, 0.0
    with tempfile.TemporaryDirectory() as scratch:
        scratch = pathlib.Path(scratch)
        audio_dir = args.audio_dir or demo_audio(scratch, args.copies)
        keras.utils.set_random_seed(0)
        spec = resolve_encoder_spec(args.encoder)
        model_path = scratch / "gar.keras"
        PresetArchitecture(spec, spec.default_ar, spec.default_ar_layers, spec.default_dim_c).build().save(model_path)
        for run in range(args.repeats):
            for features in ("z", "c"):
                for batch_size in batch_sizes:
                    config = ExtractionConfig(
                        audio_dir,
                        scratch / f"out-{features}-{batch_size}-{run}",
                        model_path,
                        features=features,
                        batch_size=batch_size,
                        show_progress=False,
                    )
                    summary = extract_features(config)
                    hours = summary.audio_seconds / 3600
                    factors.setdefault((features, batch_size), []).append(summary.real_time_factor)
                    print(
                        f"run {run + 1}: {features} batch {batch_size}: {summary.real_time_factor:.0f}x",
                        file=sys.stderr,
                    )

    print(f"machine: {machine()}")
    print(f"{args.encoder} encoder (untrained), {hours:.2f} h of audio, {args.repeats} runs per figure")
    print("| features | batch | real-time factor (median) | all runs |")
    print("|---|---|---|---|")
    for (features, batch_size), runs in factors.items():
        print(f"| {features} | {batch_size} | {statistics.median(runs):.0f}x | {', '.join(f'{f:.0f}' for f in runs)} |")


if __name__ == "__main__":
    main()
