# Reference values for loo, waic and compareModels: PSIS-LOO, WAIC and loo_compare of the R
# package loo (2.5.1 in Debian bookworm's r-cran-loo) on four log-likelihood matrices, written
# with the matrices themselves to tests/oracles/loo.json.
#
#   Rscript tests/oracles/regenerate-loo.R
#
# Needs Debian r-cran-loo and r-cran-jsonlite. The draws are made here (fixed seed), each
# matrix is 4 chains x 100 draws (rows, chain after chain) by N observations (columns):
#   linear     linear regression y = a + b x + e, sigma 1 known, draws from the exact posterior
#   intercept  the same data under an intercept-only model (for loo_compare against linear)
#   outliers   the linear model on data with three high-leverage outliers (some Pareto k > 0.7)
#   hierarchical  y_ij ~ Normal(theta_j, 1), theta_j ~ Normal(mu, tau), 6 groups x 4, by Gibbs
#                 sampling, so the draws are autocorrelated and r_eff differs from 1
suppressPackageStartupMessages({
  library(loo)
  library(jsonlite)
})
set.seed(20240519)

chains <- 4
per_chain <- 100
S <- chains * per_chain
chain_id <- rep(seq_len(chains), each = per_chain)

# Exact posterior draws of the coefficients of y ~ Normal(X beta, 1) under a flat prior.
regression_draws <- function(X, y, S) {
  XtX_inv <- solve(crossprod(X))
  beta_hat <- XtX_inv %*% crossprod(X, y)
  L <- t(chol(XtX_inv))
  z <- matrix(rnorm(S * ncol(X)), nrow = ncol(X))
  t(as.vector(beta_hat) + L %*% z)
}

regression_loglik <- function(X, y, beta) {
  mu <- beta %*% t(X) # S x N
  sweep(mu, 2, y, function(m, yy) dnorm(yy, m, 1, log = TRUE))
}

n <- 12
x <- runif(n, -2, 2)
y <- 1 + 2 * x + rnorm(n)
X <- cbind(1, x)
ll_linear <- regression_loglik(X, y, regression_draws(X, y, S))
X0 <- matrix(1, n, 1)
ll_intercept <- regression_loglik(X0, y, regression_draws(X0, y, S))

n_out <- 12
x_out <- c(runif(n_out - 3, -1, 1), 5, 6, -5)
y_out <- 1 + 2 * x_out + rnorm(n_out)
y_out[(n_out - 2):n_out] <- y_out[(n_out - 2):n_out] + c(-25, -30, 28)
X_out <- cbind(1, x_out)
ll_outliers <- regression_loglik(X_out, y_out, regression_draws(X_out, y_out, S))

# Exact doubles: jsonlite prints at most 15 significant digits, so numeric vectors are
# written with %.17g and inserted verbatim.
exact <- function(v) structure(paste0("[", paste(sprintf("%.17g", v), collapse = ","), "]"), class = "json")
scalar <- function(v) structure(sprintf("%.17g", v), class = "json")

# Gibbs sampler for the normal hierarchical model with a flat prior on mu and
# tau^2 ~ InverseGamma(1, 1).
J <- 5
m <- 3
group <- rep(seq_len(J), each = m)
theta_true <- rnorm(J, 0, 1.5)
y_h <- rnorm(J * m, theta_true[group], 1)
ybar <- tapply(y_h, group, mean)
gibbs_chain <- function(iterations, warmup) {
  mu <- rnorm(1)
  tau2 <- 1
  out <- matrix(NA_real_, iterations, J)
  for (it in seq_len(warmup + iterations)) {
    precision <- m + 1 / tau2
    theta <- rnorm(J, (m * ybar + mu / tau2) / precision, sqrt(1 / precision))
    mu <- rnorm(1, mean(theta), sqrt(tau2 / J))
    tau2 <- 1 / rgamma(1, 1 + J / 2, 1 + sum((theta - mu)^2) / 2)
    if (it > warmup) out[it - warmup, ] <- theta
  }
  out
}
theta_draws <- do.call(rbind, lapply(seq_len(chains), function(c) gibbs_chain(per_chain, 200)))
ll_hierarchical <- t(apply(theta_draws, 1, function(th) dnorm(y_h, th[group], 1, log = TRUE)))

case <- function(ll) {
  r_eff <- relative_eff(exp(ll), chain_id = chain_id)
  l <- loo(ll, r_eff = r_eff)
  w <- suppressWarnings(waic(ll))
  list(
    result = l,
    json = list(
      chains = chains,
      draws = per_chain,
      observations = ncol(ll),
      log_lik = exact(t(ll)), # row-major: draw after draw
      r_eff = exact(r_eff),
      loo = list(
        elpd_loo = scalar(l$estimates["elpd_loo", "Estimate"]),
        se_elpd_loo = scalar(l$estimates["elpd_loo", "SE"]),
        p_loo = scalar(l$estimates["p_loo", "Estimate"]),
        se_p_loo = scalar(l$estimates["p_loo", "SE"]),
        looic = scalar(l$estimates["looic", "Estimate"]),
        se_looic = scalar(l$estimates["looic", "SE"]),
        pointwise_elpd_loo = exact(l$pointwise[, "elpd_loo"]),
        pointwise_p_loo = exact(l$pointwise[, "p_loo"]),
        mcse_elpd_loo = scalar(sqrt(sum(l$pointwise[, "mcse_elpd_loo"]^2))),
        pointwise_mcse_elpd_loo = exact(l$pointwise[, "mcse_elpd_loo"]),
        pareto_k = exact(l$diagnostics$pareto_k),
        n_eff = exact(l$diagnostics$n_eff)
      ),
      waic = list(
        elpd_waic = scalar(w$estimates["elpd_waic", "Estimate"]),
        se_elpd_waic = scalar(w$estimates["elpd_waic", "SE"]),
        p_waic = scalar(w$estimates["p_waic", "Estimate"]),
        se_p_waic = scalar(w$estimates["p_waic", "SE"]),
        waic = scalar(w$estimates["waic", "Estimate"]),
        se_waic = scalar(w$estimates["waic", "SE"]),
        pointwise_elpd_waic = exact(w$pointwise[, "elpd_waic"]),
        pointwise_p_waic = exact(w$pointwise[, "p_waic"])
      )
    )
  )
}

cases <- list(
  linear = case(ll_linear),
  intercept = case(ll_intercept),
  outliers = case(ll_outliers),
  hierarchical = case(ll_hierarchical)
)
comparison <- loo_compare(list(linear = cases$linear$result, intercept = cases$intercept$result))

out <- list(
  source = sprintf("R %s, loo %s; Rscript tests/oracles/regenerate-loo.R",
                   paste(R.version$major, R.version$minor, sep = "."), packageVersion("loo")),
  layout = "log_lik is draws x observations, row-major; draws are chains x draws per chain",
  cases = lapply(cases, function(c) c$json),
  compare = list(
    models = c("linear", "intercept"),
    order = rownames(comparison),
    elpd_diff = exact(comparison[, "elpd_diff"]),
    se_diff = exact(comparison[, "se_diff"])
  )
)
path <- file.path(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE))), "loo.json")
writeLines(toJSON(out, auto_unbox = TRUE, json_verbatim = TRUE), path)
cat("wrote", path, "\n")
cat("max pareto k:", sapply(cases, function(c) max(pareto_k_values(c$result))), "\n")
