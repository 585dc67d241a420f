"""The checks of the test scripts' python parts (tests/e2e/t_report_*.sh): check() prints
"ok: WHAT" or "FAIL: WHAT" and counts; done() prints the tally and exits 1 if any failed.
A script reaches it with sys.path.insert(0, os.environ["SRCDIR"] + "/tests/tools")."""
import sys

_fails = []
_checks = 0


def check(cond, what):
    global _checks
    _checks += 1
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        _fails.append(what)


def done():
    print("%d checks, %d failed" % (_checks, len(_fails)))
    sys.exit(1 if _fails else 0)
