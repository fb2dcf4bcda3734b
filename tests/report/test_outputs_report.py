"""The report shows a section for every kind of output present, and none for those absent."""

import base64
import hashlib
import json
import re

import pytest

from report.outputs_report import OutputsReport
from report.report_error import ReportError

SECTIONS = {
    "pretraining": "Pretraining",
    "figures": "Pretraining",
    "kws": "Keyword spotting",
    "phone": "Phone probe",
    "speaker": "Speaker probe",
    "abx": "ABX",
    "extraction": "Feature extraction",
    "runs": "Runs",
    "logs": "Tracking",
    "mlflow": "Tracking",
}
ORDER = [
    "Pretraining",
    "Keyword spotting",
    "Phone probe",
    "Speaker probe",
    "ABX",
    "Feature extraction",
    "Runs",
    "Tracking",
]


def _markdown_sections(markdown):
    return re.findall(r"^## (.+)$", markdown, flags=re.MULTILINE)


def _markdown_images(markdown):
    return re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown)


def test_everything_present_is_reported_in_markdown_and_html(outputs_factory):
    outputs = outputs_factory()
    report = OutputsReport.collect(outputs)
    markdown_path, html_path = report.write()
    assert (markdown_path, html_path) == (outputs / "report.md", outputs / "report.html")
    markdown = markdown_path.read_text()
    html = html_path.read_text()

    assert _markdown_sections(markdown) == ORDER
    assert re.findall(r'<section id="[a-z-]+"><h2>(.+?)</h2>', html) == ORDER
    images = _markdown_images(markdown)
    assert images == [
        "plots/prediction_accuracy.png",
        "plots/loss.png",
        "kws/accuracy.png",
        "kws/training_curves.png",
        "kws/confusion_cpc_frozen.png",
        "kws/confusion_mfcc.png",
        "probes/phone/accuracy.png",
        "probes/phone/confusion_cpc.png",
        "probes/speaker/accuracy.png",
        "probes/abx/abx.png",
    ]
    embedded = re.findall(r'<img src="data:image/png;base64,([^"]+)"', html)
    assert [base64.b64decode(data) for data in embedded] == [(outputs / image).read_bytes() for image in images]
    assert 'src="plots/' not in html and "<link" not in html  # self-contained

    assert "| 1 | 0.610 | 0.580 | 6.4x |" in markdown
    assert "| 2 | 0.420 | 0.400 | 4.4x |" in markdown
    assert "4 epochs, 200 steps (6400 windows) in 61 s. Final loss: training 1.900, validation 2.050." in markdown
    assert "| resolved.hop | 256 |" in markdown
    assert "| model.encoder | seed |" in markdown and "| optimisation.lr | 0.001 |" in markdown
    assert "| row | representation | train accuracy | validation accuracy | test accuracy |" in markdown
    assert "| cpc_frozen | CPC (frozen) | 91.0 % | 87.4 % | 86.2 % |" in markdown
    assert "| row | description | train accuracy | test accuracy | paper's test accuracy |" in markdown
    assert "| cpc | c_t of gar.keras | 66.0 % | 64.2 % | 64.6 % |" in markdown
    assert "| mfcc | 13 MFCCs | 40.0 % | 39.0 % |  |" in markdown
    assert "Always answering the commonest training class scores 12.5 % on the test set." in markdown
    assert "| row | description | ABX error within speakers | ABX error across speakers |" in markdown
    assert "| cpc_c | c_t of gar.keras | 8.1 % | 12.4 % |" in markdown
    assert "| mfcc | 13 MFCCs | 10.0 % |  |" in markdown
    assert "![ABX error per row, within and across speakers](probes/abx/abx.png)" in markdown
    assert "Tables: `kws/results.md`, `kws/results.csv`." in markdown
    assert "<td>cpc_frozen</td><td>CPC (frozen)</td>" in html and '<td class="number">86.2 %</td>' in html

    for folder, name in (("", "pretraining"), ("kws", "kws"), ("probes/phone", "phone"), ("probes/speaker", "speaker")):
        record = json.loads((outputs / folder / "run.json").read_text())
        assert f"| command | `{name}.py --seed 3` |" in markdown
        assert f"| started | {record['started']} |" in markdown
    assert markdown.count("| status | completed |") == 5
    assert "### Feature extraction (`features/run.json`)" in markdown
    assert "| command | `python -m extract dev-clean features` |" in markdown
    extraction = markdown.split("## Feature extraction\n")[1].split("## Runs")[0]
    assert extraction.splitlines()[:17] == [
        "",
        "### `features/`",
        "",
        "| field | value |",
        "| --- | --- |",
        "| audio | `data/demo/LibriSpeech/dev-clean` |",
        "| model | `outputs/gar.keras` |",
        "| written | one `.npy` per audio file |",
        "| features | c |",
        "| files | 32 |",
        "| frames | 7436 |",
        "| dim | 40 |",
        "| hop | 256 samples (16 ms) |",
        "| audio length | 119.0 s |",
        "| wall time | 2.4 s |",
        "| real-time factor | 49x (audio seconds per wall second) |",
        "",
    ]
    assert "| seeds | seed 3 |" in markdown
    manifest = json.loads((outputs / "run.json").read_text())["data"][0]
    assert f"| data | `{manifest['manifest']}` sha256 {manifest['sha256'][:16]}… |" in markdown
    assert manifest["sha256"] == hashlib.sha256(b'{"split": "dev-clean"}\n').hexdigest()
    assert "| devices | CPU:0 |" in markdown
    assert f"`tensorboard --logdir {outputs / 'logs'}`" in markdown
    assert f"`mlflow ui --backend-store-uri sqlite:///{(outputs / 'mlruns' / 'mlflow.db').resolve()}`" in markdown


