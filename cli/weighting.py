"""``tongxin weight`` and ``tongxin estimate``: thin wrappers over :mod:`weighting`."""
from __future__ import annotations

import json
import logging
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click
import pandas as pd

from opinion.attributes import normalise_level
from weighting import (
    MARGIN_METHODS,
    RakeReweight,
    ReferenceSample,
    WeightingResult,
    get_method,
    pseudo_estimate,
)
from weighting import (
    estimate as estimate_table,
)
from weighting.margins import JOINT_SEP, zero_target_error, zero_target_levels
from weighting.pseudo import ESTIMATORS
from weighting.targets import load_margins

if TYPE_CHECKING:
    from weighting.variance import Reweight

logger = logging.getLogger(__name__)

FORMATS = ("table", "csv", "json")


def _read_csv(path: str, text_columns: list[str] | None = None) -> pd.DataFrame:
    """A table file (CSV in any encoding and delimiter, or .xlsx) through the one table
    reader; ``text_columns`` stay text (all of them when None), the rest become numbers
    where every cell is one."""
    from opinion.files.tables import read_frame

    return read_frame(path, text_columns=text_columns)


def _require(frame: pd.DataFrame, path: str, columns: Sequence[str | None]) -> None:
    for column in columns:
        if column is not None and column not in frame.columns:
            raise click.ClickException(
                f"{path}: column {column!r} not found (columns are: "
                f"{', '.join(map(str, frame.columns))})"
            )


def _split(text: str | None) -> list[str] | None:
    return [part.strip() for part in text.split(",") if part.strip()] if text else None


