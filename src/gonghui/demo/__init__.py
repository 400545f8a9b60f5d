"""Deterministic demo data (``gonghui seed``) and the large data set for benchmarks
(``gonghui seed --members N``), plus the demo logins (``gonghui demo_logins``)."""
