"""A throwaway PostgreSQL cluster for tests and benchmarks: pytest-postgresql's process executor
(``PostgreSQLExecutor``: initdb, pg_ctl start/stop) pointed at Debian's binaries
(``/usr/lib/postgresql/N/bin``, package ``postgresql``).

PostgreSQL refuses to run as root; as root the cluster runs as the ``postgres`` user (``runuser``
wraps ``pg_ctl``) in a directory that user owns. Without binaries :func:`find_pg_ctl` returns None:
tests skip locally and fail under ``CI`` (``.ci/run`` installs the package).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path

LITELLM_SCHEMA = "BerriAI/litellm schema.prisma, model LiteLLM_SpendLogs (commit 029f645f1c81cbd6c6c48fbc8490d91da937066f)"

SPEND_LOGS_DDL = '''
CREATE TABLE "LiteLLM_SpendLogs" (
  "request_id" TEXT NOT NULL PRIMARY KEY,
  "call_type" TEXT NOT NULL,
  "api_key" TEXT NOT NULL DEFAULT '',
  "spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0,
  "total_tokens" INTEGER NOT NULL DEFAULT 0,
  "prompt_tokens" INTEGER NOT NULL DEFAULT 0,
  "completion_tokens" INTEGER NOT NULL DEFAULT 0,
  "startTime" TIMESTAMP(3) NOT NULL,
  "endTime" TIMESTAMP(3) NOT NULL,
  "request_duration_ms" INTEGER,
  "completionStartTime" TIMESTAMP(3),
  "model" TEXT NOT NULL DEFAULT '',
  "model_id" TEXT DEFAULT '',
  "model_group" TEXT DEFAULT '',
  "custom_llm_provider" TEXT DEFAULT '',
  "api_base" TEXT DEFAULT '',
  "user" TEXT DEFAULT '',
  "metadata" JSONB DEFAULT '{}',
  "cache_hit" TEXT DEFAULT '',
  "cache_key" TEXT DEFAULT '',
  "request_tags" JSONB DEFAULT '[]',
  "team_id" TEXT,
  "organization_id" TEXT,
  "end_user" TEXT,
  "requester_ip_address" TEXT,
  "messages" JSONB DEFAULT '{}',
  "response" JSONB DEFAULT '{}',
  "session_id" TEXT,
  "status" TEXT
);
CREATE INDEX "LiteLLM_SpendLogs_startTime_idx" ON "LiteLLM_SpendLogs"("startTime");
'''
"""LiteLLM_SpendLogs as Prisma migrates it (types: String TEXT, Int INTEGER, Float DOUBLE PRECISION,
DateTime TIMESTAMP(3), Json JSONB), columns as in :data:`LITELLM_SCHEMA` (the agent/MCP columns left out)."""

DAILY_TEAM_DDL = '''
CREATE TABLE "LiteLLM_DailyTeamSpend" (
  "id" TEXT NOT NULL PRIMARY KEY, "team_id" TEXT, "date" TEXT NOT NULL, "api_key" TEXT NOT NULL,
  "model" TEXT, "model_group" TEXT, "custom_llm_provider" TEXT, "mcp_namespaced_tool_name" TEXT, "endpoint" TEXT,
  "prompt_tokens" BIGINT NOT NULL DEFAULT 0, "completion_tokens" BIGINT NOT NULL DEFAULT 0,
  "cache_read_input_tokens" BIGINT NOT NULL DEFAULT 0, "cache_creation_input_tokens" BIGINT NOT NULL DEFAULT 0,
  "spend" DOUBLE PRECISION NOT NULL DEFAULT 0.0, "api_requests" BIGINT NOT NULL DEFAULT 0,
  "successful_requests" BIGINT NOT NULL DEFAULT 0, "failed_requests" BIGINT NOT NULL DEFAULT 0,
  "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP, "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP
);
'''


def find_pg_ctl() -> str | None:
    """The newest Debian ``pg_ctl`` (``/usr/lib/postgresql/N/bin/pg_ctl``), or None."""
    found = glob.glob("/usr/lib/postgresql/*/bin/pg_ctl")
    return max(found, key=lambda p: int(Path(p).parent.parent.name)) if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def cluster(pg_ctl: str):
    """Start a cluster (trust authentication on 127.0.0.1); yield the executor; stop and remove it."""
    from pytest_postgresql.executors import PostgreSQLExecutor

    base = Path(tempfile.mkdtemp(prefix="ovc-pg-"))
    executable = pg_ctl
    if os.geteuid() == 0:  # PostgreSQL will not run as root: run pg_ctl as the postgres user
        pw = pwd.getpwnam("postgres")
        os.chown(base, pw.pw_uid, pw.pw_gid)
        wrapper = Path(tempfile.mkdtemp(prefix="ovc-pgctl-")) / "pg_ctl"
        wrapper.write_text(f'#!/bin/sh\ncd /\nexec runuser -u postgres -- "{pg_ctl}" "$@"\n')
        wrapper.chmod(stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
        wrapper.parent.chmod(0o755)
        executable = str(wrapper)
    ex = PostgreSQLExecutor(executable=executable, host="127.0.0.1", port=_free_port(), datadir=str(base / "data"),
                            unixsocketdir=str(base), logfile=str(base / "postgresql.log"), startparams="-w",
                            dbname="litellm", user="postgres", timeout=120)
    try:
        ex.start()
        _wait_ready(ex)
        yield ex
    finally:
        try:
            ex.stop()
        finally:
            shutil.rmtree(base, ignore_errors=True)
            if executable != pg_ctl:
                shutil.rmtree(Path(executable).parent, ignore_errors=True)


def _wait_ready(ex, timeout_s: float = 180.0) -> None:
    """The port opens before the server accepts sessions ("the database system is starting up"):
    wait until a connection succeeds."""
    import time

    import psycopg

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            psycopg.connect(host=ex.host, port=ex.port, user=ex.user, dbname="postgres", connect_timeout=5).close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def create_database(ex, name: str) -> str:
    """Create database ``name``; its URL (no password: trust authentication)."""
    import psycopg

    with psycopg.connect(host=ex.host, port=ex.port, user=ex.user, dbname="postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}"')
        c.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql://{ex.user}@{ex.host}:{ex.port}/{name}"
