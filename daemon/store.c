/* store.c: the SQLite database in WAL mode, commits made durable apart (group commit); schema migrations. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "log.h"
#include "store.h"
#include "xmalloc.h"

/* Room for every distinct statement store.c prepares (about 50), at most half full. */
#define STMT_CACHE	128
/* SQLite's default for its automatic checkpoints (wal_cb). */
#define WAL_CHECKPOINT_FRAMES	1000

/* What to do to memory when the open transaction does not reach the disk. */
struct undo {
	store_undo_fn	 fn;
	void		*arg;
};

struct store {
	sqlite3		*db;
	int		 in_txn;
	int		 doomed;	/* a write of the open transaction failed: roll back */
	int		 wiped;		/* it erased a secret: leave no copy in the WAL */
	int		 wipe_due;	/* a committed erasure awaits its checkpoint (store_wipe) */
	/*
	 * The earliest next_attempt of the pending rows, as last read: asked after every
	 * commit and message, it changes only when pending rows do (pending_changed).
	 */
	int		 pend_known, pend_any;
	int64_t		 pend_min;
	char		*write_error;	/* why the last write failed; NULL: it went through */
	struct undo	*undo;
	size_t		 nundo, undocap;
	size_t		 savepoint;	/* nundo at the open savepoint */
	int		 in_savepoint;
	void		(*before_commit)(void *);
	void		*before_commit_arg;
	sqlite3_stmt	*put_state, *audit, *put_added;
	/* Kept: a start publishes every instance of every plan through them. */
	sqlite3_stmt	*seq_each, *seq_get, *seq_put, *seen_get, *seen_put, *added_each;
	/* Every other statement, prepared at its first use and kept (stmt): by its SQL. */
	struct cached {
		const char	*sql;	/* sqlite3_sql() of st */
		unsigned	 hash;
		sqlite3_stmt	*st;
	}		 cache[STMT_CACHE];
	/*
	 * Durability: COMMIT writes the WAL (synchronous=NORMAL) and an fdatasync of it makes
	 * the commit durable, which is what synchronous=FULL does in one step. Done apart, the
	 * fdatasync can run in the sync thread while the loop goes on: the changes that come
	 * meanwhile gather for the next commit, and one fdatasync covers all before it.
	 */
	char		*dir, *walpath;
	int		 walfd;		/* -1 until the first sync opens it */
	uint64_t	 commits;	/* that wrote to the WAL, numbered from 1 */
	int		 wal_written;	/* the COMMIT under way appended frames (wal_cb) */
	uint64_t	 durable;	/* the last commit known to be on disk */
	pthread_t	 sync_thread;
	int		 sync_running;
	pthread_mutex_t	 sync_mu;
	pthread_cond_t	 sync_cv;
	uint64_t	 sync_want, sync_done;	/* under sync_mu: asked of the thread, done */
	int		 sync_errno, sync_quit;	/* under sync_mu */
	int		 sync_pipe[2];	/* a byte when the thread finished a sync */
};

static int	wal_cb(void *, sqlite3 *, const char *, int);

/* Each step moves the schema one version on; never edit a step that has shipped. */
static const char *migrations[] = {
	/* 1: states, the audit log, milestones added at run time */
	"CREATE TABLE state ("
	"  plan TEXT NOT NULL, key TEXT NOT NULL, status TEXT NOT NULL,"
	"  at INTEGER, actor TEXT, note TEXT, overridden INTEGER NOT NULL DEFAULT 0,"
	"  changed INTEGER NOT NULL, version INTEGER NOT NULL DEFAULT 1,"
	"  PRIMARY KEY (plan, key)) WITHOUT ROWID;"
	"CREATE TABLE audit ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, actor TEXT NOT NULL,"
	"  uid INTEGER, plan TEXT NOT NULL, key TEXT, action TEXT NOT NULL, reason TEXT,"
	"  note TEXT);"
	"CREATE INDEX audit_key ON audit (plan, key);"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TABLE added ("
	"  plan TEXT NOT NULL, id TEXT NOT NULL, def TEXT NOT NULL, at INTEGER NOT NULL,"
	"  actor TEXT NOT NULL, PRIMARY KEY (plan, id)) WITHOUT ROWID;",
	/* 2: the outbox of reminders, the occurrences they stand for, small named values */
	"CREATE TABLE outbox ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT, plan TEXT NOT NULL, key TEXT NOT NULL,"
	"  recipient TEXT NOT NULL, kind TEXT NOT NULL, due_at INTEGER NOT NULL,"
	"  created INTEGER NOT NULL, state TEXT NOT NULL DEFAULT 'pending',"
	"  attempts INTEGER NOT NULL DEFAULT 0, next_attempt INTEGER NOT NULL DEFAULT 0,"
	"  last_error TEXT, smtp_code INTEGER, sent_at INTEGER, message_id TEXT NOT NULL,"
	"  subject TEXT NOT NULL, message BLOB NOT NULL);"
	"CREATE INDEX outbox_state ON outbox (state, next_attempt);"
	"CREATE TABLE occurrence ("
	"  plan TEXT NOT NULL, key TEXT NOT NULL, kind TEXT NOT NULL, at INTEGER NOT NULL,"
	"  recipient TEXT NOT NULL, outbox_id INTEGER NOT NULL REFERENCES outbox (id),"
	"  PRIMARY KEY (plan, key, kind, at, recipient)) WITHOUT ROWID;"
	"CREATE TABLE meta (name TEXT PRIMARY KEY, value INTEGER) WITHOUT ROWID;",
	/* 3: feeds (tokens only as hashes), published sequences, when each plan changed */
	"CREATE TABLE feed ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, subject TEXT NOT NULL,"
	"  token_hash BLOB NOT NULL UNIQUE, created INTEGER NOT NULL, created_by TEXT NOT NULL,"
	"  revoked INTEGER, replaces INTEGER);"
	"CREATE TABLE sequence ("
	"  plan TEXT NOT NULL, key TEXT NOT NULL, hash INTEGER NOT NULL, seq INTEGER NOT NULL,"
	"  PRIMARY KEY (plan, key)) WITHOUT ROWID;"
	"CREATE TABLE plan_seen ("
	"  plan TEXT PRIMARY KEY, hash INTEGER NOT NULL, since INTEGER NOT NULL) WITHOUT ROWID;",
	/* 4: people in the audit log; personal access tokens and login codes, only as hashes */
	"ALTER TABLE audit ADD COLUMN person TEXT;"
	"ALTER TABLE audit ADD COLUMN person_name TEXT;"
	"ALTER TABLE audit ADD COLUMN channel TEXT;"
	"ALTER TABLE audit ADD COLUMN token INTEGER;"
	"CREATE TABLE token ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT, person TEXT NOT NULL,"
	"  token_hash BLOB NOT NULL UNIQUE, created INTEGER NOT NULL, expires INTEGER NOT NULL,"
	"  created_by TEXT NOT NULL, how TEXT NOT NULL, revoked INTEGER);"
	"CREATE INDEX token_person ON token (person);"
	"CREATE TABLE login ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT, person TEXT NOT NULL, code_hash BLOB NOT NULL,"
	"  created INTEGER NOT NULL, expires INTEGER NOT NULL,"
	"  attempts INTEGER NOT NULL DEFAULT 0, used INTEGER);"
	"CREATE INDEX login_person ON login (person);",
	/*
	 * 5: an outbox that is pruned: an occurrence outlives the row it was sent as (so that
	 * nothing goes twice), and bodies of what went or was cancelled are not kept.
	 */
	"CREATE TABLE occurrence5 ("
	"  plan TEXT NOT NULL, key TEXT NOT NULL, kind TEXT NOT NULL, at INTEGER NOT NULL,"
	"  recipient TEXT NOT NULL, outbox_id INTEGER NOT NULL,"
	"  PRIMARY KEY (plan, key, kind, at, recipient)) WITHOUT ROWID;"
	"INSERT INTO occurrence5 SELECT plan, key, kind, at, recipient, outbox_id FROM occurrence;"
	"DROP TABLE occurrence;"
	"ALTER TABLE occurrence5 RENAME TO occurrence;"
	"UPDATE outbox SET message = zeroblob(0) WHERE state IN ('sent', 'cancelled');",
	/* 6: parts of a plan's dimensions, added (and cancelled) at run time, in their order */
	"CREATE TABLE part ("
	"  plan TEXT NOT NULL, dim TEXT NOT NULL, id TEXT NOT NULL, title TEXT NOT NULL,"
	"  lead TEXT, at INTEGER NOT NULL, actor TEXT NOT NULL, reason TEXT,"
	"  cancelled INTEGER, cancelled_by TEXT, cancel_reason TEXT,"
	"  PRIMARY KEY (plan, dim, id));",
	/* 7: the web's sessions and one-time links (sign-in, a step's "done"), only as hashes */
	"CREATE TABLE session ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT, token_hash BLOB NOT NULL UNIQUE,"
	"  person TEXT NOT NULL, created INTEGER NOT NULL, seen INTEGER NOT NULL,"
	"  expires INTEGER NOT NULL, ended INTEGER);"
	"CREATE TABLE weblink ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, token_hash BLOB NOT NULL"
	"  UNIQUE, person TEXT NOT NULL, plan TEXT, key TEXT, created INTEGER NOT NULL,"
	"  expires INTEGER NOT NULL, used INTEGER);",
	/* 8: changes to running plans (move, retitle, require), replayed in their order */
	"CREATE TABLE plan_change ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT, plan TEXT NOT NULL, id TEXT NOT NULL,"
	"  kind TEXT NOT NULL, def TEXT NOT NULL, old TEXT NOT NULL, new TEXT NOT NULL,"
	"  at INTEGER NOT NULL, actor TEXT NOT NULL, reason TEXT NOT NULL);"
	"CREATE INDEX plan_change_plan ON plan_change (plan, seq);",
	/* 9: the outbox of one state read by id, a page at a time (GET /reminders?state=) */
	"CREATE INDEX outbox_state_id ON outbox (state, id);",
	/* 10: the rows past the retention found by when they went (or were made), not read all */
	"CREATE INDEX outbox_sent ON outbox (sent_at, created);",
};
#define NMIGRATIONS	((int)(sizeof(migrations) / sizeof(migrations[0])))

const char *
store_error(struct store *s)
{
	return sqlite3_errmsg(s->db);
}

static int
exec(struct store *s, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		log_warnx("sqlite: %s: %s", sql, msg ? msg : "?");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static unsigned
sql_hash(const char *sql)
{
	unsigned h = 2166136261u;

	while (*sql != '\0')
		h = (h ^ (unsigned char)*sql++) * 16777619u;
	return h;
}

static struct cached *
cache_slot(struct store *s, const char *sql, unsigned h)
{
	size_t i = h % STMT_CACHE, n;

	for (n = 0; n < STMT_CACHE; n++, i = (i + 1) % STMT_CACHE)
		if (s->cache[i].st == NULL ||
		    (s->cache[i].hash == h && strcmp(s->cache[i].sql, sql) == 0))
			return &s->cache[i];
	return NULL;
}

/*
 * The prepared statement for sql, kept from its first use: a change or a read costs no
 * parsing. One in use further up the stack (a callback of a loop over its rows calling the
 * same function) is not disturbed: the caller gets a statement of its own, which release
 * finalizes. NULL when it cannot be prepared.
 */
static sqlite3_stmt *
stmt(struct store *s, const char *sql)
{
	unsigned h = sql_hash(sql);
	struct cached *c = cache_slot(s, sql, h);
	sqlite3_stmt *st;

	if (c != NULL && c->st != NULL && !sqlite3_stmt_busy(c->st))
		return c->st;
	/* Busy, or no room: one for this call only. */
	if (sqlite3_prepare_v3(s->db, sql, -1, c != NULL && c->st == NULL ?
	    SQLITE_PREPARE_PERSISTENT : 0, &st, NULL) != SQLITE_OK)
		return NULL;
	if (c != NULL && c->st == NULL) {
		c->st = st;
		c->sql = sqlite3_sql(st);
		c->hash = h;
	}
	return st;
}

/* Done with a statement of stmt(): kept ones are reset for their next use. */
static void
release(struct store *s, sqlite3_stmt *st)
{
	const char *sql = sqlite3_sql(st);
	struct cached *c = cache_slot(s, sql, sql_hash(sql));

	if (c != NULL && c->st == st) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	} else
		sqlite3_finalize(st);
}

/* One statement without rows (BEGIN, COMMIT), kept prepared; logged as exec does. */
static int
exec1(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = stmt(s, sql)) == NULL) {
		log_warnx("sqlite: %s: %s", sql, store_error(s));
		return -1;
	}
	rc = sqlite3_step(st);
	release(s, st);
	if (rc != SQLITE_DONE) {
		log_warnx("sqlite: %s: %s", sql, store_error(s));
		return -1;
	}
	return 0;
}

