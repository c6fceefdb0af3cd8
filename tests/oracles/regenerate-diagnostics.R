# Recomputes the diagnostics of tests/oracles/diagnostics.json from the chains stored in it,
# with the R package `posterior` (Debian: r-cran-posterior r-cran-jsonlite), and writes the
# file back. Run from the repository root: Rscript tests/oracles/regenerate-diagnostics.R
library(posterior)
library(jsonlite)
path <- "tests/oracles/diagnostics.json"
ref <- fromJSON(path, simplifyVector = FALSE)
for (i in seq_along(ref$cases)) {
  case <- ref$cases[[i]]
  chains <- sapply(case$draws, function(ch) unlist(ch))  # iterations x chains
  x <- matrix(chains, ncol = length(case$draws))
  case$rhat <- rhat(x)
  case$rhat_basic <- rhat_basic(x)
  case$ess_bulk <- ess_bulk(x)
  case$ess_tail <- ess_tail(x)
  case$ess_basic <- ess_basic(x)
  case$mcse_mean <- mcse_mean(x)
  case$mcse_sd <- mcse_sd(x)
  case$mean <- mean(x)
  case$sd <- sd(x)
  q <- quantile(x, c(0.05, 0.95), names = FALSE)
  case$q05 <- q[1]
  case$q95 <- q[2]
  ref$cases[[i]] <- case
}
write(toJSON(ref, auto_unbox = TRUE, digits = NA), path)
