"""From voices to estimates: online and survey voices (``voices``), the estimators with
their bootstrap replicates (``methods``: raw, rake, survey, blend, pseudo), MRP (``mrp``),
the checks of the blend's assumption (``assumptions``) and visit planning (``plan``)."""
