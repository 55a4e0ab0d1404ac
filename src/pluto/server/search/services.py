"""Search across the projects and experiments a caller may see, best matches first.

On PostgreSQL the names, ids and descriptions are matched with full-text search (every word
of the query, each also as a prefix) and ranked with ``ts_rank``; names and ids weigh more
than descriptions, which weigh more than sample-table values. Elsewhere (SQLite) every word
must appear somewhere (case-insensitively) and results rank by where the words appeared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import CombinedExpression

from pluto.server.accounts.models import User
from pluto.server.errors import InvalidInput
from pluto.server.lab import permissions
from pluto.server.lab.models import Experiment, Project, ShareLevel
from pluto.server.lab.schemas import iso, reference_json, user_json
from pluto.server.pagination import PageRequest, page_of

EXPERIMENTS, PROJECTS = "experiments", "projects"
TYPES = (EXPERIMENTS, PROJECTS)
SHAREABLE, PUBLIC = "shareable", "public"
ACCESSES = (SHAREABLE, PUBLIC)
MAX_QUERY = 500
MAX_TERMS = 12
CONFIG = "english"
WORD = re.compile(r"[^\W_]+")
# How much a word found in each place counts on SQLite (names and ids first).
WEIGHTS = {"pluto_id": 8, "name": 8, "description": 4, "search_text__text": 2}


@dataclass(frozen=True)
class SearchRequest:
    """A validated search: the words, what to search, and how widely."""

    query: str
    terms: tuple[str, ...]
    type: str
    access: str


def clean_choice(params: Any, field: str, choices: tuple[str, ...]) -> str:
    """One of ``choices`` (the first when absent), or ``400`` naming the field.

    An empty value is refused rather than defaulted: ``access=`` is a mistake in the
    caller's script, and answering it with the widest access would hide that.
    """
    raw = params.get(field)
    if raw is None:
        return choices[0]
    if raw not in choices:
        allowed = " or ".join(repr(choice) for choice in choices)
        raise InvalidInput(
            f"'{field}' must be {allowed} (got {str(raw)[:40]!r}).",
            details={"field": field, "allowed": list(choices)},
        )
    return str(raw)


def clean_query(params: Any) -> tuple[str, tuple[str, ...]]:
    """The query text and its words; ``400`` naming ``query`` when it has none."""
    query = str(params.get("query") or params.get("q") or "").strip()
    if len(query) > MAX_QUERY:
        raise InvalidInput(
            f"'query' may be at most {MAX_QUERY} characters (got {len(query)}).",
            details={"field": "query"},
        )
    terms = tuple(dict.fromkeys(word.lower() for word in query.split()))[:MAX_TERMS]
    if not terms:
        raise InvalidInput(
            "'query' is required: the words to search for.", details={"field": "query"}
        )
    return query, terms


def search_request(params: Any) -> SearchRequest:
    """The search that the query parameters ask for."""
    query, terms = clean_query(params)
    return SearchRequest(
        query=query,
        terms=terms,
        type=clean_choice(params, "type", TYPES),
        access=clean_choice(params, "access", ACCESSES),
    )


def candidates(user: User, request: SearchRequest) -> QuerySet[Any]:
    """What the caller may see of the chosen type (unarchived), before matching."""
    if request.type == PROJECTS:
        projects = permissions.visible_projects(user).filter(is_archived=False)
        if request.access == PUBLIC:
            projects = projects.filter(share_level=ShareLevel.PUBLIC)
        return projects.select_related("owner")
    experiments = permissions.visible_experiments(user).filter(is_archived=False)
    if request.access == PUBLIC:
        experiments = experiments.filter(
            Q(share_level=ShareLevel.PUBLIC) | Q(project__share_level=ShareLevel.PUBLIC)
        )
    return experiments.select_related("project", "type", "organism", "owner", "search_text")


def fields_of(request: SearchRequest) -> list[str]:
    """The searched fields of the chosen type."""
    fields = ["pluto_id", "name", "description"]
    return [*fields, "search_text__text"] if request.type == EXPERIMENTS else fields


def full_text_query(terms: tuple[str, ...]) -> SearchQuery:
    """Every word of the query, each matching as a word or a word's beginning."""
    words = [word for term in terms for word in WORD.findall(term)]
    raw = " & ".join(f"{word}:*" for word in words[:MAX_TERMS]) or "''"
    return SearchQuery(raw, config=CONFIG, search_type="raw")


