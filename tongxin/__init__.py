"""tongxin (同心): public-opinion sampling that corrects for representation gaps.

The library is :mod:`opinion` (store, text, surveys, estimates, reports), with
:mod:`scrapers` (crawling) and :mod:`weighting` (the survey-weighting engine);
:mod:`cli` is the command line. This package holds what joins them: ``python -m
tongxin``, the end-to-end demo (:mod:`tongxin.demo`, which serves a site and crawls
it) and the shipped data (``tongxin.data``).
"""
