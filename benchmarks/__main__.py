"""`python -m benchmarks`: every benchmark, one after the other."""

from benchmarks import check_bench, grade_bench, static_bench

static_bench.main()
print()
check_bench.main([])
print()
grade_bench.main()
