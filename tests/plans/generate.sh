#!/bin/sh
# generate.sh KIND ...: print a large plan, for tests and benchmarks (not kept in the tree).
#   chain N        m0 requires m1 ... requires mN-1
#   cycle N        the same, and mN-1 requires m0
#   all P N        P parties, N milestones for all of them, each requiring the one before @all
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
*)
	echo "usage: generate.sh chain N | cycle N | all PARTIES MILESTONES" >&2
	exit 2 ;;
esac