/* Pending rows were written, or may be again as they were (a rollback): read them anew. */
static void
pending_changed(struct store *s)
{
	s->pend_known = 0;
}

/* A write failed: say why until one goes through, and doom the transaction it was in. */
static void
write_failed(struct store *s)
{
	free(s->write_error);
	s->write_error = xstrdup(sqlite3_errmsg(s->db));
	if (s->in_txn)
		s->doomed = 1;
}

/*
 * May a write go ahead? Not in a doomed transaction: SQLite may have rolled it back on
 * its own (disk full, I/O error), and a write now would commit by itself, apart from the
 * changes it belongs with.
 */
static int
may_write(struct store *s)
{
	if (s->in_txn && (s->doomed || sqlite3_get_autocommit(s->db))) {
		s->doomed = 1;
		return 0;
	}
	return 1;
}

/* Step a write statement; a failure is recorded as above. */
static int
write_step(struct store *s, sqlite3_stmt *st)
{
	if (!may_write(s))
		return -1;
	if (sqlite3_step(st) != SQLITE_DONE) {
		write_failed(s);
		return -1;
	}
	return 0;
}

static int
write_exec(struct store *s, const char *sql)
{
	if (!may_write(s))
		return -1;
	if (exec(s, sql) == -1) {
		write_failed(s);
		return -1;
	}
	return 0;
}

static int
user_version(struct store *s)
{
	sqlite3_stmt *st;
	int v = -1;

	if ((st = stmt(s, "PRAGMA user_version")) == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	release(s, st);
	return v;
}

static int
migrate(struct store *s, char **cause)
{
	int v = user_version(s), i;
	char pragma[64];

	if (v < 0) {
		xasprintf(cause, "cannot read the schema version: %s", store_error(s));
		return -1;
	}
	if (v > NMIGRATIONS) {
		xasprintf(cause, "the database has schema version %d, newer than this termijnd "
		    "(%d): refusing to touch it", v, NMIGRATIONS);
		return -1;
	}
	for (i = v; i < NMIGRATIONS; i++) {
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", i + 1);
		if (exec(s, "BEGIN IMMEDIATE") == -1)
			goto fail;
		if (exec(s, migrations[i]) == -1 || exec(s, pragma) == -1) {
			exec(s, "ROLLBACK");
			goto fail;
		}
		if (exec(s, "COMMIT") == -1)
			goto fail;
		log_info("database schema migrated to version %d", i + 1);
	}
	return 0;
fail:
	xasprintf(cause, "schema migration to version %d failed: %s", i + 1, store_error(s));
	return -1;
}

static int
prepare(struct store *s, sqlite3_stmt **st, const char *sql, char **cause)
{
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK) {
		xasprintf(cause, "prepare: %s", store_error(s));
		return -1;
	}
	return 0;
}

struct store *
store_open(const char *dir, char **cause)
{
	struct store *s = xcalloc(1, sizeof(*s));
	char *path;

	s->walfd = s->sync_pipe[0] = s->sync_pipe[1] = -1;
	pthread_mutex_init(&s->sync_mu, NULL);
	pthread_cond_init(&s->sync_cv, NULL);
	s->dir = xstrdup(dir);
	xasprintf(&s->walpath, "%s/termijn.db-wal", dir);
	if (pipe2(s->sync_pipe, O_CLOEXEC | O_NONBLOCK) == -1) {
		xasprintf(cause, "pipe: %s", strerror(errno));
		store_close(s);
		return NULL;
	}

	if (mkdir(dir, 0750) == -1 && errno != EEXIST) {
		xasprintf(cause, "mkdir %s: %s", dir, strerror(errno));
		store_close(s);
		return NULL;
	}
	xasprintf(&path, "%s/termijn.db", dir);
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		xasprintf(cause, "%s: %s", path, s->db ? sqlite3_errmsg(s->db) : "cannot open");
		goto fail;
	}
	free(path);
	path = NULL;
	sqlite3_busy_timeout(s->db, 2000);
	/*
	 * FULL while the schema is migrated; then NORMAL, with each commit made durable by an
	 * fdatasync of the WAL of our own (store_commit, store_sync_start) before it is
	 * acknowledged: it survives power loss, not only a crash.
	 */
	/* secure_delete: a secret overwritten (a feed's address once sent) leaves no copy. */
	if (exec(s, "PRAGMA journal_mode = WAL") == -1 ||
	    exec(s, "PRAGMA synchronous = FULL") == -1 ||
	    exec(s, "PRAGMA secure_delete = ON") == -1 ||
	    exec(s, "PRAGMA foreign_keys = ON") == -1) {
		xasprintf(cause, "cannot set up the database: %s", store_error(s));
		goto fail;
	}
	if (migrate(s, cause) == -1)
		goto fail;
	if (exec(s, "PRAGMA synchronous = NORMAL") == -1) {
		xasprintf(cause, "cannot set up the database: %s", store_error(s));
		goto fail;
	}
	sqlite3_wal_hook(s->db, wal_cb, s);
	if (prepare(s, &s->put_state, "INSERT INTO state (plan, key, status, at, actor, note,"
	    " overridden, changed, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
	    " ON CONFLICT (plan, key) DO UPDATE SET status = ?3, at = ?4, actor = ?5, note = ?6,"
	    " overridden = ?7, changed = ?8, version = ?9", cause) == -1 ||
	    prepare(s, &s->audit, "INSERT INTO audit (at, actor, uid, plan, key, action, reason,"
	    " note, person, person_name, channel, token) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
	    " ?)", cause) == -1 ||
	    prepare(s, &s->put_added, "INSERT INTO added (plan, id, def, at, actor)"
	    " VALUES (?, ?, ?, ?, ?)", cause) == -1 ||
	    prepare(s, &s->seq_each, "SELECT key, hash, seq FROM sequence WHERE plan = ?"
	    " ORDER BY key",
	    cause) == -1 ||
	    /*
	     * Additions in the order they were made, which the audit log keeps: `at` is the
	     * plan's clock (a demo clock starts again where it started) and ties within a second.
	     */
	    prepare(s, &s->added_each, "SELECT plan, id, def FROM added WHERE ?1 IS NULL OR"
	    " plan = ?1 ORDER BY plan, (SELECT min(seq) FROM audit WHERE audit.plan ="
	    " added.plan AND audit.key = added.id AND action = 'add'), at, id", cause) == -1 ||
	    prepare(s, &s->seq_get, "SELECT hash, seq FROM sequence WHERE plan = ? AND key = ?",
	    cause) == -1 ||
	    prepare(s, &s->seq_put, "INSERT INTO sequence (plan, key, hash, seq) VALUES"
	    " (?1, ?2, ?3, ?4) ON CONFLICT (plan, key) DO UPDATE SET hash = ?3, seq = ?4",
	    cause) == -1 ||
	    prepare(s, &s->seen_get, "SELECT hash, since FROM plan_seen WHERE plan = ?",
	    cause) == -1 ||
	    prepare(s, &s->seen_put, "INSERT INTO plan_seen (plan, hash, since) VALUES (?1, ?2,"
	    " ?3) ON CONFLICT (plan) DO UPDATE SET hash = ?2, since = ?3", cause) == -1)
		goto fail;
	return s;
