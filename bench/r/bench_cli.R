# R survey side of `bench/bench_analysis.py --cli`: the same work as `python -m analysis weight`
# then `estimate` on the same files, end to end (read the CSVs, rake to the four margins, write
# the weights; stratified design by unit, calibration-aware means and SEs of the 16 items, write them).
# Usage: Rscript bench/r/bench_cli.R responses.csv margins.csv weights_out.csv estimates_out.csv
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
d <- read.csv(args[1], colClasses = "character", encoding = "UTF-8", check.names = FALSE)
margins <- read.csv(args[2], colClasses = c("character", "character", "numeric"))
vars <- unique(margins$variable)
for (v in vars) d[[v]] <- factor(d[[v]], levels = margins$category[margins$variable == v])
items <- grep("^s[0-9]+$", names(d), value = TRUE)
for (i in items) d[[i]] <- as.numeric(d[[i]])
d$one <- 1
pops <- lapply(vars, function(v) {
  m <- margins[margins$variable == v, ]
  pop <- data.frame(factor(m$category, levels = m$category), m$total)
  names(pop) <- c(v, "Freq")
  pop
})
des <- svydesign(ids = ~1, strata = ~unit, weights = ~one, data = d)
raked <- rake(des, lapply(vars, function(v) as.formula(paste0("~", v))), pops,
              control = list(maxit = 100, epsilon = 1e-7))
write.csv(data.frame(response_id = d$response_id, weight = weights(raked)), args[3], row.names = FALSE)
m <- svymean(as.formula(paste("~", paste(items, collapse = "+"))), raked)
write.csv(data.frame(indicator = paste0("mean:", items), estimate = coef(m), se = SE(m)), args[4], row.names = FALSE)
