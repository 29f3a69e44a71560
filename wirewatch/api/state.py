"""The server's handles on the store: read-only readers and one serialised writer."""

from __future__ import annotations

import gc
import hmac
import inspect
import threading
import time
from typing import TYPE_CHECKING, Any

from fastapi import HTTPException, Request
from sqlalchemy import event

from wirewatch.api.guard import DEADLINE

if TYPE_CHECKING:
    from wirewatch.pipeline import Pipeline
    from wirewatch.store import Store


def _read_only_on_connect(dbapi_conn: Any, _record: Any, dialect: str) -> None:
    cur = dbapi_conn.cursor()
    if dialect == "sqlite":
        cur.execute("PRAGMA query_only=ON")
    else:
        cur.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    cur.close()
    if dialect != "sqlite":
        dbapi_conn.commit()


def _past_deadline() -> int:
    """SQLite progress handler: non-zero (interrupt the statement) once the request's time is up."""
    deadline = DEADLINE.get()
    return 1 if deadline is not None and time.monotonic() > deadline else 0


def _time_limit_on_connect(dbapi_conn: Any, dialect: str, time_limit_ms: int) -> None:
    """Bound every statement on this connection: SQLite checks the request's deadline every 1,000
    virtual-machine steps; PostgreSQL gets ``statement_timeout`` (the whole limit; each transaction
    then lowers it to what is left of the request, see :func:`_remaining_on_begin`)."""
    if dialect == "sqlite":
        dbapi_conn.set_progress_handler(_past_deadline, 1000)
        return
    cur = dbapi_conn.cursor()
    cur.execute(f"SET statement_timeout = {int(time_limit_ms)}")
    cur.close()
    dbapi_conn.commit()


def _remaining_on_begin(conn: Any) -> None:
    """PostgreSQL: each read transaction gets what is left of the request's time
    (``SET LOCAL statement_timeout``), so the limit covers the whole request as on SQLite."""
    deadline = DEADLINE.get()
    if deadline is not None:
        left_ms = max(1, int((deadline - time.monotonic()) * 1000))
        conn.exec_driver_sql(f"SET LOCAL statement_timeout = {left_ms}")


def _open_store(url: str, read_only: bool, time_limit_ms: int = 0) -> Store:
    """Open the store; with ``read_only`` every connection it makes refuses writes
    (SQLite ``PRAGMA query_only``, PostgreSQL read-only session) and, with ``time_limit_ms`` > 0,
    stops any statement that runs past the request's time limit."""
    from wirewatch.store import Store

    if read_only and "read_only" in inspect.signature(Store.open).parameters:
        store = Store.open(url, read_only=True)
    else:
        store = Store.open(url)
        if read_only:
            dialect = store.engine.dialect.name
            event.listen(
                store.engine, "connect", lambda conn, rec: _read_only_on_connect(conn, rec, dialect)
            )
    if read_only and time_limit_ms > 0:
        dialect = store.engine.dialect.name
        event.listen(
            store.engine, "connect", lambda conn, rec: _time_limit_on_connect(conn, dialect, time_limit_ms)
        )
        if dialect == "postgresql":
            event.listen(store.engine, "begin", _remaining_on_begin)
    if read_only:
        store.engine.dispose()  # drop pooled connections opened before the hooks (migration check)
    return store


class ServerState:
    """What one ``create_app`` holds: the store URL, the readers, the single writer and the pipeline.

    The writable store is opened first (it creates and migrates the schema), then a separate read-only
    store serves every GET. All writes go through :meth:`write` under one lock, so there is exactly one
    writer per process (SQLite WAL lets the readers go on meanwhile).
    """

    def __init__(self, store_url: str, write_token: str | None, time_limit_ms: int = 0) -> None:
        self.store_url = store_url
        self.write_token = write_token or None
        self.time_limit_ms = time_limit_ms
        self._writer: Store | None = _open_store(store_url, read_only=False)
        self._reader: Store = _open_store(store_url, read_only=True, time_limit_ms=time_limit_ms)
        if self.write_token is None:  # read-only server: no writer kept open
            self._writer.close()
            self._writer = None
        self._write_lock = threading.Lock()
        self._pipeline_lock = threading.Lock()
        self._pipeline: Pipeline | None = None

    @property
    def writable(self) -> bool:
        return self.write_token is not None

    @property
    def reader(self) -> Store:
        return self._reader

    def pipeline(self) -> Pipeline:
        """The analysis pipeline, loaded on the first write (loading the model takes seconds)."""
        with self._pipeline_lock:
            if self._pipeline is None:
                from wirewatch.pipeline import Pipeline

                self._pipeline = Pipeline()
                gc.freeze()  # the model and gazetteer live as long as the server: collections skip them
            return self._pipeline

    def warm_up(self) -> threading.Thread | None:
        """On a writable server, load the pipeline in the background so the first POST is not slow."""
        if not self.writable:
            return None
        thread = threading.Thread(target=self.pipeline, name="wirewatch-pipeline-load", daemon=True)
        thread.start()
        return thread

    def analyze(self, article: Any) -> Any:
        """Run the pipeline on one article (serialised: the spaCy pipeline is shared)."""
        pipe = self.pipeline()
        with self._pipeline_lock:
            return pipe.analyze(article)

    def write(self, fn: str, *args: Any) -> Any:
        """Call ``writer_store.<fn>(*args)`` under the single-writer lock."""
        if self._writer is None:
            raise HTTPException(403, "this server is read-only: start it with a write token to add articles")
        with self._write_lock:
            return getattr(self._writer, fn)(*args)

    def check_token(self, request: Request) -> None:
        """403 when writes are disabled; 401 without a bearer token; 403 with a wrong one."""
        if self.write_token is None:
            raise HTTPException(403, "this server is read-only: start it with a write token to add articles")
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise HTTPException(
                401, "missing token: send 'Authorization: Bearer TOKEN'",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if not hmac.compare_digest(token.strip().encode(), self.write_token.encode()):
            raise HTTPException(403, "wrong token")

    def close(self) -> None:
        self._reader.close()
        if self._writer is not None:
            self._writer.close()
            self._writer = None


def server_state(request: Request) -> ServerState:
    """FastAPI dependency: the app's :class:`ServerState`."""
    return request.app.state.wirewatch
