import json
from django.test import Client
from tests.conftest import make_project, make_experiment

def show(r):
    print(r.status_code, dict(r.items()).get("Content-Type"), r.get("Allow"), r.content[:300])

def test_probe(ada, bob):
    p = make_project(ada.user)
    e = make_experiment(ada.user, p)
    c = Client(raise_request_exception=False)
    h = {"HTTP_AUTHORIZATION": f"Token {ada.key}"}
    show(c.get("/lab/openapi.json"))
    show(c.get("/lab/openapi.json", **h))
    show(c.delete("/lab/projects/", **h))
    show(c.put(f"/lab/projects/{p.pluto_id}/", **h))
    show(c.get("/lab/nothing/", **h))
    show(c.get("/lab/nothing", **h))
    show(c.get("/lab", **h))
    show(c.get("/lab/projects/?offset=99999999999999999999999", **h))
    show(c.get("/lab/projects/?is_archived=maybe", **h))
    show(c.get("/lab/projects/?limit=10001", **h))
    show(c.generic("GET", "/lab/projects/", json.dumps({"limit": 1}), content_type="application/json", **h))
    show(c.post("/lab/projects", json.dumps({"name": "x"}), content_type="application/json", **h))
    show(c.get(f"/lab/projects/PLXP１２３４５/", **h))
    show(c.get(f"/lab/experiments/{e.uuid}", **h))
    show(c.get(f"/lab/projects/{p.pluto_id}/members", **h))
    show(c.get(f"/lab/me", HTTP_AUTHORIZATION=f"Bearer {ada.key}"))
    show(c.get(f"/lab/me", headers={"authorization": f"token {ada.key}"}))