@pytest.mark.parametrize(
    "parts",
    [
        ("pretraining",),
        ("figures",),
        ("kws",),
        ("speaker", "runs"),
        ("abx",),
        ("extraction", "runs"),
        ("phone", "logs"),
        ("runs",),
        ("mlflow",),
    ],
)
def test_only_what_exists_is_reported(outputs_factory, parts):
    outputs = outputs_factory(*parts)
    markdown = OutputsReport.collect(outputs).markdown()
    expected = [title for title in ORDER if title in {SECTIONS[part] for part in parts}]
    assert _markdown_sections(markdown) == expected
    for image in _markdown_images(markdown):
        assert (outputs / image).is_file()
    assert ("Prediction accuracy per step" in markdown) == ("pretraining" in parts)
    assert ("plots/loss.png" in markdown) == ("figures" in parts)
    assert ("tensorboard --logdir" in markdown) == ("logs" in parts)
    assert ("mlflow ui" in markdown) == ("mlflow" in parts)
    assert ("Keyword spotting" in markdown) == ("kws" in parts)
    assert ("probe" in markdown.lower()) == bool({"phone", "speaker", "abx"} & set(parts))
    assert ("ABX error" in markdown) == ("abx" in parts)
    assert ("real-time factor" in markdown) == ("extraction" in parts)


def test_every_completed_extraction_folder_gets_a_table_and_other_run_records_none(outputs_factory):
    outputs = outputs_factory("extraction")
    layers = outputs / "layers"
    layers.mkdir()
    record = json.loads((outputs / "features" / "run.json").read_text())
    record["settings"]["layers"] = True
    record["extra"]["extraction"].update(features="c", dim=64, hop=8)
    (layers / "run.json").write_text(json.dumps(record))
    # A failed extraction holds no summary, and a folder of another command's record is no extraction.
    for name, extra in (
        ("failed", {"error": {"type": "ExtractionError", "message": "a.flac: corrupt"}}),
        ("other", {}),
    ):
        (outputs / name).mkdir()
        (outputs / name / "run.json").write_text(json.dumps({**record, "status": "failed", "extra": extra}))
    markdown = OutputsReport.collect(outputs).markdown()
    assert _markdown_sections(markdown) == ["Feature extraction", "Runs"]
    assert re.findall(r"^### (.+)$", markdown, flags=re.MULTILINE) == [
        "`features/`",
        "`layers/`",
        "Feature extraction (`features/run.json`)",
        "Feature extraction (`layers/run.json`)",
    ]
    assert "| written | one `.npz` of every layer's output per audio file (`layers.json`) |" in markdown
    assert "| hop | 8 samples (0.5 ms) |" in markdown


def test_an_extraction_record_of_the_wrong_shape_is_named(outputs_factory):
    outputs = outputs_factory("extraction")
    path = outputs / "features" / "run.json"
    record = json.loads(path.read_text())
    del record["extra"]["extraction"]["hop"]
    path.write_text(json.dumps(record))
    with pytest.raises(ReportError, match=rf"^{re.escape(str(path))}: not an extraction record \(KeyError: 'hop'\)$"):
        OutputsReport.collect(outputs)


