"""The JSON shapes of search (names prefixed ``Search`` to stay unique in the API schema)."""

from __future__ import annotations

from ninja import Schema


class SearchUserOut(Schema):
    uuid: str
    first_name: str
    last_name: str
    email: str


class SearchProjectRef(Schema):
    uuid: str
    pluto_id: str
    name: str


class SearchReferenceOut(Schema):
    shortname: str
    display_name: str


class SearchItemOut(Schema):
    """A project or an experiment; ``matched`` says where the words were found."""

    type: str
    uuid: str
    pluto_id: str
    name: str
    description: str
    share_level: str
    owner: SearchUserOut
    created_at: str
    updated_at: str
    rank: float
    matched: list[str]
    project: SearchProjectRef | None = None
    experiment_type: SearchReferenceOut | None = None
    organism: SearchReferenceOut | None = None


class SearchPage(Schema):
    count: int
    items: list[SearchItemOut]