fail:
	free(path);
	store_close(s);
	return NULL;
}

void
store_close(struct store *s)
{
	size_t i;

	if (s == NULL)
		return;
	if (s->sync_running) {
		pthread_mutex_lock(&s->sync_mu);
		s->sync_quit = 1;
		pthread_cond_signal(&s->sync_cv);
		pthread_mutex_unlock(&s->sync_mu);
		pthread_join(s->sync_thread, NULL);
	}
	store_rollback(s);
	free(s->undo);
	free(s->write_error);
	sqlite3_finalize(s->put_state);
	sqlite3_finalize(s->audit);
	sqlite3_finalize(s->put_added);
	sqlite3_finalize(s->seq_each);
	sqlite3_finalize(s->added_each);
	sqlite3_finalize(s->seq_get);
	sqlite3_finalize(s->seq_put);
	sqlite3_finalize(s->seen_get);
	sqlite3_finalize(s->seen_put);
	for (i = 0; i < STMT_CACHE; i++)
		sqlite3_finalize(s->cache[i].st);
	sqlite3_close(s->db);
	for (i = 0; i < 2; i++)
		if (s->sync_pipe[i] != -1)
			close(s->sync_pipe[i]);
	if (s->walfd != -1)
		close(s->walfd);
	pthread_mutex_destroy(&s->sync_mu);
	pthread_cond_destroy(&s->sync_cv);
	free(s->dir);
	free(s->walpath);
	free(s);
}

int
store_healthy(struct store *s)
{
	return user_version(s) == NMIGRATIONS;
}

int
store_writable(struct store *s, const char **why)
{
	if (why != NULL)
		*why = s->write_error;
	return s->write_error == NULL;
}

int
store_begin(struct store *s)
{
	if (s->in_txn)
		return 0;
	/* A transaction whose ROLLBACK failed would refuse every BEGIN from now on. */
	if (!sqlite3_get_autocommit(s->db))
		exec1(s, "ROLLBACK");
	if (exec1(s, "BEGIN IMMEDIATE") == -1) {
		write_failed(s);
		return -1;
	}
	s->in_txn = 1;
	s->doomed = 0;
	return 0;
}

/* The transaction is over: undo (or just forget) what memory did with it, newest first. */
static void
undo_run(struct store *s, int undo)
{
	size_t i = s->nundo;

	s->nundo = 0;
	while (i-- > 0)
		s->undo[i].fn(s->undo[i].arg, undo);
}

/* ---- durability: the WAL's fdatasync, on the loop or in the sync thread ---- */

/*
 * The WAL as SQLite writes it (the same file still: a checkpoint truncates it, nothing
 * replaces it while the database is open, but that is checked, not assumed). Its
 * directory entry is made durable once, as SQLite would at the first sync.
 */
