"""Recomputes every value of tests/oracles/distributions.json from the parameters and points
stored in it, with scipy.stats (Debian: python3-scipy), and reports the largest relative
difference per family. With --write it writes the recomputed values back.

    python3 tests/oracles/regenerate-distributions.py [--write]

Parameter names follow NumPyro (see the file's "about"); the mapping to scipy's
parameterisations is below, one line per family.
"""
import json
import math
import sys

import numpy as np
from scipy import special, stats

PATH = "tests/oracles/distributions.json"


def lkj_cholesky_log_prob(d, eta, L):
    """Density of the Cholesky factor L of an LKJ(eta) correlation matrix, with respect to
    L's strictly lower-triangular entries: det(C)^(eta - 1) times the Jacobian of C -> L,
    prod_i L_ii^(d - i) (1-based i), over the LKJ normalising constant (Lewandowski,
    Kurowicka and Joe 2009, eq. 16)."""
    L = np.asarray(L, dtype=float)
    diag = np.diag(L)
    log_det_c = 2.0 * np.sum(np.log(diag))
    log_jac = sum((d - i) * math.log(diag[i - 1]) for i in range(1, d + 1))
    log_c = 0.0
    for k in range(1, d):
        b = eta + (d - k - 1) / 2.0
        log_c += (2 * eta - 2 + d - k) * (d - k) * math.log(2.0)
        log_c += (d - k) * (2 * special.gammaln(b) - special.gammaln(2 * b))
    return (eta - 1.0) * log_det_c + log_jac - log_c


def scipy_dist(family, p):
    """The frozen scipy distribution for a row's parameters."""
    if family == "Normal":
        return stats.norm(p["loc"], p["scale"])
    if family == "HalfNormal":
        return stats.halfnorm(scale=p["scale"])
    if family == "LogNormal":
        return stats.lognorm(s=p["scale"], scale=math.exp(p["loc"]))
    if family == "StudentT":
        return stats.t(p["df"], p["loc"], p["scale"])
    if family == "Cauchy":
        return stats.cauchy(p["loc"], p["scale"])
    if family == "HalfCauchy":
        return stats.halfcauchy(scale=p["scale"])
    if family == "Exponential":
        return stats.expon(scale=1.0 / p["rate"])
    if family == "Gamma":
        return stats.gamma(p["concentration"], scale=1.0 / p["rate"])
    if family == "InverseGamma":
        return stats.invgamma(p["concentration"], scale=p["rate"])
    if family == "Beta":
        return stats.beta(p["concentration1"], p["concentration0"])
    if family == "Uniform":
        return stats.uniform(p["low"], p["high"] - p["low"])
    if family == "Laplace":
        return stats.laplace(p["loc"], p["scale"])
    if family == "Logistic":
        return stats.logistic(p["loc"], p["scale"])
    if family == "Gumbel":
        return stats.gumbel_r(p["loc"], p["scale"])
    if family == "Weibull":
        return stats.weibull_min(p["concentration"], scale=p["scale"])
    if family == "Pareto":
        return stats.pareto(p["alpha"], scale=p["scale"])
    if family == "Chi2":
        return stats.chi2(p["df"])
    if family == "VonMises":
        return stats.vonmises(p["concentration"], loc=p["loc"])
    if family == "TruncatedNormal":
        a = (p["low"] - p["loc"]) / p["scale"]
        b = (p["high"] - p["loc"]) / p["scale"]
        return stats.truncnorm(a, b, p["loc"], p["scale"])
    if family == "SkewNormal":
        return stats.skewnorm(p["skewness"], p["loc"], p["scale"])
    if family == "Bernoulli":
        return stats.bernoulli(p["probs"])
    if family == "BernoulliLogits":
        return stats.bernoulli(special.expit(p["logits"]))
    if family == "Binomial":
        return stats.binom(p["total_count"], p["probs"])
    if family == "BinomialLogits":
        return stats.binom(p["total_count"], special.expit(p["logits"]))
    if family == "Poisson":
        return stats.poisson(p["rate"])
    if family == "Geometric":  # failures before the first success: support 0, 1, ...
        return stats.geom(p["probs"], loc=-1)
    if family == "NegativeBinomial2":
        c = p["concentration"]
        return stats.nbinom(c, c / (c + p["mean"]))
    if family == "BetaBinomial":
        return stats.betabinom(p["total_count"], p["concentration1"], p["concentration0"])
    if family == "DiscreteUniform":
        return stats.randint(p["low"], p["high"] + 1)
    if family == "MultivariateNormal":
        return stats.multivariate_normal(p["loc"], p["covariance_matrix"])
    if family == "Dirichlet":
        return stats.dirichlet(p["concentration"])
    if family == "Multinomial":
        return stats.multinomial(p["total_count"], p["probs"])
    raise KeyError(family)


def recompute(family, row):
    p, x = row["params"], row["x"]
    out = {}
    if family == "LKJCholesky":
        out["log_prob"] = lkj_cholesky_log_prob(p["dimension"], p["concentration"], x)
        return out
    if family == "Categorical":
        probs = np.asarray(p["probs"], dtype=float)
        out["log_prob"] = float(np.log(probs[x] / probs.sum()))
        return out
    d = scipy_dist(family, p)
    discrete = hasattr(d, "pmf") or family == "Multinomial"
    if family in ("MultivariateNormal", "Dirichlet", "Multinomial"):
        out["log_prob"] = float(d.logpmf(x) if family == "Multinomial" else d.logpdf(x))
    else:
        out["log_prob"] = float(d.logpmf(x) if discrete else d.logpdf(x))
    if "cdf" in row:
        out["cdf"] = float(d.cdf(x))
    if "mean" in row:
        m = d.mean()
        out["mean"] = m.tolist() if np.ndim(m) else float(m)
    if "variance" in row:
        out["variance"] = float(d.var())
    if "entropy" in row:
        out["entropy"] = float(d.entropy())
    return out


def main():
    table = json.load(open(PATH))
    write = "--write" in sys.argv
    worst_all = 0.0
    for family, rows in table["families"].items():
        worst = 0.0
        for row in rows:
            for key, value in recompute(family, row).items():
                a = np.asarray(row[key], dtype=float)
                b = np.asarray(value, dtype=float)
                rel = float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))
                worst = max(worst, rel)
                if write:
                    row[key] = value
        worst_all = max(worst_all, worst)
        print(f"{family:20s} worst relative difference {worst:.2e}")
    print(f"all families: worst relative difference {worst_all:.2e}")
    if write:
        json.dump(table, open(PATH, "w"), indent=1)


if __name__ == "__main__":
    main()
