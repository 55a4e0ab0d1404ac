"""A plot's page: the figure, display options, results table, downloads, Methods, frames."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client

from pluto.server.analyses.models import Analysis, Display
from pluto.server.analyses.plots import save_external_plot
from pluto.server.files.services import attach_file
from pluto.server.lab.models import Experiment
from pluto.server.web.vendor import plotly_url
from tests.conftest import Caller
from tests.downloads import fetch_url
from tests.web.conftest import html, run_pca, signed_in


@pytest.fixture
def pca(ada: Caller, with_data: Experiment) -> Analysis:
    return run_pca(ada.user, with_data)


def plot_path(analysis: Analysis) -> str:
    return f"/experiments/{analysis.experiment.pluto_id}/plots/{analysis.plot.uuid}/"


def test_a_complete_plot_shows_figure_display_form_and_results(ada: Caller, pca: Analysis) -> None:
    page = html(signed_in(ada.user).get(plot_path(pca)))

    assert pca.status == "complete"
    assert (
        f'data-figure-url="/lab/experiments/{pca.experiment.pluto_id}/plots/{pca.plot.uuid}/figure/"'
        in page
    )
    assert f'<script src="{plotly_url()}" defer></script>' in page
    assert 'id="display-form"' in page and 'name="color_by"' in page
    assert "Rows 1\u20136 of 6" in page and "image.png/" in page and "image.svg/" in page


def test_methods_hold_the_paragraph_the_plot_id_and_filled_snippets(
    ada: Caller, pca: Analysis
) -> None:
    page = html(signed_in(ada.user).get(plot_path(pca)))
    plx, plot_id = pca.experiment.pluto_id, str(pca.plot.uuid)

    assert pca.methods and pca.methods.split(".")[0] in page
    assert f'id="plot-id" readonly value="{plot_id}"' in page
    assert "source(url(&quot;http://testserver/sdk/pluto.R&quot;))" in page
    assert (
        f"pluto_read(&quot;{plx}&quot;, &quot;results&quot;, plot_id = &quot;{plot_id}&quot;)"
        in page
    )
    assert f"pluto.read(&quot;{plx}&quot;, &quot;results&quot;, &quot;{plot_id}&quot;)" in page
    assert f"http://testserver/lab/experiments/{plx}/plots/{plot_id}/data/" in page


def test_the_results_table_sorts_and_searches(ada: Caller, pca: Analysis) -> None:
    browser = signed_in(ada.user)

    sorted_page = html(browser.get(plot_path(pca) + "?sort=PC1&order=desc"))
    searched = html(browser.get(plot_path(pca) + "?q=s3"))

    values = [
        float(v)
        for v in re.findall(r'<tr><td>S\d</td><td class="num">([-\d.e+]+)</td>', sorted_page)
    ]
    assert values == sorted(values, reverse=True) and len(values) == 6
    assert "Rows 1\u20131 of 1 (filtered from 6)" in searched
    assert re.search(r'id="results-search" name="q" value="" placeholder="e.g. S\d"', sorted_page)


@pytest.mark.parametrize(("fmt", "magic"), [("csv", b"Sample_ID,PC1"), ("parquet", b"PAR1")])
def test_results_download_as_csv_and_parquet(
    ada: Caller, pca: Analysis, fmt: str, magic: bytes
) -> None:
    response = signed_in(ada.user).get(plot_path(pca) + f"results.{fmt}")
    body = fetch_url(response["Location"]).body

    assert response.status_code == 302
    assert body.startswith(magic)


def test_display_options_are_saved_without_a_new_run(ada: Caller, pca: Analysis) -> None:
    form = {"plot_title": "Samples by batch", "color_by": "batch", "x_label": "First"}

    response = signed_in(ada.user).post(plot_path(pca), form)

    display = Display.objects.get(plot=pca.plot)
    assert response.status_code == 302
    assert display.plot_title == "Samples by batch"
    assert display.options["color_by"] == "batch" and display.options["x_label"] == "First"
    assert Analysis.objects.count() == 1


def test_a_bad_display_option_is_shown(ada: Caller, pca: Analysis) -> None:
    response = signed_in(ada.user).post(plot_path(pca), {"plot_title": ""})

    assert response.status_code == 400
    assert "&#x27;plot_title&#x27; must be a non-empty text." in html(response)


def test_viewers_see_no_display_form_and_cannot_save(
    ada: Caller, bob: Caller, pca: Analysis, add_member: Callable[[Caller, str], None]
) -> None:
    add_member(bob, "viewer")
    browser = signed_in(bob.user)

    page = html(browser.get(plot_path(pca)))
    saved = browser.post(plot_path(pca), {"plot_title": "Mine"})

    assert 'id="display-form"' not in page and "Methods &amp; code" in page
    assert saved.status_code == 403
    assert Display.objects.get(plot=pca.plot).plot_title != "Mine"


def test_a_queued_plot_waits_and_polls(ada: Caller, with_data: Experiment) -> None:
    form = {"action": "run_analysis", "analysis_type": "principal_components"}
    location = signed_in(ada.user).post(f"/experiments/{with_data.pluto_id}/?tab=analysis", form)[
        "Location"
    ]

    page = html(signed_in(ada.user).get(location))

    assert "Waiting for a worker…" in page and 'id="plot-waiting"' in page
    assert "The methods text is written when the analysis finishes." in page


def test_strangers_get_not_found(bob: Caller, pca: Analysis) -> None:
    response = signed_in(bob.user).get(plot_path(pca), HTTP_ACCEPT="text/html")

    assert response.status_code == 404


def test_an_external_plot_is_shown_in_a_sandboxed_frame(
    ada: Caller, experiment: Experiment, tmp_path: Path
) -> None:
    page_file = attach_file(
        ada.user, experiment, "plot.html", b"<script>parent.document.title='x'</script>", "external"
    )
    plot = save_external_plot(
        ada.user,
        experiment,
        "owner",
        {"name": "From R", "display_file_id": str(page_file.uuid)},
        None,
    )

    page = html(signed_in(ada.user).get(f"/experiments/{experiment.pluto_id}/plots/{plot.uuid}/"))
    frame_src = re.search(r'<iframe class="frame" src="([^"]+)" sandbox="allow-scripts"', page)
    assert frame_src is not None
    framed = Client().get(frame_src.group(1))
    body = b"".join(framed.streaming_content)

    assert "allow-same-origin" not in page
    assert framed["Content-Security-Policy"].startswith("sandbox allow-scripts;")
    assert "frame-ancestors 'self'" in framed["Content-Security-Policy"]
    assert framed["X-Frame-Options"] == "SAMEORIGIN"
    assert body == b"<script>parent.document.title='x'</script>"


def test_an_altered_frame_link_is_refused(ada: Caller, experiment: Experiment) -> None:
    response = Client().get("/plots/frame/not-a-token/")

    assert response.status_code == 403


def test_plotly_js_is_served_by_the_server(db: None) -> None:
    plain = Client().get(plotly_url())
    zipped = Client().get(plotly_url(), HTTP_ACCEPT_ENCODING="gzip")
    wrong = Client().get("/assets/plotly-0.0.0.min.js")

    assert plain.status_code == 200 and b"plotly" in plain.content[:2000].lower()
    assert zipped["Content-Encoding"] == "gzip" and len(zipped.content) < len(plain.content) / 2
    assert "immutable" in plain["Cache-Control"]
    assert wrong.status_code == 404


def test_gallery_lists_plots_with_status(ada: Caller, pca: Analysis) -> None:
    page = html(signed_in(ada.user).get(f"/experiments/{pca.experiment.pluto_id}/?tab=plots"))

    assert f'data-plot="{pca.plot.uuid}" data-status="complete"' in page
    assert "sample_scatter_plot.svg" in page
    assert "data-running" not in page


def test_the_gallery_polls_while_an_analysis_runs(ada: Caller, with_data: Experiment) -> None:
    signed_in(ada.user).post(
        f"/experiments/{with_data.pluto_id}/?tab=analysis",
        {"action": "run_analysis", "analysis_type": "principal_components"},
    )

    page = html(signed_in(ada.user).get(f"/experiments/{with_data.pluto_id}/?tab=plots"))

    assert "data-running" in page and 'data-status="pending"' in page
