#!/usr/bin/env Rscript
# Reference sample correlations with R's cor() and hclust, to check Pluto's sample
# correlation heatmaps.
#
# Usage: Rscript sample_correlation_reference.R JOBS.json RESULTS.json
#
# JOBS.json     a list of jobs: {name, matrix (path of little-endian float64 values, row
#               by row: genes x samples), rows, columns, method ("pearson" or "spearman"),
#               linkage (an hclust method), output (a path)}.
# RESULTS.json  written: per job name, the order and heights of hclust(as.dist(1 - r),
#               linkage); the correlation matrix cor(x, method) itself goes to the job's
#               output, as little-endian float64 values row by row (exact, unlike text).
#
# Prints `seconds=<s>`: the time the correlations and trees took.

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 2) stop("usage: sample_correlation_reference.R JOBS.json RESULTS.json")
suppressPackageStartupMessages(library(jsonlite))

read_matrix <- function(job) {
    values <- readBin(job$matrix, "double", n = job$rows * job$columns, size = 8, endian = "little")
    matrix(values, nrow = job$rows, ncol = job$columns, byrow = TRUE)
}

jobs <- fromJSON(args[1], simplifyVector = FALSE)
started <- proc.time()[["elapsed"]]
results <- list()
for (job in jobs) {
    r <- cor(read_matrix(job), method = job$method)
    tree <- hclust(as.dist(1 - r), method = job$linkage)
    writeBin(as.vector(t(r)), job$output, size = 8, endian = "little")
    results[[job$name]] <- list(order = tree$order, height = tree$height)
}
cat(sprintf("seconds=%.3f\n", proc.time()[["elapsed"]] - started))
write_json(results, args[2], digits = NA)