static int
wal_open(struct store *s)
{
	struct stat a, b;
	int fd;

	if (s->walfd != -1 && fstat(s->walfd, &a) == 0 && stat(s->walpath, &b) == 0 &&
	    a.st_ino == b.st_ino && a.st_dev == b.st_dev)
		return 0;
	if ((fd = open(s->walpath, O_RDWR | O_CLOEXEC)) == -1)
		return -1;
	pthread_mutex_lock(&s->sync_mu);
	while (s->sync_want != s->sync_done)
		pthread_cond_wait(&s->sync_cv, &s->sync_mu);
	/* Kept open: closing a descriptor of a file drops the process's locks on it. */
	if (s->walfd != -1)
		log_warnx("%s was replaced while the database was open", s->walpath);
	s->walfd = fd;
	pthread_mutex_unlock(&s->sync_mu);
	if ((fd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if (fsync(fd) == -1) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/*
 * A sync that fails leaves unknown what the disk holds (Linux forgets the pages it could
 * not write, so a second try proves nothing): stop, and let the restart read back what is
 * there. No commit of this run is then acknowledged as on disk that is not.
 */
static void
sync_failed(struct store *s, int err)
{
	fatalx("%s: the database's changes cannot be made durable (%s): stopping, so that a "
	    "restart reads back what the disk holds", s->walpath, strerror(err));
}

void
store_sync(struct store *s)
{
	if (s->durable == s->commits)
		return;
	if (wal_open(s) == -1 || fdatasync(s->walfd) == -1)
		sync_failed(s, errno);
	s->durable = s->commits;
}

static void *
sync_main(void *arg)
{
	struct store *s = arg;
	uint64_t want;
	int err;
	char c = 0;

	pthread_mutex_lock(&s->sync_mu);
	for (;;) {
		while (!s->sync_quit && s->sync_want == s->sync_done)
			pthread_cond_wait(&s->sync_cv, &s->sync_mu);
		if (s->sync_quit)
			break;
		want = s->sync_want;
		pthread_mutex_unlock(&s->sync_mu);
		err = fdatasync(s->walfd) == -1 ? errno : 0;
		pthread_mutex_lock(&s->sync_mu);
		if (err != 0 && s->sync_errno == 0)
			s->sync_errno = err;
		s->sync_done = want;
		pthread_cond_broadcast(&s->sync_cv);
		/* Full: a byte is there to be read already. */
		(void)!write(s->sync_pipe[1], &c, 1);
	}
	pthread_mutex_unlock(&s->sync_mu);
	return NULL;
}

int
store_syncing(struct store *s)
{
	int busy;

	pthread_mutex_lock(&s->sync_mu);
	busy = s->sync_want != s->sync_done;
	pthread_mutex_unlock(&s->sync_mu);
	return busy;
}

int
store_sync_start(struct store *s)
{
	if (store_syncing(s))
		return 1;
	if (s->durable == s->commits)
		return 0;
	if (wal_open(s) == -1)
		sync_failed(s, errno);
	if (!s->sync_running) {
		if ((errno = pthread_create(&s->sync_thread, NULL, sync_main, s)) != 0)
			fatal("pthread_create");
		s->sync_running = 1;
	}
	pthread_mutex_lock(&s->sync_mu);
	s->sync_want = s->commits;
	pthread_cond_signal(&s->sync_cv);
	pthread_mutex_unlock(&s->sync_mu);
	return 1;
}

int
store_sync_fd(struct store *s)
{
	return s->sync_pipe[0];
}

void
store_sync_ack(struct store *s)
{
	char buf[64];

	while (read(s->sync_pipe[0], buf, sizeof(buf)) > 0)
		;
}

uint64_t
store_durable(struct store *s)
{
	int err;
	uint64_t done;

	pthread_mutex_lock(&s->sync_mu);
	err = s->sync_errno;
	done = s->sync_done;
	pthread_mutex_unlock(&s->sync_mu);
	if (err != 0)
		sync_failed(s, err);
	if (done > s->durable)
		s->durable = done;
	return s->durable;
}

uint64_t
store_commits(struct store *s)
{
	return s->commits;
}

/*
 * After each COMMIT that appended frames to the WAL. A commit that wrote nothing needs no
 * sync. It stands in for SQLite's own hook, so it checkpoints as that one would.
 */
static int
wal_cb(void *arg, sqlite3 *db, const char *name, int nframes)
{
	struct store *s = arg;

	s->wal_written = 1;
	if (nframes >= WAL_CHECKPOINT_FRAMES)
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

/* COMMIT, durable only after store_sync or the sync thread (store_commit_nowait). */
static int
commit(struct store *s)
{
	if (!s->in_txn)
		return 0;
	s->wal_written = 0;
	if (!may_write(s) || exec1(s, "COMMIT") == -1) {
		if (!s->doomed)
			write_failed(s);
		store_rollback(s);
		return -1;
	}
	if (s->wal_written)
		s->commits++;
	s->in_txn = 0;
	s->in_savepoint = 0;
	free(s->write_error);
	s->write_error = NULL;
	undo_run(s, 0);
	/* The WAL still holds the page as it was before the erasure: store_wipe. */
	if (s->wiped) {
		s->wiped = 0;
		s->wipe_due = 1;
	}
	return 0;
}

int
store_wipe(struct store *s)
{
	/* An open batch that erased something is due once it commits: ask again. */
	if (s->in_txn && (s->wipe_due || s->wiped))
		return 1;
	if (!s->wipe_due)
		return 0;
	/* A reader (sqlite3 beside us) may hold the WAL: due still, try again later. */
	if (sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL,
	    NULL) != SQLITE_OK) {
		log_warnx("sqlite: checkpoint: %s", store_error(s));
		return -1;
	}
	s->wipe_due = 0;
	return 0;
}

int
store_commit(struct store *s)
{
	if (commit(s) == -1)
		return -1;
	store_sync(s);
	return 0;
}

int
store_commit_nowait(struct store *s)
{
	void (*fn)(void *) = s->before_commit;

	if (s->in_txn && fn != NULL && !s->doomed) {
		/* Not again for what it writes itself. */
		s->before_commit = NULL;
		fn(s->before_commit_arg);
		s->before_commit = fn;
	}
	return commit(s);
}

void
store_before_commit(struct store *s, void (*fn)(void *), void *arg)
{
	s->before_commit = fn;
	s->before_commit_arg = arg;
}

int
store_savepoint(struct store *s)
{
	if (!s->in_txn || s->in_savepoint || !may_write(s))
		return -1;
	if (exec1(s, "SAVEPOINT hook") == -1) {
		write_failed(s);
		return -1;
	}
	s->savepoint = s->nundo;
	s->in_savepoint = 1;
	return 0;
}

int
store_savepoint_end(struct store *s, int undo)
{
	int rc = 0;

	if (!s->in_savepoint)
		return -1;
	s->in_savepoint = 0;
	if (!undo)
		rc = exec1(s, "RELEASE hook");
	else {
		/* SQLite may have rolled the whole transaction back already: then it fails. */
		if (sqlite3_get_autocommit(s->db) || exec1(s, "ROLLBACK TO hook") == -1 ||
		    exec1(s, "RELEASE hook") == -1)
			rc = -1;
		pending_changed(s);
		while (s->nundo > s->savepoint) {
			s->nundo--;
			s->undo[s->nundo].fn(s->undo[s->nundo].arg, 1);
		}
		/* Back where it was before the failed write: the rest may commit. */
		if (rc == 0)
			s->doomed = 0;
	}
	if (rc == -1)
		write_failed(s);
	return rc;
}

void
store_rollback(struct store *s)
{
	if (!s->in_txn)
		return;
	if (!sqlite3_get_autocommit(s->db))
		exec1(s, "ROLLBACK");
	s->in_txn = 0;
	s->in_savepoint = 0;
	s->doomed = 0;
	s->wiped = 0;
	pending_changed(s);
	undo_run(s, 1);
}

int
store_in_txn(struct store *s)
{
	return s->in_txn;
}

void
store_on_rollback(struct store *s, store_undo_fn fn, void *arg)
{
	if (!s->in_txn)
		fatalx("store_on_rollback outside a transaction");
	if (s->nundo == s->undocap) {
		s->undocap = s->undocap ? s->undocap * 2 : 16;
		s->undo = xreallocarray(s->undo, s->undocap, sizeof(*s->undo));
	}
	s->undo[s->nundo].fn = fn;
	s->undo[s->nundo].arg = arg;
	s->nundo++;
}

static void
bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

/* Not copied: for a statement that step_done runs and clears before v can go. */
static void
bind_static(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

static int
step_done(struct store *s, sqlite3_stmt *st)
{
	int rc = write_step(s, st);

	if (rc == -1)
		log_warnx("sqlite: %s", s->write_error ? s->write_error : store_error(s));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

int
store_put_state(struct store *s, const char *plan, const char *key, const struct istate *is)
{
	sqlite3_stmt *st = s->put_state;

	bind_static(st, 1, plan);
	bind_static(st, 2, key);
	bind_static(st, 3, status_name(is->status));
	if (is->status == ST_OPEN)
		sqlite3_bind_null(st, 4);
	else
		sqlite3_bind_int64(st, 4, is->at);
	bind_static(st, 5, is->actor);
	bind_static(st, 6, is->note);
	sqlite3_bind_int(st, 7, is->overridden);
	sqlite3_bind_int64(st, 8, is->changed);
	sqlite3_bind_int(st, 9, is->version);
	return step_done(s, st);
}

int
store_rename(struct store *s, const char *plan, const char *from, const char *to)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = stmt(s, "UPDATE state SET key = ? WHERE plan = ? AND key = ?")) == NULL)
		return -1;
	bind_text(st, 1, to);
	bind_text(st, 2, plan);
	bind_text(st, 3, from);
	rc = write_step(s, st);
	release(s, st);
	return rc;
}

int
store_audit(struct store *s, const struct audit *a)
{
	sqlite3_stmt *st = s->audit;

	sqlite3_bind_int64(st, 1, a->at);
	bind_static(st, 2, a->actor);
	if (a->uid < 0)
		sqlite3_bind_null(st, 3);
	else
		sqlite3_bind_int64(st, 3, a->uid);
	bind_static(st, 4, a->plan);
	bind_static(st, 5, a->key);
	bind_static(st, 6, a->action);
	bind_static(st, 7, a->reason);
	bind_static(st, 8, a->note);
	bind_static(st, 9, a->person);
	bind_static(st, 10, a->person_name);
	bind_static(st, 11, a->channel);
	if (a->token_id > 0)
		sqlite3_bind_int64(st, 12, a->token_id);
	else
		sqlite3_bind_null(st, 12);
	return step_done(s, st);
}

int
store_put_added(struct store *s, const char *plan, const char *id, const char *def, int64_t at,
    const char *actor)
{
	sqlite3_stmt *st = s->put_added;

	bind_text(st, 1, plan);
	bind_text(st, 2, id);
	bind_text(st, 3, def);
	sqlite3_bind_int64(st, 4, at);
	bind_text(st, 5, actor);
	return step_done(s, st);
}

int
store_put_part(struct store *s, const char *plan, const char *dim, const char *id,
    const char *title, const char *lead, int64_t at, const char *actor, const char *reason)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = stmt(s, "INSERT INTO part (plan, dim, id, title, lead, at, actor,"
	    " reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) == NULL)
		return -1;
	bind_text(st, 1, plan);
	bind_text(st, 2, dim);
	bind_text(st, 3, id);
	bind_text(st, 4, title);
	bind_text(st, 5, lead);
	sqlite3_bind_int64(st, 6, at);
	bind_text(st, 7, actor);
	bind_text(st, 8, reason);
	rc = write_step(s, st);
	release(s, st);
	return rc;
}

int
store_cancel_part(struct store *s, const char *plan, const char *dim, const char *id,
    int64_t at, const char *actor, const char *reason)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = stmt(s, "UPDATE part SET cancelled = ?, cancelled_by = ?,"
	    " cancel_reason = ? WHERE plan = ? AND dim = ? AND id = ?")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, at);
	bind_text(st, 2, actor);
	bind_text(st, 3, reason);
	bind_text(st, 4, plan);
	bind_text(st, 5, dim);
	bind_text(st, 6, id);
	rc = write_step(s, st);
	release(s, st);
	return rc;
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

int
store_each_state(struct store *s, const char *plan, store_state_cb cb, void *arg)
{
	sqlite3_stmt *st;
	struct istate is;
	int rc;

	if ((st = stmt(s, "SELECT plan, key, status, at, actor, note, overridden,"
	    " changed, version FROM state WHERE ?1 IS NULL OR plan = ?1 ORDER BY plan, key")) == NULL)
		return -1;
	bind_text(st, 1, plan);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&is, 0, sizeof(is));
		if (status_parse(col_text(st, 2), &is.status) == -1)
			continue;
		is.at = sqlite3_column_int64(st, 3);
		is.actor = (char *)col_text(st, 4);
		is.note = (char *)col_text(st, 5);
		is.overridden = sqlite3_column_int(st, 6);
		is.changed = sqlite3_column_int64(st, 7);
		is.version = sqlite3_column_int(st, 8);
		cb(col_text(st, 0), col_text(st, 1), &is, arg);
	}
	release(s, st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_each_added(struct store *s, const char *plan, store_added_cb cb, void *arg)
{
	sqlite3_stmt *st = s->added_each;
	int rc;

	bind_text(st, 1, plan);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		cb(col_text(st, 0), col_text(st, 1), col_text(st, 2), arg);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* A write of one statement that may not go ahead in a doomed transaction (may_write). */
static int
write_once(struct store *s, const char *sql, sqlite3_stmt **out)
{
	if (!may_write(s))
		return -1;
	if ((*out = stmt(s, sql)) == NULL) {
		write_failed(s);
		return -1;
	}
	return 0;
}

int
store_put_change(struct store *s, const struct change_row *c)
{
	sqlite3_stmt *st;
	int rc;

	if (write_once(s, "INSERT INTO plan_change (plan, id, kind, def, old, new, at, actor,"
	    " reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", &st) == -1)
		return -1;
	bind_text(st, 1, c->plan);
	bind_text(st, 2, c->id);
	bind_text(st, 3, c->kind);
	bind_text(st, 4, c->def);
	bind_text(st, 5, c->old);
	bind_text(st, 6, c->new);
	sqlite3_bind_int64(st, 7, c->at);
	bind_text(st, 8, c->actor);
	bind_text(st, 9, c->reason);
	rc = write_step(s, st);
	release(s, st);
	return rc;
}

int
store_each_change(struct store *s, const char *plan, store_change_cb cb, void *arg)
{
	sqlite3_stmt *st;
	struct change_row c;
	int rc;

	if ((st = stmt(s, "SELECT plan, id, kind, def, old, new, at, actor, reason"
	    " FROM plan_change WHERE ?1 IS NULL OR plan = ?1 ORDER BY plan, seq")) == NULL)
		return -1;
	bind_text(st, 1, plan);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		c.plan = col_text(st, 0);
		c.id = col_text(st, 1);
		c.kind = col_text(st, 2);
		c.def = col_text(st, 3);
		c.old = col_text(st, 4);
		c.new = col_text(st, 5);
		c.at = sqlite3_column_int64(st, 6);
		c.actor = col_text(st, 7);
		c.reason = col_text(st, 8);
		cb(&c, arg);
	}
	release(s, st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* A write of one statement about a plan and a key (or id), with a third text if not NULL. */
static int
write_plan_key(struct store *s, const char *sql, const char *plan, const char *key,
    const char *third)
{
	sqlite3_stmt *st;
	int rc;

	if (write_once(s, sql, &st) == -1)
		return -1;
	bind_text(st, 1, plan);
	bind_text(st, 2, key);
	if (third != NULL)
		bind_text(st, 3, third);
	rc = write_step(s, st);
	release(s, st);
	return rc;
}

int
store_drop_added(struct store *s, const char *plan, const char *id)
{
	/* The audit log keeps what it was; what is replayed at start goes. */
	if (write_plan_key(s, "DELETE FROM added WHERE plan = ?1 AND id = ?2", plan, id,
	    NULL) == -1)
		return -1;
	/* With the moves of its parties' timing (ID@PARTY). */
	return write_plan_key(s, "DELETE FROM plan_change WHERE plan = ?1 AND (id = ?2 OR"
	    " substr(id, 1, length(?2) + 1) = ?2 || '@')", plan, id, NULL);
}

int
store_drop_state(struct store *s, const char *plan, const char *key)
{
	return write_plan_key(s, "DELETE FROM state WHERE plan = ?1 AND key = ?2", plan, key,
	    NULL);
}

int
store_outbox_cancel_key(struct store *s, const char *plan, const char *key, const char *why)
{
	/* The news of a change stays news (a step cancelled: its owners are told). */
	if (write_plan_key(s, "UPDATE outbox SET state = 'cancelled', last_error = ?3,"
	    " message = zeroblob(0) WHERE plan = ?1 AND key = ?2 AND state = 'pending'"
	    " AND kind NOT LIKE 'change-%'", plan, key, why) == -1)
		return -1;
	if (sqlite3_changes(s->db) > 0)
		pending_changed(s);
	return sqlite3_changes(s->db);
}

int
store_sequence_raise(struct store *s, const char *plan, const char *key)
{
	return write_plan_key(s, "UPDATE sequence SET seq = seq + 1 WHERE plan = ?1 AND key = ?2",
	    plan, key, NULL);
}

int
store_each_part(struct store *s, const char *plan, store_part_cb cb, void *arg)
{
	struct part_row r;
	sqlite3_stmt *st;
	int rc;

	if ((st = stmt(s, "SELECT plan, dim, id, title, lead, at, actor, reason,"
	    " cancelled, cancelled_by, cancel_reason FROM part WHERE ?1 IS NULL OR plan = ?1"
	    " ORDER BY plan, rowid")) == NULL)
		return -1;
	bind_text(st, 1, plan);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r.plan = col_text(st, 0);
		r.dim = col_text(st, 1);
		r.id = col_text(st, 2);
		r.title = col_text(st, 3);
		r.lead = col_text(st, 4);
		r.at = sqlite3_column_int64(st, 5);
		r.actor = col_text(st, 6);
		r.reason = col_text(st, 7);
		r.cancelled = sqlite3_column_int64(st, 8);
		r.cancelled_by = col_text(st, 9);
		r.cancel_reason = col_text(st, 10);
		cb(&r, arg);
	}
	release(s, st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* Each row of st (the columns of store_each_audit) to cb; st released after. */
static int
audit_rows(struct store *s, sqlite3_stmt *st, store_audit_cb cb, void *arg)
{
	struct audit a;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		a.seq = sqlite3_column_int64(st, 0);
		a.at = sqlite3_column_int64(st, 1);
		a.actor = col_text(st, 2);
		a.uid = sqlite3_column_type(st, 3) == SQLITE_NULL ? -1 :
		    (long)sqlite3_column_int64(st, 3);
		a.plan = col_text(st, 4);
		a.key = col_text(st, 5);
		a.action = col_text(st, 6);
		a.reason = col_text(st, 7);
		a.note = col_text(st, 8);
		a.person = col_text(st, 9);
		a.person_name = col_text(st, 10);
		a.channel = col_text(st, 11);
		a.token_id = sqlite3_column_int64(st, 12);
		cb(&a, arg);
	}
	release(s, st);
	return rc == SQLITE_DONE ? 0 : -1;
}

/* The entries of an audit query: ?1 plan, ?2 key (NULL: any), ?3 limit, ?4 a seq bound. */
static int
audit_query(struct store *s, const char *sql, const char *plan, const char *key,
    int64_t bound, int limit, store_audit_cb cb, void *arg)
{
	sqlite3_stmt *st;

	if ((st = stmt(s, sql)) == NULL)
		return -1;
	bind_text(st, 1, plan);
	bind_text(st, 2, key);
	sqlite3_bind_int(st, 3, limit > 0 ? limit : -1);
	sqlite3_bind_int64(st, 4, bound);
	return audit_rows(s, st, cb, arg);
}

int
store_each_audit(struct store *s, const char *plan, const char *key, int64_t before,
    int limit, store_audit_cb cb, void *arg)
{
	return audit_query(s, "SELECT * FROM (SELECT seq, at, actor, uid, plan, key,"
	    " action, reason, note, person, person_name, channel, token FROM audit WHERE"
	    " (?1 IS NULL OR plan = ?1) AND (?2 IS NULL OR key = ?2) AND (?4 <= 0 OR seq < ?4)"
	    " ORDER BY seq DESC LIMIT ?3) ORDER BY seq", plan, key, before, limit, cb, arg);
}

int
store_each_audit_after(struct store *s, const char *plan, const char *key, int64_t after,
    int limit, store_audit_cb cb, void *arg)
{
	return audit_query(s, "SELECT seq, at, actor, uid, plan, key, action, reason, note,"
	    " person, person_name, channel, token FROM audit WHERE seq > ?4 AND"
	    " (?1 IS NULL OR plan = ?1) AND (?2 IS NULL OR key = ?2) ORDER BY seq LIMIT ?3", plan,
	    key, after, limit, cb, arg);
}

int
store_audit_before_newest(struct store *s, const char *plan, const char *key, int64_t n,
    int64_t *seq)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = stmt(s, "SELECT seq FROM audit WHERE (?1 IS NULL OR plan = ?1) AND"
	    " (?2 IS NULL OR key = ?2) ORDER BY seq DESC LIMIT 1 OFFSET ?3")) == NULL)
		return -1;
	bind_text(st, 1, plan);
	bind_text(st, 2, key);
	sqlite3_bind_int64(st, 3, n);
	*seq = (rc = sqlite3_step(st)) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	release(s, st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

/* ---- named values ---- */

int
store_meta_get(struct store *s, const char *name, int64_t *out)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = stmt(s, "SELECT value FROM meta WHERE name = ?")) == NULL)
		return -1;
	bind_text(st, 1, name);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	release(s, st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
store_meta_set(struct store *s, const char *name, int64_t v)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = stmt(s, "INSERT INTO meta (name, value) VALUES (?1, ?2)"
	    " ON CONFLICT (name) DO UPDATE SET value = ?2")) == NULL)
		return -1;
	bind_text(st, 1, name);
	sqlite3_bind_int64(st, 2, v);
	rc = write_step(s, st);
	release(s, st);
	return rc;
}

