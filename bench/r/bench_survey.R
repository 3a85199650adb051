# R survey side of bench/bench_analysis.py: rake 1,000,000 responses to four
# margins, then estimate the means of 16 items with calibration-aware SEs.
# Usage: Rscript bench/r/bench_survey.R DATA_DIR   (written by the Python bench)
# Prints one JSON line; writes DATA_DIR/r_weights.bin (float64).
suppressMessages(library(survey))
args <- commandArgs(trailingOnly = TRUE)
dir <- args[1]
meta <- readLines(file.path(dir, "meta.txt"))
n <- as.integer(meta[1])
sizes <- as.integer(strsplit(meta[2], ",")[[1]])
k <- as.integer(meta[3])
names_v <- c("v1", "v2", "v3", "v4")
read_int <- function(name) readBin(file.path(dir, name), "integer", n = n, size = 4)
d <- data.frame(row.names = NULL, w = rep(1, n))
for (i in seq_along(names_v)) d[[names_v[i]]] <- factor(read_int(paste0(names_v[i], ".bin")), levels = 0:(sizes[i] - 1))
items <- matrix(readBin(file.path(dir, "items.bin"), "double", n = n * k, size = 8), nrow = n, byrow = TRUE)
for (j in 1:k) d[[paste0("y", j)]] <- items[, j]
targets <- readBin(file.path(dir, "targets.bin"), "double", n = sum(sizes), size = 8)
pops <- list(); start <- 1
for (i in seq_along(names_v)) {
  pop <- data.frame(factor(0:(sizes[i] - 1), levels = 0:(sizes[i] - 1)), targets[start:(start + sizes[i] - 1)])
  names(pop) <- c(names_v[i], "Freq")
  pops[[i]] <- pop
  start <- start + sizes[i]
}
des <- svydesign(ids = ~1, weights = ~w, data = d)
t0 <- proc.time()[["elapsed"]]
raked <- rake(des, lapply(names_v, function(v) as.formula(paste0("~", v))), pops,
              control = list(maxit = 100, epsilon = 1))
t1 <- proc.time()[["elapsed"]]
f <- as.formula(paste("~", paste0("y", 1:k, collapse = "+")))
m <- svymean(f, raked)
t2 <- proc.time()[["elapsed"]]
writeBin(as.double(weights(raked)), file.path(dir, "r_weights.bin"), size = 8)
status <- readLines("/proc/self/status")
hwm <- as.numeric(gsub("[^0-9]", "", status[grepl("^VmHWM", status)])) / 1024
fmt <- function(v) paste(sprintf("%.15g", v), collapse = ",")
cat(sprintf('{"tool":"R survey %s","rake_s":%.3f,"estimate_s":%.3f,"peak_mb":%.0f,"means":[%s],"ses":[%s]}\n',
            as.character(packageVersion("survey")), t1 - t0, t2 - t1, hwm, fmt(coef(m)), fmt(SE(m))))