def full_text_vector(fields: list[str]) -> CombinedExpression | SearchVector:
    """The weighted document of each row: names and ids ``A``, descriptions ``B``, values ``C``."""
    weights = {"pluto_id": "A", "name": "A", "description": "B", "search_text__text": "C"}
    vectors = [SearchVector(field, config=CONFIG, weight=weights[field]) for field in fields]
    combined: CombinedExpression | SearchVector = vectors[0]
    for vector in vectors[1:]:
        combined = combined + vector
    return combined


def full_text_matches(rows: QuerySet[Any], request: SearchRequest) -> QuerySet[Any]:
    """PostgreSQL: rows whose document matches, best ranked first."""
    query = full_text_query(request.terms)
    vector = full_text_vector(fields_of(request))
    return (
        rows.annotate(search_document=vector)
        .filter(search_document=query)
        .annotate(search_rank=SearchRank(F("search_document"), query))
        .order_by("-search_rank", "-created_at", "-id")
    )


def term_score(term: str, fields: list[str]) -> Case:
    """Points for one word: the weight of the best place it appears in."""
    exact_id = When(pluto_id__iexact=term, then=Value(16))
    places = [When(**{f"{field}__icontains": term}, then=Value(WEIGHTS[field])) for field in fields]
    return Case(exact_id, *places, default=Value(0), output_field=IntegerField())


def portable_matches(rows: QuerySet[Any], request: SearchRequest) -> QuerySet[Any]:
    """Any database: rows holding every word somewhere, ranked by where the words are."""
    fields = fields_of(request)
    for term in request.terms:
        anywhere = Q()
        for field in fields:
            anywhere |= Q(**{f"{field}__icontains": term})
        rows = rows.filter(anywhere)
    score: Any = Value(0)
    for term in request.terms:
        score = score + term_score(term, fields)
    return rows.annotate(search_rank=score).order_by("-search_rank", "-created_at", "-id")


def matches(user: User, request: SearchRequest) -> QuerySet[Any]:
    """What the caller may see that matches the search, best matches first."""
    rows = candidates(user, request)
    if connection.vendor == "postgresql":
        return full_text_matches(rows, request)
    return portable_matches(rows, request)


def search(user: User, params: Any, page: PageRequest) -> dict[str, Any]:
    """``{count, items}``: one page of what the caller may see that matches ``params``."""
    request = search_request(params)
    count, rows = page_of(matches(user, request), page)
    return {"count": count, "items": [item_json(row, request.terms) for row in rows]}


def sample_text_of(experiment: Experiment) -> str:
    """The searchable sample-table text of an experiment ('' before any sample table)."""
    try:
        return str(experiment.search_text.text)
    except Experiment.search_text.RelatedObjectDoesNotExist:
        return ""


def matched_fields(row: Project | Experiment, terms: tuple[str, ...]) -> list[str]:
    """Where the words appear: ``pluto_id``, ``name``, ``description``, ``samples``."""
    places = {"pluto_id": row.pluto_id, "name": row.name, "description": row.description}
    if isinstance(row, Experiment):
        places["samples"] = sample_text_of(row)
    words = [word for term in terms for word in [term, *WORD.findall(term)]]
    return [
        place
        for place, text in places.items()
        if any(word in text.lower() for word in words if word)
    ]


def item_json(row: Project | Experiment, terms: tuple[str, ...]) -> dict[str, Any]:
    """One result: ``{type, uuid, pluto_id, name, description, ...}``."""
    item: dict[str, Any] = {
        "type": "experiment" if isinstance(row, Experiment) else "project",
        "uuid": str(row.uuid),
        "pluto_id": row.pluto_id,
        "name": row.name,
        "description": row.description,
        "share_level": row.share_level,
        "owner": user_json(row.owner),
        "created_at": iso(row.created_at),
        "updated_at": iso(row.updated_at),
        "rank": float(getattr(row, "search_rank", 0) or 0),
        "matched": matched_fields(row, terms),
    }
    if isinstance(row, Experiment):
        project = row.project
        item["project"] = {
            "uuid": str(project.uuid),
            "pluto_id": project.pluto_id,
            "name": project.name,
        }
        item["experiment_type"] = reference_json(row.type)
        item["organism"] = reference_json(row.organism)
    return item