/* ---- the outbox ---- */

int
store_occurrence_seen(struct store *s, const char *plan, const char *key, const char *kind,
    int64_t at, const char *recipient)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = stmt(s, "SELECT 1 FROM occurrence WHERE plan = ? AND key = ? AND"
	    " kind = ? AND at = ? AND recipient = ?")) == NULL)
		return -1;
	bind_text(st, 1, plan);
	bind_text(st, 2, key);
	bind_text(st, 3, kind);
	sqlite3_bind_int64(st, 4, at);
	bind_text(st, 5, recipient);
	rc = sqlite3_step(st);
	release(s, st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
store_occurrence_add(struct store *s, const char *plan, const char *key, const char *kind,
    int64_t at, const char *recipient, int64_t outbox_id)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = stmt(s, "INSERT INTO occurrence (plan, key, kind, at, recipient,"
	    " outbox_id) VALUES (?, ?, ?, ?, ?, ?)")) == NULL)
		return -1;
	bind_text(st, 1, plan);
	bind_text(st, 2, key);
	bind_text(st, 3, kind);
	sqlite3_bind_int64(st, 4, at);
	bind_text(st, 5, recipient);
	sqlite3_bind_int64(st, 6, outbox_id);
	rc = write_step(s, st);
	release(s, st);
	return rc;
}

