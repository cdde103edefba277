/* mailer.h: hands finished messages to SMTP (libcurl multi, in mail threads) or a maildir. */
#ifndef TERMIJN_MAILER_H
#define TERMIJN_MAILER_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct mailer;

/* The zero value is the safe one. */
enum mailer_tls {
	MAILER_TLS_REQUIRED = 0,	/* STARTTLS (or smtps://), else the send fails */
	MAILER_TLS_OPPORTUNISTIC,	/* STARTTLS when offered: no protection from a downgrade */
	MAILER_TLS_NONE			/* never STARTTLS; smtps:// is still TLS */
};

struct mailer_config {
	/*
	 * smtp://host[:port][/ehlo-name], smtps://host[:port][/ehlo-name], or
	 * maildir:DIR (DIR, DIR/tmp, DIR/new and DIR/cur are made when missing).
	 */
	const char	*url;
	enum mailer_tls	 tls;
	const char	*user;		/* NULL: no AUTH */
	const char	*password_file;	/* with user: read once, by mailer_new */
	const char	*cafile;	/* NULL: the system's CAs */
	long		 connect_timeout_ms;	/* 0: 10 s */
	long		 total_timeout_ms;	/* 0: 30 s, per message from its start */
	int		 max_in_flight;		/* sessions; 0: 4; more sends wait their turn */
};

enum mail_result {
	MAIL_SENT,
	MAIL_TEMPFAIL,	/* retry later: a 4xx reply, no reply (code 0), timeout, TLS, I/O */
	MAIL_PERMFAIL	/* a 5xx reply, a refused login (535) too: not again as it is */
};

/*
 * The outcome of one mailer_send. smtp_code is the server's last reply code
 * (250 when sent; 0 without a reply or for a maildir); errmsg is NULL when
 * sent, else a one-line printable description with the server's reply text
 * when there was one. errmsg lives only during the call.
 */
typedef void (*mailer_done_cb)(uint64_t id, enum mail_result, int smtp_code,
    const char *errmsg, void *arg);

/*
 * NULL and *cause (to be freed) when the config is wrong or the password file
 * unreadable. For SMTP this starts max_in_flight mail threads, each a session
 * where libcurl runs on an event loop of its own (libcurl waits for the reply
 * to the end of DATA synchronously); the daemon's loop, base, only runs the
 * done callbacks.
 * The process must ignore SIGPIPE.
 */
struct mailer	*mailer_new(struct event_base *, const struct mailer_config *,
		    char **cause);

/*
 * Cancel whatever is queued or in flight, without calling any done callback,
 * and free. Transfers in flight are cut (their sockets shut down) so that a
 * server never takes half a message, but one that had sent its end of DATA
 * may still be delivered: delivery is at least once. Idle connections get a
 * QUIT, which waits at most the total timeout. May be called from a done
 * callback.
 */
void		 mailer_free(struct mailer *);

/*
 * Queue one message (CRLF line ends, as mail_compose writes it) for one
 * recipient; msg, from and rcpt are copied. 0: accepted, and done is called
 * exactly once later from the loop of base, never from inside mailer_send.
 * -1 and *cause: refused (an address that is not mail_addr_valid), and done
 * is never called.
 */
int		 mailer_send(struct mailer *, uint64_t id, const char *from,
		    const char *rcpt, const char *msg, size_t len, mailer_done_cb done,
		    void *arg, char **cause);

#endif
