"""References in the admin: administrators read them; only ``pluto reference add`` adds."""

from __future__ import annotations

from typing import Any

from pluto.server.pipelines.models import Reference


def test_administrators_see_references_but_cannot_add_change_or_delete_them(
    make_caller: Any, reference: Reference
) -> None:
    admin = make_caller("root")
    admin.user.is_staff = admin.user.is_superuser = True
    admin.user.save()
    admin.client.force_login(admin.user)
    base = "/admin/pipelines/reference/"

    listed = admin.client.get(base)
    shown = admin.client.get(f"{base}{reference.pk}/change/")
    add = admin.client.get(f"{base}add/")
    delete = admin.client.post(f"{base}{reference.pk}/delete/", {"post": "yes"})

    assert listed.status_code == 200 and "tiny" in listed.content.decode()
    assert shown.status_code == 200
    assert add.status_code == 403 and delete.status_code == 403
    assert Reference.objects.filter(pk=reference.pk).exists()