int64_t
store_outbox_add(struct store *s, const struct outbox_row *r)
{
	sqlite3_stmt *st;
	int64_t id = -1;

	if (r->state == NULL || strcmp(r->state, "pending") == 0)
		pending_changed(s);
	if ((st = stmt(s, "INSERT INTO outbox (plan, key, recipient, kind, due_at,"
	    " created, state, next_attempt, message_id, subject, message, last_error)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)")) == NULL)
		return -1;
	bind_text(st, 1, r->plan);
	bind_text(st, 2, r->key);
	bind_text(st, 3, r->recipient);
	bind_text(st, 4, r->kind);
	sqlite3_bind_int64(st, 5, r->due_at);
	sqlite3_bind_int64(st, 6, r->created);
	bind_text(st, 7, r->state != NULL ? r->state : "pending");
	bind_text(st, 8, r->message_id);
	bind_text(st, 9, r->subject);
	sqlite3_bind_blob(st, 10, r->message != NULL ? r->message : "", (int)r->message_len,
	    SQLITE_TRANSIENT);
	bind_text(st, 11, r->last_error);
	if (write_step(s, st) == 0)
		id = sqlite3_last_insert_rowid(s->db);
	release(s, st);
	return id;
}

static void
outbox_row_read(sqlite3_stmt *st, struct outbox_row *r)
{
	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	r->plan = col_text(st, 1);
	r->key = col_text(st, 2);
	r->recipient = col_text(st, 3);
	r->kind = col_text(st, 4);
	r->due_at = sqlite3_column_int64(st, 5);
	r->created = sqlite3_column_int64(st, 6);
	r->state = col_text(st, 7);
	r->attempts = sqlite3_column_int(st, 8);
	r->next_attempt = sqlite3_column_int64(st, 9);
	r->last_error = col_text(st, 10);
	r->smtp_code = sqlite3_column_int(st, 11);
	r->sent_at = sqlite3_column_int64(st, 12);
	r->message_id = col_text(st, 13);
	r->subject = col_text(st, 14);
	r->message = sqlite3_column_blob(st, 15);
	r->message_len = (size_t)sqlite3_column_bytes(st, 15);
}

#define OUTBOX_LIST_COLS "id, plan, key, recipient, kind, due_at, created, state, attempts," \
	" next_attempt, last_error, smtp_code, sent_at, message_id, subject"
#define OUTBOX_COLS OUTBOX_LIST_COLS ", message"

