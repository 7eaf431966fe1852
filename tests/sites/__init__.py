"""Local sites that tests and benchmarks serve over real HTTP: a JSON/JCMS API site
(``apisite``), a site with faults (``faultsite``) and a generated letter board
(``sitegen``)."""
