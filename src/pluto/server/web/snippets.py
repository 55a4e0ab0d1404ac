"""Ready-to-paste code that fetches a plot's results, for the Methods window of a plot page."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Snippet:
    """One language's code, with the label of its tab."""

    language: str
    label: str
    code: str


def results_snippets(server: str, experiment_id: str, plot_id: str) -> list[Snippet]:
    """R, Python and curl, each reading this plot's results table from this server."""
    r_code = (
        f'source(url("{server}/sdk/pluto.R"))\n'
        "# Your API token, from the Account page (or set PLUTO_API_TOKEN in ~/.Renviron)\n"
        'Sys.setenv(PLUTO_API_TOKEN = "<your API token>")\n'
        f'results <- pluto_read("{experiment_id}", "results", plot_id = "{plot_id}")'
    )
    python_code = (
        "# export PLUTO_API_TOKEN=<your API token>\n"
        f"# export PLUTO_API_URL={server}\n"
        "import pluto\n\n"
        f'results = pluto.read("{experiment_id}", "results", "{plot_id}")'
    )
    curl_code = (
        "# export PLUTO_API_TOKEN=<your API token>\n"
        'curl -H "Authorization: Token $PLUTO_API_TOKEN" \\\n'
        f"  {server}/lab/experiments/{experiment_id}/plots/{plot_id}/data/"
    )
    return [
        Snippet("r", "R", r_code),
        Snippet("python", "Python", python_code),
        Snippet("curl", "curl", curl_code),
    ]