int
store_outbox_each(struct store *s, const char *state, int64_t due_before, int limit,
    store_outbox_cb cb, void *arg)
{
	sqlite3_stmt *st;
	struct outbox_row r;
	char sql[512];
	int rc;

	/* Conditions only for what is asked: "?1 IS NULL OR" would defeat outbox_state. */
	snprintf(sql, sizeof(sql), "SELECT " OUTBOX_COLS " FROM outbox%s%s%s ORDER BY id"
	    " LIMIT ?3", state != NULL || due_before >= 0 ? " WHERE" : "",
	    state != NULL ? " state = ?1" : "",
	    due_before < 0 ? "" : state != NULL ? " AND next_attempt <= ?2" : " next_attempt <= ?2");
	if ((st = stmt(s, sql)) == NULL)
		return -1;
	if (state != NULL)
		bind_text(st, 1, state);
	if (due_before >= 0)
		sqlite3_bind_int64(st, 2, due_before);
	sqlite3_bind_int(st, 3, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		outbox_row_read(st, &r);
		cb(&r, arg);
	}
	release(s, st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_outbox_due(struct store *s, int64_t due_before)
{
	int64_t next;
	int rc;

	/* The earliest pending one, most often known already (store_outbox_next_attempt). */
	if ((rc = store_outbox_next_attempt(s, &next)) != 1)
		return rc;
	return next <= due_before;
}

int
store_outbox_from(struct store *s, const char *state, int64_t from, int scan,
    int (*cb)(const struct outbox_row *, void *), void *arg)
{
	sqlite3_stmt *st;
	struct outbox_row r;
	int rc, n = 0;

	/* By outbox_state_id or rowid; the message left out: a listing never shows it. */
	if ((st = stmt(s, state != NULL ? "SELECT " OUTBOX_LIST_COLS ", NULL FROM outbox"
	    " WHERE state = ?3 AND id >= ?1 ORDER BY id LIMIT ?2" : "SELECT " OUTBOX_LIST_COLS
	    ", NULL FROM outbox WHERE id >= ?1 ORDER BY id LIMIT ?2")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int(st, 2, scan);
	if (state != NULL)
		bind_text(st, 3, state);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		outbox_row_read(st, &r);
		n++;
		if (cb(&r, arg) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	release(s, st);
	return rc == SQLITE_DONE ? n : -1;
}

int
store_outbox_prune(struct store *s, int64_t sent_before, int64_t created_before, int limit)
{
	sqlite3_stmt *st;
	int rc;

	/*
	 * By outbox_sent, both sides of the OR: "+state" keeps the state indexes out, and no
	 * ORDER BY, which would read every sent row to sort them (the rows' order is no matter).
	 */
	if ((st = stmt(s, "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox"
	    " WHERE +state IN ('sent', 'failed', 'cancelled') AND (sent_at < ?1 OR"
	    " (sent_at IS NULL AND created < ?2)) LIMIT ?3)")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, sent_before);
	sqlite3_bind_int64(st, 2, created_before);
	sqlite3_bind_int(st, 3, limit);
	rc = write_step(s, st) == 0 ? sqlite3_changes(s->db) : -1;
	release(s, st);
	return rc;
}

/*
 * A feed's address carries its token, which the database otherwise holds only as a hash, and
 * a reminder its own "done" link: such a message is kept until it is sent, then erased
 * (secure_delete zeroes the old cells; the commit checkpoints the WAL that still has it).
 * One UPDATE: the erasure goes with the outcome.
 */
int
store_outbox_set(struct store *s, int64_t id, const char *state, int attempts,
    int64_t next_attempt, const char *last_error, int smtp_code, int64_t sent_at)
{
	sqlite3_stmt *st;
	int rc, secret = 0, pending = 1;

	/* A message that went was "sending" (not pending) but for an operator's retry. */
	if (strcmp(state, "sent") == 0 && (st = stmt(s, "SELECT instr(message,"
	    " CAST('/done/' AS BLOB)) > 0 OR (kind = 'feed-link' AND length(message) > 0),"
	    " state = 'pending' FROM outbox WHERE id = ?")) != NULL) {
		sqlite3_bind_int64(st, 1, id);
		if (sqlite3_step(st) == SQLITE_ROW) {
			secret = sqlite3_column_int(st, 0);
			pending = sqlite3_column_int(st, 1);
		}
		release(s, st);
	}
	if (pending)
		pending_changed(s);
	/* What went or will never go needs no body; a cancelled feed's link keeps its own. */
	if ((st = stmt(s, "UPDATE outbox SET state = ?1, attempts = ?, next_attempt = ?,"
	    " last_error = ?, smtp_code = ?, sent_at = ?, message = CASE WHEN ?1 = 'sent' OR"
	    " (?1 = 'cancelled' AND kind <> 'feed-link') THEN zeroblob(0) ELSE message END"
	    " WHERE id = ?")) == NULL)
		return -1;
	bind_text(st, 1, state);
	sqlite3_bind_int(st, 2, attempts);
	sqlite3_bind_int64(st, 3, next_attempt);
	bind_text(st, 4, last_error);
	if (smtp_code > 0)
		sqlite3_bind_int(st, 5, smtp_code);
	else
		sqlite3_bind_null(st, 5);
	if (sent_at > 0)
		sqlite3_bind_int64(st, 6, sent_at);
	else
		sqlite3_bind_null(st, 6);
	sqlite3_bind_int64(st, 7, id);
	rc = write_step(s, st) == 0 && sqlite3_changes(s->db) == 1 ? 0 : -1;
	release(s, st);
	if (rc == 0 && secret)
		s->wiped = 1;
	return rc;
}

int
store_outbox_requeue_sending(struct store *s)
{
	pending_changed(s);
	return write_exec(s, "UPDATE outbox SET state = 'pending' WHERE state = 'sending'");
}

int
store_outbox_wait_at_most(struct store *s, int64_t latest)
{
	sqlite3_stmt *st;
	int rc;

	pending_changed(s);
	if ((st = stmt(s, "UPDATE outbox SET next_attempt = ?1 WHERE state ="
	    " 'pending' AND next_attempt > ?1")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, latest);
	rc = write_step(s, st);
	release(s, st);
	return rc;
}

int
store_outbox_next_attempt(struct store *s, int64_t *out)
{
	sqlite3_stmt *st;
	int rc;

	if (s->pend_known) {
		if (s->pend_any)
			*out = s->pend_min;
		return s->pend_any;
	}
	if ((st = stmt(s, "SELECT min(next_attempt) FROM outbox WHERE state ="
	    " 'pending'")) == NULL)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*out = sqlite3_column_int64(st, 0);
		rc = 1;
	} else
		rc = rc == SQLITE_ROW ? 0 : -1;
	release(s, st);
	if (rc != -1) {
		s->pend_known = 1;
		s->pend_any = rc;
		s->pend_min = rc == 1 ? *out : 0;
	}
	return rc;
}

int
store_outbox_count(struct store *s, const char *state, int64_t *n)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = stmt(s, "SELECT count(*) FROM outbox WHERE state = ?")) == NULL)
		return -1;
	bind_text(st, 1, state);
	rc = sqlite3_step(st);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	release(s, st);
	return rc == SQLITE_ROW ? 0 : -1;
}

int
store_outbox_retry(struct store *s, int64_t id)
{
	sqlite3_stmt *st;
	int rc;

	pending_changed(s);
	if ((st = stmt(s, "UPDATE outbox SET state = 'pending', attempts = 0,"
	    " next_attempt = 0 WHERE id = ? AND state = 'failed'")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = write_step(s, st) == 0 ? (sqlite3_changes(s->db) == 1 ? 0 : 1) : -1;
	release(s, st);
	return rc;
}

/* ---- feeds ---- */

int64_t
store_feed_add(struct store *s, const char *kind, const char *subject, const unsigned char *hash,
    int64_t created, const char *by, int64_t replaces)
{
	sqlite3_stmt *st;
	int64_t id = -1;

	if ((st = stmt(s, "INSERT INTO feed (kind, subject, token_hash, created,"
	    " created_by, replaces) VALUES (?, ?, ?, ?, ?, ?)")) == NULL)
		return -1;
	bind_text(st, 1, kind);
	bind_text(st, 2, subject);
	sqlite3_bind_blob(st, 3, hash, 32, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 4, created);
	bind_text(st, 5, by);
	if (replaces > 0)
		sqlite3_bind_int64(st, 6, replaces);
	else
		sqlite3_bind_null(st, 6);
	if (write_step(s, st) == 0)
		id = sqlite3_last_insert_rowid(s->db);
	release(s, st);
	return id;
}

static void
feed_read(sqlite3_stmt *st, struct feed_row *f)
{
	memset(f, 0, sizeof(*f));
	f->id = sqlite3_column_int64(st, 0);
	f->kind = col_text(st, 1);
	f->subject = col_text(st, 2);
	f->created = sqlite3_column_int64(st, 3);
	f->created_by = col_text(st, 4);
	f->revoked = sqlite3_column_int64(st, 5);
	if (sqlite3_column_bytes(st, 6) == 32)
		memcpy(f->hash, sqlite3_column_blob(st, 6), 32);
}

#define FEED_COLS "id, kind, subject, created, created_by, revoked, token_hash"

int
store_feed_by_hash(struct store *s, const unsigned char *hash, store_feed_cb cb, void *arg)
{
	sqlite3_stmt *st;
	struct feed_row f;
	int rc;

	if ((st = stmt(s, "SELECT " FEED_COLS " FROM feed WHERE token_hash = ?"
	    " AND revoked IS NULL")) == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		feed_read(st, &f);
		cb(&f, arg);
	}
	release(s, st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* Each feed row of st to cb; st released after. */
static int
feed_rows(struct store *s, sqlite3_stmt *st, store_feed_cb cb, void *arg)
{
	struct feed_row f;
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		feed_read(st, &f);
		cb(&f, arg);
	}
	release(s, st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_feed_each(struct store *s, int64_t id, store_feed_cb cb, void *arg)
{
	sqlite3_stmt *st;

	if ((st = stmt(s, "SELECT " FEED_COLS " FROM feed WHERE ?1 <= 0 OR id = ?1"
	    " ORDER BY id")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return feed_rows(s, st, cb, arg);
}

int
store_feed_each_from(struct store *s, int64_t from, int limit, store_feed_cb cb, void *arg)
{
	sqlite3_stmt *st;

	if ((st = stmt(s, "SELECT " FEED_COLS " FROM feed WHERE id >= ? ORDER BY id"
	    " LIMIT ?")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int(st, 2, limit);
	return feed_rows(s, st, cb, arg);
}

int
store_feed_revoke(struct store *s, int64_t id, int64_t at)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = stmt(s, "UPDATE feed SET revoked = ? WHERE id = ? AND revoked IS"
	    " NULL")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, at);
	sqlite3_bind_int64(st, 2, id);
	rc = write_step(s, st) == 0 ? (sqlite3_changes(s->db) == 1 ? 0 : 1) : -1;
	release(s, st);
	return rc;
}

/* ---- what the feeds publish about plans ---- */

int
store_each_sequence(struct store *s, const char *plan, store_seq_cb cb, void *arg)
{
	sqlite3_stmt *st = s->seq_each;
	int rc;

	bind_text(st, 1, plan);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		cb(col_text(st, 0), (uint64_t)sqlite3_column_int64(st, 1),
		    sqlite3_column_int(st, 2), arg);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_get_sequence(struct store *s, const char *plan, const char *key, uint64_t *hash, int *seq)
{
	sqlite3_stmt *st = s->seq_get;
	int rc;

	bind_text(st, 1, plan);
	bind_text(st, 2, key);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*hash = (uint64_t)sqlite3_column_int64(st, 0);
		*seq = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
store_put_sequence(struct store *s, const char *plan, const char *key, uint64_t hash, int seq)
{
	sqlite3_stmt *st = s->seq_put;

	bind_text(st, 1, plan);
	bind_text(st, 2, key);
	sqlite3_bind_int64(st, 3, (int64_t)hash);
	sqlite3_bind_int(st, 4, seq);
	return step_done(s, st);
}

int
store_plan_seen(struct store *s, const char *plan, uint64_t hash, int64_t now, int64_t *since)
{
	sqlite3_stmt *st = s->seen_get;
	int rc, same;

	bind_text(st, 1, plan);
	rc = sqlite3_step(st);
	same = rc == SQLITE_ROW && (uint64_t)sqlite3_column_int64(st, 0) == hash;
	if (same)
		*since = sqlite3_column_int64(st, 1);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (same)
		return 0;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	*since = now;
	st = s->seen_put;
	bind_text(st, 1, plan);
	sqlite3_bind_int64(st, 2, (int64_t)hash);
	sqlite3_bind_int64(st, 3, now);
	return step_done(s, st);
}

int64_t
store_size(struct store *s)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	if ((st = stmt(s, "SELECT page_count * page_size FROM pragma_page_count(),"
	    " pragma_page_size()")) == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	release(s, st);
	return n;
}

/* ---- personal access tokens and login codes: hashes only ---- */

int64_t
store_token_add(struct store *s, const char *person, const unsigned char *hash, int64_t created,
    int64_t expires, const char *by, const char *how)
{
	sqlite3_stmt *st;
	int64_t id = -1;

	if ((st = stmt(s, "INSERT INTO token (person, token_hash, created, expires,"
	    " created_by, how) VALUES (?, ?, ?, ?, ?, ?)")) == NULL)
		return -1;
	bind_text(st, 1, person);
	sqlite3_bind_blob(st, 2, hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, created);
	sqlite3_bind_int64(st, 4, expires);
	bind_text(st, 5, by);
	bind_text(st, 6, how);
	if (sqlite3_step(st) == SQLITE_DONE)
		id = sqlite3_last_insert_rowid(s->db);
	release(s, st);
	return id;
}

static int
token_rows(struct store *s, sqlite3_stmt *st, store_token_cb cb, void *arg)
{
	struct token_row row;
	int rc, n = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&row, 0, sizeof(row));
		row.id = sqlite3_column_int64(st, 0);
		row.person = col_text(st, 1);
		if (sqlite3_column_bytes(st, 2) == 32)
			memcpy(row.hash, sqlite3_column_blob(st, 2), 32);
		row.created = sqlite3_column_int64(st, 3);
		row.expires = sqlite3_column_int64(st, 4);
		row.created_by = col_text(st, 5);
		row.how = col_text(st, 6);
		row.revoked = sqlite3_column_int64(st, 7);
		cb(&row, arg);
		n++;
	}
	(void)s;
	release(s, st);
	return rc == SQLITE_DONE ? n : -1;
}

#define TOKEN_COLS "SELECT id, person, token_hash, created, expires, created_by, how," \
	" coalesce(revoked, 0) FROM token"

int
store_token_by_hash(struct store *s, const unsigned char *hash, store_token_cb cb, void *arg)
{
	sqlite3_stmt *st;
	int n;

	if ((st = stmt(s, TOKEN_COLS " WHERE token_hash = ?")) == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	n = token_rows(s, st, cb, arg);
	return n < 0 ? -1 : n > 0;
}

int
store_token_each(struct store *s, const char *person, int64_t from, int limit,
    store_token_cb cb, void *arg)
{
	sqlite3_stmt *st;

	if ((st = stmt(s, TOKEN_COLS " WHERE (?1 IS NULL OR person = ?1 COLLATE NOCASE)"
	    " AND id >= ?2 ORDER BY id LIMIT ?3")) == NULL)
		return -1;
	bind_text(st, 1, person);
	sqlite3_bind_int64(st, 2, from);
	sqlite3_bind_int(st, 3, limit > 0 ? limit : -1);
	return token_rows(s, st, cb, arg) < 0 ? -1 : 0;
}

int
store_token_revoke(struct store *s, int64_t id, int64_t at)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = stmt(s, "UPDATE token SET revoked = ? WHERE id = ? AND revoked IS"
	    " NULL")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, at);
	sqlite3_bind_int64(st, 2, id);
	rc = sqlite3_step(st) == SQLITE_DONE ? (sqlite3_changes(s->db) > 0 ? 0 : 1) : -1;
	release(s, st);
	return rc;
}

int64_t
store_login_add(struct store *s, const char *person, const unsigned char *hash, int64_t created,
    int64_t expires)
{
	sqlite3_stmt *st;
	int64_t id = -1;

	if ((st = stmt(s, "INSERT INTO login (person, code_hash, created, expires)"
	    " VALUES (?, ?, ?, ?)")) == NULL)
		return -1;
	bind_text(st, 1, person);
	sqlite3_bind_blob(st, 2, hash, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, created);
	sqlite3_bind_int64(st, 4, expires);
	if (sqlite3_step(st) == SQLITE_DONE)
		id = sqlite3_last_insert_rowid(s->db);
	release(s, st);
	return id;
}

int
store_login_last(struct store *s, const char *person, store_login_cb cb, void *arg)
{
	struct login_row row;
	sqlite3_stmt *st;
	int rc;

	/* Only the newest request counts: asking again spends the earlier codes. */
	if ((st = stmt(s, "SELECT id, code_hash, expires, attempts FROM login WHERE"
	    " person = ? COLLATE NOCASE AND used IS NULL AND id = (SELECT max(id) FROM login"
	    " WHERE person = ?1 COLLATE NOCASE)")) == NULL)
		return -1;
	bind_text(st, 1, person);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&row, 0, sizeof(row));
		row.id = sqlite3_column_int64(st, 0);
		if (sqlite3_column_bytes(st, 1) == 32)
			memcpy(row.hash, sqlite3_column_blob(st, 1), 32);
		row.expires = sqlite3_column_int64(st, 2);
		row.attempts = sqlite3_column_int(st, 3);
		cb(&row, arg);
	}
	release(s, st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int
store_login_attempt(struct store *s, int64_t id, int64_t used)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = stmt(s, "UPDATE login SET attempts = attempts + 1,"
	    " used = CASE WHEN ?1 > 0 THEN ?1 ELSE used END WHERE id = ?2")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, used);
	sqlite3_bind_int64(st, 2, id);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	release(s, st);
	return rc;
}

/* ---- the web's sessions and one-time links: hashes only ---- */

int64_t
store_session_add(struct store *s, const char *person, const unsigned char *hash,
    int64_t created, int64_t expires)
{
	sqlite3_stmt *st;
	int64_t id = -1;

	if ((st = stmt(s, "INSERT INTO session (token_hash, person, created, seen,"
	    " expires) VALUES (?, ?, ?, ?3, ?)")) == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	bind_text(st, 2, person);
	sqlite3_bind_int64(st, 3, created);
	sqlite3_bind_int64(st, 4, expires);
	if (write_step(s, st) == 0)
		id = sqlite3_last_insert_rowid(s->db);
	release(s, st);
	return id;
}

int
store_session_by_hash(struct store *s, const unsigned char *hash, struct session_row *row)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = stmt(s, "SELECT id, token_hash, person, created, seen, expires,"
	    " coalesce(ended, 0) FROM session WHERE token_hash = ?")) == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	memset(row, 0, sizeof(*row));
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row->id = sqlite3_column_int64(st, 0);
		if (sqlite3_column_bytes(st, 1) == 32)
			memcpy(row->hash, sqlite3_column_blob(st, 1), 32);
		snprintf(row->person, sizeof(row->person), "%s", col_text(st, 2));
		row->created = sqlite3_column_int64(st, 3);
		row->seen = sqlite3_column_int64(st, 4);
		row->expires = sqlite3_column_int64(st, 5);
		row->ended = sqlite3_column_int64(st, 6);
	}
	release(s, st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
store_session_seen(struct store *s, int64_t id, int64_t seen, int64_t ended)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = stmt(s, "UPDATE session SET seen = ?, ended = CASE WHEN ? > 0 THEN"
	    " ?2 ELSE ended END WHERE id = ? AND ended IS NULL")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, seen);
	sqlite3_bind_int64(st, 2, ended);
	sqlite3_bind_int64(st, 3, id);
	rc = write_step(s, st);
	release(s, st);
	return rc;
}

int64_t
store_weblink_add(struct store *s, const struct weblink_row *w)
{
	sqlite3_stmt *st;
	int64_t id = -1;

	if ((st = stmt(s, "INSERT INTO weblink (kind, token_hash, person, plan, key,"
	    " created, expires) VALUES (?, ?, ?, ?, ?, ?, ?)")) == NULL)
		return -1;
	bind_text(st, 1, w->kind);
	sqlite3_bind_blob(st, 2, w->hash, 32, SQLITE_STATIC);
	bind_text(st, 3, w->person);
	bind_text(st, 4, w->plan[0] != '\0' ? w->plan : NULL);
	bind_text(st, 5, w->key[0] != '\0' ? w->key : NULL);
	sqlite3_bind_int64(st, 6, w->created);
	sqlite3_bind_int64(st, 7, w->expires);
	if (write_step(s, st) == 0)
		id = sqlite3_last_insert_rowid(s->db);
	release(s, st);
	return id;
}

int
store_weblink_by_hash(struct store *s, const unsigned char *hash, struct weblink_row *w)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = stmt(s, "SELECT id, kind, token_hash, person, coalesce(plan, ''),"
	    " coalesce(key, ''), created, expires, coalesce(used, 0) FROM weblink WHERE"
	    " token_hash = ?")) == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, hash, 32, SQLITE_STATIC);
	memset(w, 0, sizeof(*w));
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		w->id = sqlite3_column_int64(st, 0);
		snprintf(w->kind, sizeof(w->kind), "%s", col_text(st, 1));
		if (sqlite3_column_bytes(st, 2) == 32)
			memcpy(w->hash, sqlite3_column_blob(st, 2), 32);
		snprintf(w->person, sizeof(w->person), "%s", col_text(st, 3));
		snprintf(w->plan, sizeof(w->plan), "%s", col_text(st, 4));
		snprintf(w->key, sizeof(w->key), "%s", col_text(st, 5));
		w->created = sqlite3_column_int64(st, 6);
		w->expires = sqlite3_column_int64(st, 7);
		w->used = sqlite3_column_int64(st, 8);
	}
	release(s, st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
store_weblink_use(struct store *s, int64_t id, int64_t at)
{
	sqlite3_stmt *st;
	int rc;

	if ((st = stmt(s, "UPDATE weblink SET used = ? WHERE id = ? AND used IS NULL")) == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, at);
	sqlite3_bind_int64(st, 2, id);
	rc = write_step(s, st) == 0 ? (sqlite3_changes(s->db) > 0 ? 0 : 1) : -1;
	release(s, st);
	return rc;
}
