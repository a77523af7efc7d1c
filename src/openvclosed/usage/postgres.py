"""Usage straight from a LiteLLM proxy's PostgreSQL database (optional extra ``postgres``: psycopg 3).

The aggregation runs in the database (``usage.pushdown``): only sums per (group, UTC hour) come
back, in a read-only transaction, streamed in batches — memory does not grow with rows.

Tables and columns are LiteLLM's (``schema.prisma`` of BerriAI/litellm, the Prisma schema the
proxy migrates its database with):

- ``LiteLLM_SpendLogs`` (one row per request): ``startTime``, ``model``, ``prompt_tokens``,
  ``completion_tokens``, ``spend``; cached input in ``metadata`` (``usage_object``);
- the daily aggregates ``LiteLLM_Daily{User,Team,Organization,EndUser,Agent,Tag}Spend`` (one row per
  day x key x model ...): ``date`` (text, YYYY-MM-DD), ``model``, ``prompt_tokens``,
  ``completion_tokens``, ``cache_read_input_tokens``, ``api_requests``, ``spend``.

Credentials: libpq's own — ``PGHOST``/``PGUSER``/``PGPASSWORD``/... variables and the password file
(``~/.pgpass`` or ``PGPASSFILE``). A URL holding a password is refused (``ps`` shows command lines
to every user of the machine); the URL is printed masked (:func:`mask_url`).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl, urlsplit

from openvclosed.errors import InputError
from openvclosed.usage.pushdown import FETCH_ROWS, Fields, add_rows, aggregate_sql, optional
from openvclosed.usage.pushdown import first_line as _first_line, quote_ident as _q

__all__ = ["is_url", "mask_url", "check_url", "read_postgres", "SPEND_LOGS", "DAILY_TABLES"]

SPEND_LOGS = "LiteLLM_SpendLogs"
DAILY_TABLES = tuple(f"LiteLLM_Daily{k}Spend" for k in ("User", "Team", "Organization", "EndUser", "Agent", "Tag"))
_REQUIRED = {
    SPEND_LOGS: ("startTime", "model", "prompt_tokens", "completion_tokens"),
    "daily": ("date", "model", "prompt_tokens", "completion_tokens", "api_requests"),
}
CONNECT_TIMEOUT_S = 10


def is_url(s: str) -> bool:
    return s.startswith(("postgresql://", "postgres://"))


def mask_url(url: str) -> str:
    """The URL as printed: scheme, user, host, port and database; no password, no parameters.

    >>> mask_url("postgresql://ovc:secret@db.example:5432/litellm?sslmode=require")
    'postgresql://ovc:***@db.example:5432/litellm'
    >>> mask_url("postgresql:///litellm")
    'postgresql:///litellm'
    """
    try:
        u = urlsplit(url)
        host = u.hostname or ""
        port = f":{u.port}" if u.port else ""
        user = u.username or ""
    except ValueError:
        return "postgresql://(unreadable URL)"
    cred = f"{user}{':***' if u.password is not None else ''}@" if user or u.password is not None else ""
    return f"{u.scheme}://{cred}{host}{port}{u.path}"


def check_url(url: str) -> str:
    """``url`` ready for libpq; refuses one holding a password (say where to put it instead)."""
    try:
        u = urlsplit(url)
        u.port  # noqa: B018 - raises on a bad port
    except ValueError as e:
        raise InputError(f"{mask_url(url)}: not a PostgreSQL URL ({e})") from None
    params = dict(parse_qsl(u.query))
    if u.password is not None or "password" in params:
        raise InputError(f"{mask_url(url)}: the URL holds a password, and a command line is visible to every user "
                         "of this machine (ps); give the URL without it and put the password in PGPASSWORD or a "
                         "password file (~/.pgpass, or the file PGPASSFILE names: host:port:database:user:password)")
    return url.split("#", 1)[0]


def _psycopg():
    return optional("psycopg", "postgres", "reading a PostgreSQL database")



def _columns(cur, table: str) -> dict[str, str]:
    cur.execute("SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_name = %s AND table_schema = ANY(current_schemas(false))", (table,))
    return {name: typ for name, typ in cur.fetchall()}


def _litellm_tables(cur) -> list[str]:
    cur.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = ANY(current_schemas(false)) "
                "AND table_name LIKE 'LiteLLM%%' ORDER BY 1")
    return [r[0] for r in cur.fetchall()]


def _json_number(doc: str, path: str, kind: str) -> str:
    """The number at ``path`` (``{a,b}``) of a json/jsonb column; NULL unless a non-negative number
    (or a string holding one, as the Python reader accepts)."""
    v = f"({doc} #> '{path}')"
    text = f"({doc} #>> '{path}')"
    typeof = "jsonb_typeof" if kind == "jsonb" else "json_typeof"
    return (f"CASE {typeof}({v}) WHEN 'number' THEN CAST({text} AS DOUBLE PRECISION) "
            f"WHEN 'string' THEN CASE WHEN {text} ~ '^[0-9]+(\\.[0-9]*)?$' THEN CAST({text} AS DOUBLE PRECISION) END END")


def _fields(table: str, cols: dict[str, str], group_by: str, label: str) -> tuple[Fields, str, str]:
    """(field expressions, time column, its kind 'timestamp'|'timestamptz'|'date-text')."""
    daily = table != SPEND_LOGS
    need = _REQUIRED["daily" if daily else SPEND_LOGS]
    missing = [c for c in need if c not in cols]
    if missing:
        raise InputError(f"{label}: table {table} has no column{'s' if len(missing) > 1 else ''} "
                         f"{', '.join(missing)} (a LiteLLM schema of another version? ovc reads {', '.join(need)} "
                         f"as in LiteLLM's schema.prisma); columns found: {', '.join(sorted(cols)) or 'none'}")
    if group_by == "model":
        group, missing_group = _q("model"), None
    elif group_by in cols:
        group, missing_group = f"CAST({_q(group_by)} AS TEXT)", "(missing)"
    else:
        raise InputError(f"{label}: --group-by {group_by!r} is not a column of {table}; choose model or one of "
                         f"{', '.join(sorted(c for c in cols if c not in ('startTime', 'endTime', 'date')))}")
    model = None if group_by == "model" else _q("model")
    if daily:
        ts = f"CASE WHEN {_q('date')} ~ '^[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}$' THEN EXTRACT(EPOCH FROM CAST({_q('date')} AS DATE)) END"
        cached = _q("cache_read_input_tokens") if "cache_read_input_tokens" in cols else "0"
        f = Fields(ts=ts, group=group, input=_q("prompt_tokens"), output=_q("completion_tokens"), cached=cached,
                   requests=_q("api_requests"), cost=_q("spend") if "spend" in cols else "NULL",
                   missing_group=missing_group, model=model)
        return f, "date", "date-text"
    kind = "timestamptz" if "with time zone" in cols["startTime"] else "timestamp"
    cached = "0"
    if cols.get("metadata") in ("json", "jsonb"):
        kind_m = cols["metadata"]
        details = _json_number(_q("metadata"), "{usage_object,prompt_tokens_details,cached_tokens}", kind_m)
        read = _json_number(_q("metadata"), "{usage_object,cache_read_input_tokens}", kind_m)
        cached = f"COALESCE({details}, {read}, 0)"
    f = Fields(ts=f"EXTRACT(EPOCH FROM {_q('startTime')})", group=group, input=_q("prompt_tokens"),
               output=_q("completion_tokens"), cached=cached, requests="1",
               cost=_q("spend") if "spend" in cols else "NULL", missing_group=missing_group, model=model)
    return f, "startTime", kind


def _window(col: str, kind: str, since: dt.datetime | None, until: dt.datetime | None) -> tuple[str, list]:
    parts, params = [], []
    for op, when in ((">=", since), ("<", until)):
        if when is None:
            continue
        parts.append(f"{_q(col)} {op} %s")
        if kind == "date-text":
            params.append(when.strftime("%Y-%m-%d"))
        elif kind == "timestamp":  # LiteLLM writes UTC into timestamp without time zone
            params.append(when.astimezone(dt.timezone.utc).replace(tzinfo=None))
        else:
            params.append(when)
    return " AND ".join(parts) or "TRUE", params


def read_postgres(url: str, bins, report, *, table: str = SPEND_LOGS, group_by: str = "model",
                  since: dt.datetime | None = None, until: dt.datetime | None = None) -> None:
    """Aggregate ``table`` of the database at ``url`` into ``bins``; counts in ``report``."""
    label = mask_url(url)
    conninfo = check_url(url)
    if table != SPEND_LOGS and table not in DAILY_TABLES:
        raise InputError(f"--table: {table!r}; choose {SPEND_LOGS} or one of {', '.join(DAILY_TABLES)}")
    psycopg = _psycopg()
    report.format, report.preset = "postgresql", "litellm"
    try:
        conn = psycopg.connect(conninfo, connect_timeout=CONNECT_TIMEOUT_S, application_name="ovc usage")
    except psycopg.Error as e:
        raise InputError(f"{label}: cannot connect ({_first_line(e)}); the password comes from PGPASSWORD or "
                         "~/.pgpass (PGPASSFILE), host and user from the URL or PGHOST/PGUSER") from None
    try:
        conn.read_only = True
        with conn.cursor() as cur:
            cols = _columns(cur, table)
            if not cols:
                found = _litellm_tables(cur)
                raise InputError(f"{label}: no table {table} (LiteLLM tables here: {', '.join(found) or 'none'}; "
                                 f"choose one with --table)")
        fields, col, kind = _fields(table, cols, group_by, label)
        report.columns = {"timestamp": col, "model": "model", "input_tokens": "prompt_tokens",
                          "output_tokens": "completion_tokens"}
        where, params = _window(col, kind, since, until)
        sql = aggregate_sql(fields, _q(table), where)
        with conn.cursor() as cur:
            # the groups are few (model x hour): hash them instead of sorting every record; rows are
            # streamed (libpq single-row mode, which unlike a server-side cursor allows a parallel scan)
            cur.execute("SET LOCAL enable_sort = off")
            batch: list[tuple] = []
            for row in cur.stream(sql, params):
                batch.append(row)
                if len(batch) >= FETCH_ROWS:
                    add_rows(bins, report, batch)
                    batch = []
            add_rows(bins, report, batch)
    except psycopg.Error as e:
        raise InputError(f"{label}: query on {table} failed ({_first_line(e)})") from None
    finally:
        conn.close()
