"""QUALITY.md sections: each script rewrites its own and leaves the others alone."""

from bench.quality_file import update_section


def test_sections_are_added_then_replaced_in_place(tmp_path):
    path = tmp_path / "QUALITY.md"
    update_section(path, "kws-recipe", "## Recipe\n\nfirst")
    update_section(path, "quality-run", "## Run\n\nnumbers")
    update_section(path, "kws-recipe", "## Recipe\n\nsecond, with $1 and \\1 kept")
    text = path.read_text()
    assert text.startswith("# Quality\n")
    assert text.count("<!-- begin kws-recipe -->") == 1 and "first" not in text
    assert "<!-- begin kws-recipe -->\n## Recipe\n\nsecond, with $1 and \\1 kept\n<!-- end kws-recipe -->" in text
    assert text.index("kws-recipe") < text.index("quality-run")
    assert text.endswith("<!-- end quality-run -->\n")
    assert [entry.name for entry in tmp_path.iterdir()] == ["QUALITY.md"]


def test_text_outside_the_sections_is_kept(tmp_path):
    path = tmp_path / "QUALITY.md"
    path.write_text("# Quality\n\nA note by hand.\n\n<!-- begin run -->\nold\n<!-- end run -->\n\nTrailing note.\n")
    update_section(path, "run", "new")
    assert (
        path.read_text()
        == "# Quality\n\nA note by hand.\n\n<!-- begin run -->\nnew\n<!-- end run -->\n\nTrailing note.\n"
    )
