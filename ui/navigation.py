"""Which pages the navigation lists for whom: a page a person cannot use is not listed.

Each page of ``app_pages/`` needs one of the rights in ``PAGE_RIGHTS`` (none: every
visitor who may read). A page not listed stays reachable by its address (a bookmark, a
link in a briefing): it refuses there itself (``ui.session.require_actor``), exactly as
before, so hiding is convenience, never the check. Before signing in, the upload page
stays listed: it is where an official signs in to send figures.
"""

from __future__ import annotations

from zones import api

#: page (its file's name in app_pages/) -> rights of which one is needed to use it
PAGE_RIGHTS: dict[str, tuple[api.Right, ...]] = {
    "upload": (api.Right.SEND, api.Right.APPROVE),  # send figures, or approve weeks
    "boundaries": (api.Right.BOUNDARIES,),
    "audit": (api.Right.AUDIT,),
    "accounts": (api.Right.USERS,),
    "tokens": (api.Right.USERS,),
    "alerts": (api.Right.READ,),  # the signed-in user's own alerts
}
#: pages every reader uses (lists, maps) with a part that asks for a right (sending sites):
#: listed for all, the part refuses by itself
READ_AND_WRITE_PAGES = frozenset({"sites"})
#: pages listed before signing in although they need a right (where one signs in)
SIGN_IN_PAGES = frozenset({"upload"})


def usable(page: str, actor: api.Actor | None) -> bool:
    """Whether ``actor`` (None: not signed in) can use ``page``."""
    needs = PAGE_RIGHTS.get(page, ())
    if not needs:
        return True
    if actor is None:
        return page in SIGN_IN_PAGES
    return any(actor.can(right) for right in needs)


def visibility(page: str, actor: api.Actor | None) -> str:
    """``st.Page``'s visibility of ``page`` for ``actor``: listed or not (still routed)."""
    return "visible" if usable(page, actor) else "hidden"
