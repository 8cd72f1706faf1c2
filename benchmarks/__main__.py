"""`python -m benchmarks`: every benchmark, one after the other."""

from benchmarks import check_bench, static_bench

static_bench.main()
print()
check_bench.main()
try:
    from benchmarks import grade_bench
except ImportError:
    pass
else:
    print()
    grade_bench.main()