def test_a_results_folder_without_results_json_shows_its_figures_only(outputs_factory):
    outputs = outputs_factory("kws")
    (outputs / "kws" / "results.json").unlink()
    markdown = OutputsReport.collect(outputs).markdown()
    assert "| row |" not in markdown
    assert "![Accuracy per row](kws/accuracy.png)" in markdown


def test_a_missing_or_empty_outputs_folder_is_an_error(tmp_path):
    with pytest.raises(ReportError, match=r"nowhere: no such folder$"):
        OutputsReport.collect(tmp_path / "nowhere")
    with pytest.raises(ReportError, match=r"no outputs to report"):
        OutputsReport.collect(tmp_path)
    (tmp_path / "notes.txt").write_text("unrelated")
    (tmp_path / "kws").mkdir()
    with pytest.raises(ReportError, match=r"no outputs to report"):
        OutputsReport.collect(tmp_path)
    assert not (tmp_path / "report.md").exists()


def test_an_unreadable_result_file_is_named(outputs_factory):
    outputs = outputs_factory("kws")
    (outputs / "kws" / "results.json").write_text("{ not json")
    with pytest.raises(ReportError, match=r"kws/results.json: not valid JSON \(.+ at line 1\)$"):
        OutputsReport.collect(outputs)
    outputs = outputs_factory("pretraining")
    (outputs / "metrics.json").write_text('{"epochs": 3}')
    with pytest.raises(ReportError, match=r"metrics.json: not a train.py metrics file \(KeyError: 'chance_accuracy'\)"):
        OutputsReport.collect(outputs)


def test_a_failed_run_shows_its_error(outputs_factory):
    outputs = outputs_factory("runs")
    record = json.loads((outputs / "run.json").read_text())
    record.update(status="failed", extra={"error": {"type": "TrainingDivergedError", "message": "loss is NaN"}})
    (outputs / "run.json").write_text(json.dumps(record))
    markdown = OutputsReport.collect(outputs).markdown()
    assert "| status | failed |" in markdown
    assert "| error | TrainingDivergedError: loss is NaN |" in markdown


def test_html_and_markdown_from_result_files_show_as_typed(outputs_factory):
    outputs = outputs_factory("kws")
    results = json.loads((outputs / "kws" / "results.json").read_text())
    results["rows"]["cpc_frozen"]["representation"] = '<img src=x onerror="alert(1)"> [click](javascript:alert(2)) *b*'
    (outputs / "kws" / "results.json").write_text(json.dumps(results))
    markdown_path, html_path = OutputsReport.collect(outputs).write()
    markdown, html = markdown_path.read_text(), html_path.read_text()
    assert '| cpc_frozen | \\<img src=x onerror="alert(1)"\\> \\[click\\](javascript:alert(2)) \\*b\\* |' in markdown
    assert not re.search(r"(?<!\\)<img", markdown) and "<img src=x" not in html
    assert '&lt;img src=x onerror="alert(1)"&gt;' in html


def test_only_regular_pngs_inside_the_outputs_folder_are_linked_and_embedded(outputs_factory, tmp_path):
    outputs = outputs_factory("kws", "figures")
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG\r\n\x1a\nnot yours")
    (outputs / "kws" / "zz_link.png").symlink_to(secret)
    (outputs / "plots" / "loss.png").unlink()
    (outputs / "plots" / "loss.png").symlink_to(secret)
    # A results folder that links out of the outputs folder.
    (tmp_path / "elsewhere" / "phone").mkdir(parents=True)
    (tmp_path / "elsewhere" / "phone" / "accuracy.png").write_bytes(secret.read_bytes())
    (outputs / "probes").symlink_to(tmp_path / "elsewhere")
    markdown_path, html_path = OutputsReport.collect(outputs).write()
    markdown, html = markdown_path.read_text(), html_path.read_text()
    assert base64.b64encode(secret.read_bytes()).decode() not in html
    assert _markdown_images(markdown) == [
        "plots/prediction_accuracy.png",
        *(f"kws/{name}.png" for name in ("accuracy", "training_curves", "confusion_cpc_frozen", "confusion_mfcc")),
    ]
