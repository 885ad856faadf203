"""Configuration, read from the environment (FORUM_*).

Every variable is documented in README.md ("Configuration"). `Config` is the embedded default
(SQLite and a Whoosh index in the instance folder); `TestConfig` and `ProductionConfig` adjust it.

The settings live in the package, so that an installed forum (a wheel in site-packages) has them; the
repository's top-level `config.py` re-exports them for scripts run from a checkout. Settings that are
structures (support hours, SLA targets, privileges, reputation deltas) are JSON in the environment, or
Python in `config.py` inside the instance folder (read by `create_app`, Flask's instance-config
convention), or a mapping given to `create_app`.
"""
from __future__ import annotations

import json
import os
import secrets


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_json(name: str, default):
    """A structured setting given as JSON in the environment; a malformed value stops start-up with its name."""
    raw = _env(name)
    if raw is None:
        return default
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise RuntimeError(f"{name} is not valid JSON: {exc}") from None


def _env_flag(name: str, default: str) -> bool:
    return (_env(name, default) or default).lower() in ("1", "on", "true", "yes")


def normalise_database_url(url: str) -> str:
    """Let `postgresql://` URLs use psycopg 3, the driver that the package installs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    # None means: a file `forum.sqlite3` in the instance folder (decided in create_app).
    SQLALCHEMY_DATABASE_URI = None
    FORUM_DATABASE_URL = _env("FORUM_DATABASE_URL")
    SECRET_KEY = _env("FORUM_SECRET_KEY")
    FORUM_SEARCH_INDEX = _env("FORUM_SEARCH_INDEX")
    # "whoosh" (embedded, one machine) or "postgresql" (documents in the database, for several
    # web servers; needs a PostgreSQL FORUM_DATABASE_URL).
    FORUM_SEARCH_BACKEND = (_env("FORUM_SEARCH_BACKEND", "whoosh") or "whoosh").lower()
    # "thread": each process indexes in a background thread; "external": run
    # `flask --app forum search indexer` as one separate process (recommended under gunicorn).
    FORUM_SEARCH_INDEXER = (_env("FORUM_SEARCH_INDEXER", "thread") or "thread").lower()
    # Memory (MB) a Whoosh rebuild may sort in before spilling to disk: more is faster.
    FORUM_SEARCH_REBUILD_MB = int(_env("FORUM_SEARCH_REBUILD_MB", "2048"))
    # Seconds one search request may spend in the index (the search, and "did you mean"); past
    # them it answers with what it found and says so. Keeps every search well under 2 s.
    FORUM_SEARCH_TIME_BUDGET = float(_env("FORUM_SEARCH_TIME_BUDGET", "1.0"))
    # The longest a process searches with its copy of the staff's search vocabulary before it looks
    # whether the copy is current (one primary-key read); with the page cache on, it also looks
    # whenever the cache's generation moves on, which a change to the vocabulary does.
    FORUM_SEARCH_VOCABULARY_SECONDS = float(_env("FORUM_SEARCH_VOCABULARY_SECONDS", "2"))
    # Searches are logged in a buffer per process, written at most this many seconds after its first
    # search (forum.insights.logging): a search served from the page cache then writes nothing.
    # 0 writes each search in its request.
    FORUM_SEARCH_LOG_SECONDS = float(_env("FORUM_SEARCH_LOG_SECONDS", "1"))
    FORUM_REDIS_URL = _env("FORUM_REDIS_URL")
    # Log level of the forum's lines (and, when the forum sets up logging itself, of its libraries'),
    # and the format on stderr: "text", or "json" (one object per line, for log collectors).
    FORUM_LOG_LEVEL = (_env("FORUM_LOG_LEVEL", "INFO") or "INFO").upper()
    FORUM_LOG_FORMAT = (_env("FORUM_LOG_FORMAT", "text") or "text").lower()
    # Seconds a Redis connect or command may take (every client: rate limits, job queue, /readyz).
    # Redis down or hung costs a request at most this, once; then limits and jobs run in-process.
    FORUM_REDIS_TIMEOUT = float(_env("FORUM_REDIS_TIMEOUT", "0.5"))
    FORUM_RATE_LIMITS = (_env("FORUM_RATE_LIMITS", "on") or "on").lower() != "off"
    # Pages for visitors who are not signed in, served from a cache that every committed write
    # invalidates (forum.core.page_cache): in Redis with FORUM_REDIS_URL, else keyed by a generation
    # file in the instance folder; either way each process keeps up to FORUM_PAGE_CACHE_MB of them
    # in memory. FORUM_PAGE_CACHE_SECONDS bounds what no write changes ("3 minutes ago").
    FORUM_PAGE_CACHE = _env_flag("FORUM_PAGE_CACHE", "on")
    FORUM_PAGE_CACHE_SECONDS = int(_env("FORUM_PAGE_CACHE_SECONDS", "60"))
    FORUM_PAGE_CACHE_MB = int(_env("FORUM_PAGE_CACHE_MB", "16"))
    # Per address, checked before the password hash is computed (argon2 is slow on purpose).
    FORUM_LOGIN_RATE_LIMIT = _env("FORUM_LOGIN_RATE_LIMIT", "6 per minute; 30 per hour")
    FORUM_SIGNUP_RATE_LIMIT = _env("FORUM_SIGNUP_RATE_LIMIT", "5 per minute; 20 per hour")
    # New members (reputation below FORUM_NEW_MEMBER_REPUTATION) wait between posts, may post few
    # links (Discourse: 30 s, 2 links) and ask at most FORUM_NEW_MEMBER_QUESTIONS_PER_DAY questions in
    # any 24 hours: on a support forum nearly every customer is new, and a payment problem right
    # after a points problem is normal. Members whose posting a moderator restricted (on the account:
    # users.posting_restricted_until) ask one question per FORUM_QUESTION_INTERVAL_MINUTES, whatever
    # their reputation. Off with FORUM_RATE_LIMITS=off.
    FORUM_NEW_MEMBER_REPUTATION = int(_env("FORUM_NEW_MEMBER_REPUTATION", "10"))
    FORUM_POST_INTERVAL_SECONDS = int(_env("FORUM_POST_INTERVAL_SECONDS", "30"))
    FORUM_NEW_MEMBER_MAX_LINKS = int(_env("FORUM_NEW_MEMBER_MAX_LINKS", "2"))
    FORUM_NEW_MEMBER_QUESTIONS_PER_DAY = int(_env("FORUM_NEW_MEMBER_QUESTIONS_PER_DAY", "6"))
    FORUM_QUESTION_INTERVAL_MINUTES = int(_env("FORUM_QUESTION_INTERVAL_MINUTES", "40"))
    # Per-member budgets (every session and token of a member, pages and API together; the address
    # for anonymous calls) and the API-wide budget per member.
    FORUM_VOTE_RATE_LIMIT = _env("FORUM_VOTE_RATE_LIMIT", "60 per minute; 600 per day")
    FORUM_POST_RATE_LIMIT = _env("FORUM_POST_RATE_LIMIT", "20 per minute; 200 per day")
    FORUM_EDIT_RATE_LIMIT = _env("FORUM_EDIT_RATE_LIMIT", "20 per minute; 300 per day")
    FORUM_ESCALATION_RATE_LIMIT = _env("FORUM_ESCALATION_RATE_LIMIT", "5 per hour; 20 per day")
    FORUM_FLAG_RATE_LIMIT = _env("FORUM_FLAG_RATE_LIMIT", "10 per hour; 30 per day")
    FORUM_API_RATE_LIMIT = _env("FORUM_API_RATE_LIMIT", "600 per minute; 20000 per hour")
    # Live Markdown previews per member (the editor asks for one when typing pauses).
    FORUM_PREVIEW_RATE_LIMIT = _env("FORUM_PREVIEW_RATE_LIMIT", "30 per minute; 600 per hour")
    FORUM_UPLOAD_RATE_LIMIT = _env("FORUM_UPLOAD_RATE_LIMIT", "30 per minute; 300 per day")
    # Spam or scam flags from this many members hide a post until a moderator reviews it.
    FORUM_SPAM_FLAGS_TO_HIDE = int(_env("FORUM_SPAM_FLAGS_TO_HIDE", "3"))
    # The platform's own e-mail addresses ("@domain" for a whole domain), which the privacy guard
    # lets members quote: comma-separated.
    FORUM_PUBLIC_EMAILS = _env("FORUM_PUBLIC_EMAILS", "")
    # The platform's order-number shape, a regular expression the privacy guard warns about (it
    # does not refuse) in public text; unset: 12 or more digits, or letters followed by 10 or more
    # digits (forum.policy.guards.DEFAULT_ORDER_NUMBER_PATTERN).
    FORUM_ORDER_NUMBER_PATTERN = _env("FORUM_ORDER_NUMBER_PATTERN")
    # Per account: this many wrong passwords within the window lock it for the lockout time.
    FORUM_LOCKOUT_ATTEMPTS = int(_env("FORUM_LOCKOUT_ATTEMPTS", "5"))
    FORUM_LOCKOUT_WINDOW_MINUTES = int(_env("FORUM_LOCKOUT_WINDOW_MINUTES", "15"))
    FORUM_LOCKOUT_MINUTES = int(_env("FORUM_LOCKOUT_MINUTES", "15"))
    # API tokens expire this many days after their last use (sliding; last use recorded at most
    # once a minute per token).
    FORUM_TOKEN_DAYS = int(_env("FORUM_TOKEN_DAYS", "90"))
    # Members' data rights (forum.privacy): an account whose member asked for erasure is erased this
    # many days later (signing in before then cancels it); its name cannot be registered by anyone
    # else for FORUM_USERNAME_HOLD_DAYS; its tickets' private fields are erased
    # FORUM_TICKET_RETENTION_DAYS after the erasure (and after the ticket's last change).
    FORUM_ERASURE_GRACE_DAYS = int(_env("FORUM_ERASURE_GRACE_DAYS", "7"))
    FORUM_USERNAME_HOLD_DAYS = int(_env("FORUM_USERNAME_HOLD_DAYS", "180"))
    FORUM_TICKET_RETENTION_DAYS = int(_env("FORUM_TICKET_RETENTION_DAYS", "180"))
    # How many reverse proxies stand in front of the forum and add X-Forwarded-For/-Proto (nginx:
    # 1). 0 (the default): those headers are ignored and the client is the connection's address.
    # Too high a number lets clients choose their own address (and so their rate-limit budget).
    FORUM_TRUSTED_PROXIES = int(_env("FORUM_TRUSTED_PROXIES", "0"))
    # Operations (README, "Health and metrics"). /readyz answers 503 when the external indexer
    # (FORUM_SEARCH_INDEXER=external) or the jobs worker (FORUM_REDIS_URL) has not written a
    # heartbeat for this many seconds; they beat every few seconds.
    FORUM_HEARTBEAT_STALE_SECONDS = int(_env("FORUM_HEARTBEAT_STALE_SECONDS", "60"))
    # /metrics answers a request carrying `Authorization: Bearer <token>` with this token, or one
    # from these addresses or networks (comma-separated; `none`: the token only); anyone else gets 404.
    FORUM_METRICS_TOKEN = _env("FORUM_METRICS_TOKEN")
    FORUM_METRICS_ALLOW = _env("FORUM_METRICS_ALLOW", "127.0.0.1,::1")

    # Password hashing: argon2id, at least 46 MiB and one pass (OWASP ASVS 5).
    FORUM_ARGON2_MEMORY_KIB = int(_env("FORUM_ARGON2_MEMORY_KIB", "47104"))
    FORUM_ARGON2_TIME_COST = int(_env("FORUM_ARGON2_TIME_COST", "1"))
    FORUM_ARGON2_PARALLELISM = int(_env("FORUM_ARGON2_PARALLELISM", "1"))

    # Interface language when neither the member nor the browser says otherwise.
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = _env("FORUM_TIMEZONE", "Asia/Shanghai")
    FORUM_LOCALES = ("zh_CN", "en")

    FORUM_PER_PAGE = 20
    # Outgoing mail: SMTP when FORUM_MAIL_SERVER is set, else e-mails are written to the log.
    FORUM_MAIL_SERVER = _env("FORUM_MAIL_SERVER")
    FORUM_MAIL_PORT = int(_env("FORUM_MAIL_PORT", "25"))
    FORUM_MAIL_USERNAME = _env("FORUM_MAIL_USERNAME")
    FORUM_MAIL_PASSWORD = _env("FORUM_MAIL_PASSWORD")
    FORUM_MAIL_USE_TLS = _env_flag("FORUM_MAIL_USE_TLS", "off")
    FORUM_MAIL_SENDER = _env("FORUM_MAIL_SENDER", "noreply@localhost")
    # Incoming mail (`flask --app forum mail inbound`, forum/mailin): the domain whose mail the
    # receiver accepts. Set, e-mails about a ticket carry `Reply-To: ticket+<token>@<domain>` and
    # mail to `support@<domain>` opens tickets; unset, no Reply-To is added and the receiver refuses
    # to start.
    FORUM_MAIL_INBOUND_DOMAIN = _env("FORUM_MAIL_INBOUND_DOMAIN")
    # The largest incoming message in MB (attachments included, as sent: base64 adds a third);
    # larger ones are refused with 552.
    FORUM_MAIL_INBOUND_MAX_MB = int(_env("FORUM_MAIL_INBOUND_MAX_MB", "25"))
    # Absolute links in e-mails.
    FORUM_BASE_URL = _env("FORUM_BASE_URL", "http://127.0.0.1:5000")
    # Run background jobs synchronously (tests only).
    FORUM_JOBS_INLINE = False
    # Reject request bodies above this size with 413 (a post is at most 30,000 characters).
    MAX_CONTENT_LENGTH = int(_env("FORUM_MAX_CONTENT_LENGTH", str(1024 * 1024)))
    # Images in posts and attachments on tickets (forum/uploads, forum/tickets/attachments.py): their
    # own body caps, above MAX_CONTENT_LENGTH, for those endpoints only. FORUM_UPLOAD_DIR: where the
    # re-encoded files are kept (default: `uploads/` in the instance folder; never under static/).
    FORUM_UPLOAD_DIR = _env("FORUM_UPLOAD_DIR")
    FORUM_UPLOAD_MAX_MB = float(_env("FORUM_UPLOAD_MAX_MB", "5"))
    FORUM_TICKET_ATTACHMENT_MAX_MB = float(_env("FORUM_TICKET_ATTACHMENT_MAX_MB", "10"))
    # Images a member may upload per 24 hours, and the reputation needed for any (staff: no limit).
    FORUM_UPLOAD_DAILY_LIMIT = int(_env("FORUM_UPLOAD_DAILY_LIMIT", "20"))
    FORUM_UPLOAD_MIN_REPUTATION = int(_env("FORUM_UPLOAD_MIN_REPUTATION", "10"))

    # Webhooks (README, "Webhooks"): receivers on private, loopback or link-local addresses are refused
    # unless this is on (tests, intranets); each attempt may take FORUM_WEBHOOK_TIMEOUT seconds in all;
    # failed deliveries are retried for FORUM_WEBHOOK_RETRY_HOURS, and a webhook whose every delivery
    # failed for FORUM_WEBHOOK_DISABLE_DAYS is disabled (its administrators are told).
    FORUM_WEBHOOK_ALLOW_PRIVATE = _env_flag("FORUM_WEBHOOK_ALLOW_PRIVATE", "off")
    FORUM_WEBHOOK_TIMEOUT = float(_env("FORUM_WEBHOOK_TIMEOUT", "5"))
    FORUM_WEBHOOK_RETRY_HOURS = int(_env("FORUM_WEBHOOK_RETRY_HOURS", "24"))
    FORUM_WEBHOOK_DISABLE_DAYS = int(_env("FORUM_WEBHOOK_DISABLE_DAYS", "3"))

    # Official support. Each mapping overrides the defaults key by key (README, "Official support").
    # Support hours: {"opens", "closes", "workdays" (0 = Monday), "country" (public holidays and
    # make-up working days from the `holidays` library), "closed_days", "open_days", "timezone"}.
    FORUM_SUPPORT_HOURS: dict = _env_json("FORUM_SUPPORT_HOURS", {})
    # Priority -> [hours to first response, hours to resolution], in business time.
    FORUM_SLA_TARGETS: dict = _env_json("FORUM_SLA_TARGETS", {})
    FORUM_SLA_WARN_MINUTES = int(_env("FORUM_SLA_WARN_MINUTES", "30"))
    FORUM_SLA_AUTO_ESCALATE = _env_flag("FORUM_SLA_AUTO_ESCALATE", "off")
    # The channels listed on /support: [{"kind": "phone"|"email"|"online"|"social", "label", "hours", "url"?}];
    # empty: the built-in example list. Each is made a working link (forum/tickets/channels.py).
    FORUM_SUPPORT_CHANNELS: list = _env_json("FORUM_SUPPORT_CHANNELS", [])

    # Reputation and privileges (overrides of the defaults in forum/core/permissions.py and
    # forum/reputation/rules.py, key by key).
    FORUM_PRIVILEGES: dict = _env_json("FORUM_PRIVILEGES", {})
    FORUM_REPUTATION: dict = _env_json("FORUM_REPUTATION", {})
    FORUM_REPUTATION_DAILY_CAP = int(_env("FORUM_REPUTATION_DAILY_CAP", "200"))
    FORUM_EXPERIENCED_REPUTATION = int(_env("FORUM_EXPERIENCED_REPUTATION", "1000"))
    FORUM_SERIAL_VOTE_THRESHOLD = int(_env("FORUM_SERIAL_VOTE_THRESHOLD", "10"))
    FORUM_SERIAL_VOTE_HOURS = int(_env("FORUM_SERIAL_VOTE_HOURS", "24"))
    # Upvotes from members below this reputation count in the score but move no reputation.
    FORUM_VOTE_REPUTATION_MIN = int(_env("FORUM_VOTE_REPUTATION_MIN", "15"))
    # Voting rings (`votes reverse-serial`): this many accounts younger than FORUM_VOTE_RING_ACCOUNT_DAYS,
    # each giving one author FORUM_VOTE_RING_VOTES upvotes or more outside their own questions
    # while new, have those votes reversed.
    FORUM_VOTE_RING_VOTERS = int(_env("FORUM_VOTE_RING_VOTERS", "3"))
    FORUM_VOTE_RING_VOTES = int(_env("FORUM_VOTE_RING_VOTES", "2"))
    FORUM_VOTE_RING_ACCOUNT_DAYS = int(_env("FORUM_VOTE_RING_ACCOUNT_DAYS", "30"))

    # Database connections (forum.core.db.engine_options). Per process: up to POOL_SIZE kept open
    # plus MAX_OVERFLOW more under load; a request waits at most POOL_TIMEOUT seconds for one, then
    # answers 503 with Retry-After (so size gunicorn workers x threads against these and PostgreSQL's
    # max_connections). CONNECT_TIMEOUT: seconds to reach PostgreSQL. STATEMENT_TIMEOUT_MS and
    # LOCK_TIMEOUT_MS: PostgreSQL stops a statement running that long, or waiting that long for a
    # lock, and the request answers 503 (keep both below the web server's worker timeout); 0 turns
    # one off. On SQLite the lock timeout is the busy timeout, how long a write waits for the
    # writer before it. `flask db upgrade` runs without either timeout.
    FORUM_DB_POOL_SIZE = int(_env("FORUM_DB_POOL_SIZE", "5"))
    FORUM_DB_MAX_OVERFLOW = int(_env("FORUM_DB_MAX_OVERFLOW", "10"))
    FORUM_DB_POOL_TIMEOUT = float(_env("FORUM_DB_POOL_TIMEOUT", "5"))
    FORUM_DB_CONNECT_TIMEOUT = int(_env("FORUM_DB_CONNECT_TIMEOUT", "5"))
    FORUM_DB_STATEMENT_TIMEOUT_MS = int(_env("FORUM_DB_STATEMENT_TIMEOUT_MS", "20000"))
    FORUM_DB_LOCK_TIMEOUT_MS = int(_env("FORUM_DB_LOCK_TIMEOUT_MS", "10000"))
    # Extra SQLAlchemy create_engine() options (Python config only); they win over the above.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLALCHEMY_RECORD_QUERIES = False
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    JSON_SORT_KEYS = False
    TESTING = False


class TestConfig(Config):
    TESTING = True
    # The threaded live-server tests send 20 requests at once to a pool of 15 (5 + 10), the votes
    # one after another behind the answer's row lock: on a loaded CI machine one of them waited more
    # than 5 s for a connection (a 503, once). The tests of the pool's 503 set their own timeouts.
    FORUM_DB_POOL_TIMEOUT = 30.0
    SECRET_KEY = "test-secret-key"
    WTF_CSRF_ENABLED = False
    FORUM_RATE_LIMITS = False
    # Off: the tests wipe and edit rows with plain SQL between requests, behind the cache's back.
    # tests/web/test_page_cache.py switches it on (and invalidates after each wipe).
    FORUM_PAGE_CACHE = False
    # Tests hash many passwords; the production parameters are checked by a test of their own.
    FORUM_ARGON2_MEMORY_KIB = 1024
    FORUM_ARGON2_TIME_COST = 1
    SQLALCHEMY_RECORD_QUERIES = True
    FORUM_MAIL_SERVER = None
    # Nothing indexes: the outbox rows wait (indexing every post made each test ~4x slower).
    # Tests that search ask for an index with @pytest.mark.search_index (tests/conftest.py), which
    # switches to "inline": the index is brought up to date before each request returns.
    FORUM_SEARCH_INDEXER = "manual"
    # Most tests vote with fresh accounts (reputation 1) and check the reputation that votes move;
    # tests/reputation/test_farming.py sets the production default (15) and checks the rule itself.
    FORUM_VOTE_REPUTATION_MIN = 1
    # Tests change the search vocabulary and search at once, in several applications.
    FORUM_SEARCH_VOCABULARY_SECONDS = 0.0
    # Each search is written in its request, so that a test reads it at once (the buffer has tests
    # of its own: tests/insights/test_search_log.py).
    FORUM_SEARCH_LOG_SECONDS = 0.0


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True


def generate_secret_key() -> str:
    return secrets.token_urlsafe(48)
