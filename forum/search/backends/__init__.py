"""Search backends behind one small interface (`base.Backend`): Whoosh on local disk (the
embedded default) and PostgreSQL (several web servers, one database). Chosen by FORUM_SEARCH_BACKEND."""
