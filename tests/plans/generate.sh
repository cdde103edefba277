#!/bin/sh
# generate.sh KIND ...: print a large plan, for tests and benchmarks (not kept in the tree).
#   chain N        m0 requires m1 ... requires mN-1
#   cycle N        the same, and mN-1 requires m0
#   all P N        P parties, N milestones for all of them, each requiring the one before @all
#   national SHAPE N DIR
#                  national size, N instances into DIR (made): SHAPE "plans", plans of 5
#                  parties and 32 instances each (p0000.plan, ...), or "one", a plan of 342
#                  parties; per-party milestones with @all and @same requirements, windows,
#                  repeats, same-moment steps and reminders; in the first plan a dimension
#                  (onderdeel) without parts yet. Also writes DIR/../keys (the
#                  bodies of `done` requests that need no prerequisite) and DIR/../feedplan
#                  (one plan's id); prints the instance count.
case $1 in
chain | cycle)
	awk -v n="$2" -v cycle="$([ "$1" = cycle ] && echo 1)" 'BEGIN {
		print "plan chain\n  title Chain\nrole sec\n  address sec@x.example"
		for (i = 0; i < n; i++) {
			printf "milestone m%d\n  title M\n  owner sec\n  due 2014-01-01\n", i
			if (i + 1 < n) printf "  requires m%d\n", i + 1
			else if (cycle) print "  requires m0"
		}
	}' ;;
all)
	awk -v np="$2" -v nm="$3" 'BEGIN {
		print "plan all\n  title All\nrole sec\n  address sec@x.example"
		for (i = 0; i < np; i++) printf "party p%d\n  name P%d\n", i, i
		for (i = 0; i < nm; i++) {
			printf "milestone m%d\n  title M\n  owner sec\n  parties all\n", i
			printf "  due 2014-01-01\n"
			if (i > 0) printf "  requires m%d@all\n", i - 1
		}
	}' ;;
national)
	mkdir -p "$4" || exit 1
	awk -v shape="$2" -v n="$3" -v dir="$4" -v keys="$4/../keys" '
	# Day number x from 2014-01-01 as a date (up to the end of 2015).
	function day(x,   y, mo, len) {
		split("31 28 31 30 31 30 31 31 30 31 30 31", len, " ")
		for (y = 2014; x >= 365; y++)
			x -= 365
		for (mo = 1; x >= len[mo]; mo++)
			x -= len[mo]
		return sprintf("%d-%02d-%02d", y, mo, x + 1)
	}
	BEGIN {
	if (shape == "plans") {
		np = int(n / 32); if (np < 1) np = 1
		for (p = 0; p < np; p++) {
			f = sprintf("%s/p%04d.plan", dir, p); id = sprintf("p%04d", p)
			printf "plan %s\n  title Gemeenschappelijke regeling %d\n", id, p > f
			printf "  timezone Europe/Amsterdam\n  language nl\n  remind 7d, 1d\n" > f
			printf "  remind-at 08:30\n  working-days nl\n\n" > f
			printf "role sec\n  name Secretaris\n\n" > f
			for (q = 1; q <= 5; q++)
				printf "party q%d\n  name Gemeente %d-%d\n  role sec sec@q%d-%d.example\n\n",
				    q, p, q, q, p > f
			printf "milestone a\n  title A\n  owner sec\n  parties all\n  due 2014-03-01\n\n" > f
			printf "milestone b\n  title B\n  owner sec\n  parties all\n  requires a@same\n" > f
			printf "  window 2014-02-01 .. 2014-03-15\n\n" > f
			printf "milestone c\n  title C\n  owner sec\n  requires b@all\n  due 2014-04-01\n" > f
			printf "  remind 3d\n\n" > f
			printf "milestone d\n  title D\n  owner sec\n  parties all\n  requires c\n" > f
			printf "  due 2014-04-15\n  repeat every 1 months until 2014-05-15\n\n" > f
			printf "milestone e\n  title E\n  owner sec\n  parties all\n  same-moment yes\n" > f
			printf "  not-before 2014-05-01\n  due 2014-05-20\n  requires b@same\n\n" > f
			printf "milestone f\n  title F\n  owner sec\n  requires e@all\n  due 2014-06-01\n\n" > f
			printf "milestone g\n  title G\n  owner sec\n  parties all\n  due 2014-06-15\n" > f
			printf "  escalate-after 7d\n  escalate-to sec\n" > f
			# The first plan has parts to add (bench/scale.sh): none at first.
			if (p == 0)
				printf "\ndimension onderdeel\n\nmilestone h\n  title H\n  owner sec\n" \
				    "  per onderdeel\n  requires a\n  due 2014-06-01\n" > f
			close(f)
			for (q = 1; q <= 5; q++) {
				printf "{\"plan\": \"%s\", \"key\": \"a@q%d\"}\n", id, q > keys
				printf "{\"plan\": \"%s\", \"key\": \"g@q%d\"}\n", id, q > keys
			}
		}
		print "p0000" > (dir "/../feedplan")
		print np * 32
	} else {
		P = 342; m = int(n / P); if (m < 2) m = 2; f = dir "/national.plan"; total = 0
		printf "plan national\n  title Landelijk\n  timezone Europe/Amsterdam\n" > f
		printf "  language nl\n  remind 7d, 1d\n  remind-at 08:30\n\n" > f
		printf "role sec\n  name Secretaris\n\n" > f
		for (q = 0; q < P; q++)
			printf "party g%03d\n  name Gemeente %d\n  role sec sec@g%03d.example\n\n",
			    q, q, q > f
		for (i = 0; i < m; i++) {
			printf "milestone m%d\n  title Stap %d\n  owner sec\n  parties all\n", i, i > f
			k = i % 10; d = 45 + i
			if (k == 0 || k == 5) {
				printf "  due %s\n", day(d) > f
				for (q = 0; q < P; q++)
					printf "{\"plan\": \"national\", \"key\": \"m%d@g%03d\"}\n", i, q > keys
			} else if (k == 2) {
				printf "  requires m%d@all\n  due %s\n", i - 1, day(d) > f
			} else if (k == 3) {
				# A leaf: its second occurrence is due after what follows.
				printf "  requires m%d@same\n  due %s\n", i - 1, day(d) > f
				printf "  repeat every 1 months until %s\n", day(d + 31) > f
				total += P
			} else if (k == 4) {
				printf "  requires m%d@same\n  due %s\n  remind 3d\n", i - 2, day(d) > f
			} else if (k == 7) {
				printf "  requires m%d@same\n  same-moment yes\n", i - 1 > f
				printf "  not-before %s\n  due %s\n", day(d - 3), day(d) > f
			} else {
				printf "  requires m%d@same\n  window %s .. %s\n", i - 1, day(d - 10),
				    day(d) > f
			}
			printf "\n" > f
			total += P
		}
		printf "dimension onderdeel\n\nmilestone h\n  title H\n  owner sec\n" > f
		printf "  per onderdeel\n  requires m0\n  due %s\n", day(d + 40) > f
		print "national" > (dir "/../feedplan")
		print total
	}
	}' ;;
*)
	echo "usage: generate.sh chain N | cycle N | all PARTIES MILESTONES | national SHAPE N DIR" >&2
	exit 2 ;;
esac
