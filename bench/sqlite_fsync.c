/* sqlite_fsync.c: the baseline: one INSERT per transaction, WAL, synchronous=FULL. */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		errx(1, "%s: %s", sql, msg ? msg : sqlite3_errmsg(db));
}

static void
prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
		errx(1, "%s: %s", sql, sqlite3_errmsg(db));
}

static void
step(sqlite3 *db, sqlite3_stmt *st)
{
	if (sqlite3_step(st) != SQLITE_DONE)
		errx(1, "%s: %s", sqlite3_sql(st), sqlite3_errmsg(db));
	sqlite3_reset(st);
}

int
main(int argc, char **argv)
{
	sqlite3 *db;
	sqlite3_stmt *begin, *ins, *commit, *mode;
	double seconds = 2.0, t0, elapsed;
	long n = 0;
	char *end, key[16];

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: sqlite_fsync DATABASE [seconds]\n");
		return 2;
	}
	if (argc == 3) {
		seconds = strtod(argv[2], &end);
		if (*end != '\0' || seconds <= 0 || seconds > 600)
			errx(2, "seconds: a number from 0 to 600");
	}
	if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK)
		errx(1, "%s: %s", argv[1], db ? sqlite3_errmsg(db) : "cannot open");
	prepare(db, "PRAGMA journal_mode = WAL", &mode);
	if (sqlite3_step(mode) != SQLITE_ROW ||
	    strcmp((const char *)sqlite3_column_text(mode, 0), "wal") != 0)
		errx(1, "%s: cannot switch to WAL", argv[1]);
	sqlite3_finalize(mode);
	exec(db, "PRAGMA synchronous = FULL");
	exec(db, "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, key TEXT NOT NULL, "
	    "at INTEGER NOT NULL)");
	prepare(db, "BEGIN IMMEDIATE", &begin);
	prepare(db, "INSERT INTO t (key, at) VALUES (?, ?)", &ins);
	prepare(db, "COMMIT", &commit);

	t0 = now_s();
	while ((elapsed = now_s() - t0) < seconds) {
		snprintf(key, sizeof(key), "m%05ld", n % 100000);
		step(db, begin);
		sqlite3_bind_text(ins, 1, key, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(ins, 2, (sqlite3_int64)time(NULL));
		step(db, ins);
		step(db, commit);
		n++;
	}
	printf("sqlite-full-insert  %.0f commits/s  (n=%ld in %.2f s; WAL, synchronous=FULL, "
	    "one INSERT per transaction)\n", (double)n / elapsed, n, elapsed);
	sqlite3_finalize(begin);
	sqlite3_finalize(ins);
	sqlite3_finalize(commit);
	if (sqlite3_close(db) != SQLITE_OK)
		errx(1, "close: %s", sqlite3_errmsg(db));
	return 0;
}