def _normalised(frame: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
    """A copy whose weighting columns use level codes (男 -> male); other columns untouched."""
    out = frame.copy()
    for column in {c for dim in dims for c in dim.split(JOINT_SEP)}:
        if pd.api.types.is_numeric_dtype(frame[column].dtype):
            continue
        out[column] = [
            v if pd.isna(v) else (normalise_level(column, v) or str(v).strip())
            for v in frame[column].tolist()
        ]
    return out


def _summary(result: WeightingResult) -> str:
    d = result.diagnostics
    state = (
        f"converged in {result.iterations} iteration(s)"
        if result.converged
        else f"NOT converged after {result.iterations} iteration(s)"
    )
    return (
        f"{result.method}: {d['n']} rows, {state}; weights {d['min']:.4g} to {d['max']:.4g} "
        f"(ratio {d['ratio']:.3g}), CV {d['cv']:.3f}, design effect {d['deff']:.3f}, "
        f"effective sample size {d['ess']:.1f}"
    )


@click.command()
@click.argument("sample_csv", metavar="SAMPLE.csv", type=click.Path(dir_okay=False))
@click.option("--margins", "margins_csv", required=True,
              help="Targets: a table file with columns variable,level,target (counts or shares) or as a "
              "statistics bureau writes it (变量/类别/人数, 比重 in %, 合计 rows, a cross-tab), or a "
              "shipped census table: census2020:全国, census2020:广东, ...")
@click.option("--method", type=click.Choice(sorted(MARGIN_METHODS)), default="rake",
              show_default=True, help="Weighting method.")
@click.option("--weight-column", help="Column of base (design) weights; default 1 for every row.")
@click.option("--variables", help="Comma-separated weighting variables (joint ones as a*b); "
              "default: every variable of the margins.")
@click.option("--drop-zero-targets", is_flag=True,
              help="Rows in a level whose target is 0 (a township merged away that respondents still name) get "
              "weight 0 and are counted on stderr, instead of stopping with an error.")
@click.option("--out", type=click.Path(dir_okay=False), help="Write here instead of stdout.")
def weight(
    sample_csv: str,
    margins_csv: str,
    method: str,
    weight_column: str | None,
    variables: str | None,
    drop_zero_targets: bool,
    out: str | None,
) -> None:
    """Weight the rows of SAMPLE.csv to population margins.

    Writes the same rows with a `weight` column added (replaced if present) and prints
    a summary of the weights (range, design effect, effective sample size) on stderr.
    Chinese labels such as 男/女 and 城镇/乡村 are accepted in both files. A row in a
    level whose target is 0 is an error naming it, unless --drop-zero-targets: then those
    rows are left out of the weighting, written with weight 0, and counted on stderr.
    """
    sample = _read_csv(sample_csv)
    margins = load_margins(margins_csv)
    dims = _split(variables) or margins.variables
    _require(sample, sample_csv, [c for dim in dims for c in dim.split(JOINT_SEP)] + [weight_column])
    normalised = _normalised(sample, dims)
    keep = pd.Series(True, index=sample.index)
    found = zero_target_levels(normalised, margins, dims)
    if found and not drop_zero_targets:
        rows = pd.RangeIndex(1, len(sample) + 1)
        raise click.ClickException(str(zero_target_error(
            f"{sample_csv} (data rows counted from 1) against {margins.source}", found, rows, "--drop-zero-targets")))
    if drop_zero_targets:
        for item in found:
            keep.iloc[item.rows] = False
        if found:
            counts = ", ".join(f"{item.variable}={item.level} ({len(item.rows)})" for item in found)
            click.echo(f"dropped {int((~keep).sum())} of {len(sample)} rows in levels with target 0 "
                       f"(weight 0): {counts}", err=True)
    result = get_method(method)(
        normalised[keep.to_numpy()], margins, variables=dims, base_weights=weight_column
    )
    output = sample.copy()
    output["weight"] = result.weights.reindex(sample.index).fillna(0.0)
    click.echo(_summary(result), err=True)
    if out:
        output.to_csv(out, index=False)
        click.echo(f"wrote {len(output)} rows to {out}", err=True)
    else:
        output.to_csv(sys.stdout, index=False)


@click.command()
@click.argument("data_csv", metavar="DATA.csv", type=click.Path(dir_okay=False))
@click.option("--variable", required=True, help="Column to estimate: a mean if numeric, "
              "else the share of each level.")
@click.option("--weight-column", help="Column of base (design) weights; default 1 for every row.")
@click.option("--cluster", help="Column of the primary sampling unit (cluster).")
@click.option("--strata", help="Column of the design stratum.")
@click.option("--replicates", type=click.Choice(["none", "jk1", "bootstrap"]), default="none",
              show_default=True, help="Variance: none = linearisation, jk1 = delete-one-cluster "
              "jackknife, bootstrap = Rao-Wu rescaled bootstrap; both redo the weighting.")
@click.option("--n-replicates", type=click.IntRange(min=2), default=200, show_default=True,
              help="Number of bootstrap replicates.")
@click.option("--by", help="Column whose groups get one block of estimates each.")
@click.option("--margins", "margins_csv",
              help="Targets to weight to before estimating: a CSV or .xlsx file, or census2020:NAME.")
@click.option("--method", type=click.Choice(sorted(MARGIN_METHODS) + ["pseudo"]),
              help="Weighting method used with --margins (default rake), or pseudo with "
              "--reference.")
@click.option("--reference", "reference_csv", type=click.Path(dir_okay=False),
              help="Probability reference sample CSV for --method pseudo.")
@click.option("--reference-weight", help="Design weight column of the reference sample.")
@click.option("--covariates", help="Comma-separated covariates shared by DATA.csv and the "
              "reference, for the participation model of --method pseudo.")
@click.option("--estimator", type=click.Choice(ESTIMATORS), default="ipw", show_default=True,
              help="With --method pseudo: inverse-propensity (Hajek), mass imputation or "
              "doubly robust.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="Output format.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the bootstrap.")
def estimate(
    data_csv: str,
    variable: str,
    weight_column: str | None,
    cluster: str | None,
    strata: str | None,
    replicates: str,
    n_replicates: int,
    by: str | None,
    margins_csv: str | None,
    method: str | None,
    reference_csv: str | None,
    reference_weight: str | None,
    covariates: str | None,
    estimator: str,
    fmt: str,
    seed: int,
) -> None:
    """Estimate a weighted mean or shares, with standard errors and 95% intervals.

    With --margins the base weights are first post-stratified or raked to the targets,
    and the variance counts that step (removed cell effects under linearisation, the
    weighting redone in each replicate otherwise).

    With --method pseudo, DATA.csv is a non-probability sample (online voices) and
    --reference a probability sample with design weights; the participation model on
    --covariates (Chen-Li-Wu) gives inverse-propensity, mass-imputation or doubly
    robust estimates, with linearised or bootstrap (both models refitted) errors.
    """
    if method == "pseudo":
        table = _pseudo_table(data_csv, variable, by, reference_csv, reference_weight,
                              covariates, estimator, replicates, n_replicates, seed,
                              [margins_csv, weight_column, cluster, strata])
        _print_table(table, fmt)
        return
    if reference_csv or covariates:
        raise click.UsageError("--reference and --covariates go with --method pseudo")
    if method and not margins_csv:
        raise click.UsageError("--method needs --margins (the targets to weight to)")
    data = _read_csv(data_csv, text_columns=[])
    _require(data, data_csv, [variable, weight_column, cluster, strata, by])
    reweight: Reweight | None = None
    if margins_csv:
        margins = load_margins(margins_csv)
        dims = margins.variables
        _require(data, data_csv, [c for dim in dims for c in dim.split(JOINT_SEP)])
        data = _normalised(data, dims)
        chosen = method or "rake"
        if chosen == "rake":
            # Lets the bootstrap redo the raking on cells, one replicate at a time.
            reweight = RakeReweight(margins, tuple(dims))
        else:
            func = get_method(chosen)

            def reweight_with_method(sample: pd.DataFrame, base: pd.Series) -> WeightingResult:
                return func(sample, margins, variables=dims, base_weights=base)

            reweight = reweight_with_method

    table = estimate_table(
        data, variable, weights=weight_column, cluster=cluster, strata=strata,
        replicates=replicates, n_replicates=n_replicates, by=by, reweight=reweight, seed=seed,
    )
    _print_table(table, fmt)


def _pseudo_table(
    data_csv: str, variable: str, by: str | None, reference_csv: str | None,
    reference_weight: str | None, covariates: str | None, estimator: str, replicates: str,
    n_replicates: int, seed: int, unused: list[str | None],
) -> pd.DataFrame:
    if reference_csv is None or reference_weight is None or not covariates:
        raise click.UsageError(
            "--method pseudo needs --reference REF.csv, --reference-weight COL and --covariates A,B"
        )
    if any(u is not None for u in unused):
        raise click.UsageError(
            "--margins, --weight-column, --cluster and --strata do not apply to --method pseudo "
            "(the online sample has no design)"
        )
    names = _split(covariates) or []
    # Covariates are read as text so that codes such as '02' keep their leading zeros.
    data = _read_csv(data_csv, text_columns=names)
    _require(data, data_csv, [variable, by, *names])
    ref = _read_csv(reference_csv, text_columns=names)
    _require(ref, reference_csv, [reference_weight, *names])
    reference = ReferenceSample.from_frame(ref, reference_weight, source=reference_csv)
    return pseudo_estimate(
        data, reference, variable, covariates=names, estimator=estimator, by=by,
        replicates=replicates, n_replicates=n_replicates, seed=seed,
    )


def _print_table(table: pd.DataFrame, fmt: str) -> None:
    if fmt == "csv":
        click.echo(table.to_csv(index=False), nl=False)
    elif fmt == "json":
        click.echo(json.dumps(table.to_dict(orient="records"), ensure_ascii=False, indent=2))
    else:
        shown = table.copy()
        for column in ("estimate", "se", "ci_low", "ci_high"):
            shown[column] = shown[column].map(lambda v: f"{v:.6g}")
        shown["ess"] = shown["ess"].map(lambda v: f"{v:.1f}")
        click.echo(shown.to_string(index=False))
