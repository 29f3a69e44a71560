"""The one write endpoint: ``POST /api/articles`` (only with a bearer token given at start)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, Field

from wirewatch.api.state import ServerState, server_state
from wirewatch.limits import MAX_TEXT_CHARS

router = APIRouter(prefix="/api")


class ArticleIn(BaseModel):
    """An article to analyse and store."""

    text: str = Field(min_length=1, description=f"the article body (plain text, at most {MAX_TEXT_CHARS:,} "
                      "characters: longer is a 413)")
    url: str | None = Field(default=None, max_length=4000)
    title: str | None = Field(default=None, max_length=2000)
    source: str | None = Field(default=None, max_length=500, description="outlet name")
    published: date | None = Field(default=None, description="YYYY-MM-DD; resolves relative dates")


def require_token(request: Request, state: Annotated[ServerState, Depends(server_state)]) -> ServerState:
    """Dependency: the caller must present the server's write token."""
    state.check_token(request)
    return state


@router.post(
    "/articles",
    status_code=201,
    summary="Analyse one article and store its events (needs 'Authorization: Bearer TOKEN')",
)
def add_article(
    body: ArticleIn, response: Response, state: Annotated[ServerState, Depends(require_token)]
) -> dict[str, Any]:
    from wirewatch.ingest.validate import TextTooLong, make_article

    meta = {"url": body.url, "title": body.title, "source": body.source, "published": body.published}
    try:  # the same checks as every reader (ingest/validate.py); other InputErrors are 400s
        article = make_article(body.text, meta, "api")
    except TextTooLong as exc:
        raise HTTPException(413, exc.reason) from None
    aid = article.id
    if state.write("has_article", aid):
        response.status_code = 200
        return {"ok": True, "created": False, "article_id": aid, "events": []}
    analyzed = state.analyze(article)
    created = bool(state.write("add_analyzed", analyzed))
    if not created:
        response.status_code = 200
    return {
        "ok": True,
        "created": created,
        "article_id": aid,
        "events": [ev.id for ev in analyzed.events] if created else [],
    }
