"""report.html in headless Chromium: every figure the report holds is drawn, and the page logs no error.

Debian's ``chromium`` and ``chromium-driver`` are used where they are installed (``make test`` installs
them as root); the paths are given to Selenium, so Selenium Manager never looks for a browser online.
"""

import pathlib

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

from report.outputs_report import OutputsReport
from report.report_section import Figure

CHROMIUM = pathlib.Path("/usr/bin/chromium")
CHROMEDRIVER = pathlib.Path("/usr/bin/chromedriver")

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.is_file() and CHROMEDRIVER.is_file()),
    reason=f"{CHROMIUM} or {CHROMEDRIVER} missing: the browser test is skipped "
    "(install them with: apt-get install chromium chromium-driver)",
)

# Per <img>: loaded, decoded, its natural size, and whether its bytes end with the PNG's IEND
# chunk. Chromium draws a PNG cut short inside its image data at full size (the rows it has),
# so only the missing end tells that figure from a whole one.
_INSPECT_IMAGES = """
const done = arguments[arguments.length - 1];
const prefix = "data:image/png;base64,";
const iend = "\\x00\\x00\\x00\\x00IEND\\xaeB`\\x82";
Promise.all(Array.from(document.images, async (image) => ({
  alt: image.alt,
  complete: image.complete,
  width: image.naturalWidth,
  height: image.naturalHeight,
  decoded: await image.decode().then(() => true, () => false),
  whole: image.src.startsWith(prefix) && atob(image.src.slice(prefix.length)).endsWith(iend),
}))).then(done, (error) => done(String(error)));
"""


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the module's pages (it takes a second or two to start)."""
    options = Options()
    options.binary_location = str(CHROMIUM)
    # As root (CI) Chromium runs only unsandboxed; a container's small /dev/shm would crash its tabs.
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_script_timeout(30)
    yield driver
    driver.quit()


def inspect_page(driver, page: pathlib.Path) -> tuple[list[dict], list[str], list[str]]:
    """Opens ``page`` and looks at every image on it.

    Returns:
        Each image's state (alt, complete, width, height, decoded, whole), the alt text of those
        not fully drawn, and the messages the page logged at error level.
    """
    driver.get_log("browser")  # drops what an earlier page logged
    driver.get(page.as_uri())
    images = driver.execute_async_script(_INSPECT_IMAGES)
    assert isinstance(images, list), images
    broken = [
        image["alt"]
        for image in images
        if not (image["complete"] and image["width"] > 0 and image["height"] > 0 and image["decoded"])
        or not image["whole"]
    ]
    errors = [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    return images, broken, errors


def _report(outputs: pathlib.Path) -> tuple[pathlib.Path, list[Figure]]:
    report = OutputsReport.collect(outputs)
    _, page = report.write()
    return page, [block for section in report.sections for block in section.blocks if isinstance(block, Figure)]


def test_every_figure_of_the_report_is_drawn_and_nothing_is_logged(browser, outputs_factory):
    page, figures = _report(outputs_factory())
    images, broken, errors = inspect_page(browser, page)
    assert len(figures) == 10
    assert [image["alt"] for image in images] == [figure.caption for figure in figures]
    assert broken == [] and errors == []
    # The charts are drawn at their size in pixels (the fixtures' 2 x 1.5 inches at 40 dpi).
    assert {(image["width"], image["height"]) for image in images[2:]} == {(80, 60)}


@pytest.mark.parametrize("kept", [40, 0.5], ids=["header-only", "image-data-cut"])
def test_a_truncated_png_is_reported_as_that_figure(browser, outputs_factory, kept):
    outputs = outputs_factory("kws", "abx")
    chart = outputs / "kws" / "training_curves.png"
    data = chart.read_bytes()
    chart.write_bytes(data[: kept if isinstance(kept, int) else int(len(data) * kept)])
    page, figures = _report(outputs)
    images, broken, errors = inspect_page(browser, page)
    assert len(images) == len(figures) == 5
    assert broken == ["Training curves per row"]
    assert errors == []


def test_an_error_logged_by_the_page_is_reported(browser, outputs_factory, tmp_path):
    page, _ = _report(outputs_factory("abx"))
    spoilt = tmp_path / "spoilt.html"
    spoilt.write_text(page.read_text().replace("</body>", '<script>console.error("figure missing")</script></body>'))
    _, broken, errors = inspect_page(browser, spoilt)
    assert broken == []
    assert len(errors) == 1 and "figure missing" in errors[0]
