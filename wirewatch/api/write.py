"""The one write endpoint: ``POST /api/articles`` (only with a bearer token given at start)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, Field, field_validator

from wirewatch.api.state import ServerState, server_state
from wirewatch.limits import MAX_ARTICLE_CHARS

router = APIRouter(prefix="/api")


class ArticleIn(BaseModel):
    """An article to analyse and store."""

    # the length limit is checked in the endpoint: over it is a 413 (too large), not a 422
    text: str = Field(
        min_length=1, description=f"the article body (plain text, at most {MAX_ARTICLE_CHARS:,} characters)",
        json_schema_extra={"maxLength": MAX_ARTICLE_CHARS},
    )
    url: str | None = Field(default=None, max_length=4000)
    title: str | None = Field(default=None, max_length=2000)
    source: str | None = Field(default=None, max_length=500, description="outlet name")
    published: date | None = Field(default=None, description="YYYY-MM-DD; resolves relative dates")

    @field_validator("text", "url", "title", "source")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        if value is not None and "\x00" in value:
            raise ValueError("contains a NUL character (U+0000); remove it")
        return value


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
    from wirewatch.ingest.identity import article_id
    from wirewatch.records import Article

    if len(body.text) > MAX_ARTICLE_CHARS:
        raise HTTPException(
            413, f"article text is {len(body.text):,} characters; the limit is {MAX_ARTICLE_CHARS:,} "
            "(split the article)",
        )
    if not body.text.strip():
        from wirewatch.errors import UserError

        raise UserError("article text is empty")
    aid = article_id(body.text, body.url)
    if state.write("has_article", aid):
        response.status_code = 200
        return {"ok": True, "created": False, "article_id": aid, "events": []}
    article = Article(
        id=aid, text=body.text, url=body.url, title=body.title, source=body.source,
        published=body.published, origin="api",
    )
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
