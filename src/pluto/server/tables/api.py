"""JSON endpoints of the tables app."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["tables"])
