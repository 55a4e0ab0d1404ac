#!/usr/bin/env Rscript
# Reference hierarchical clustering with R's hclust, to check Pluto's clustering heatmaps.
#
# Usage: Rscript clustering_reference.R JOBS.json RESULTS.json [COUNTS.csv VST.bin]
#
# JOBS.json     a list of jobs: {name, matrix (path of little-endian float64 values, row
#               by row), rows, columns, distance ("euclidean" or "correlation"), method
#               (an hclust method), k (clusters to cut into)}. The rows are clustered.
# RESULTS.json  written: per job name, hclust's merge (by column), height and order, and
#               cutree(k): the reference for Pluto's trees.
# COUNTS.csv    optional: genes x samples counts (first column the gene); VST.bin gets
#               DESeq2's blind variance stabilising transformation of them (all genes,
#               varianceStabilizingTransformation), as float64 genes by samples, row by row.
#
# The distance is dist(x) or as.dist(1 - cor(t(x))). Prints `seconds=<s>`: the time the
# clustering took, and `vst_seconds=<s>` when asked for the VST.

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 2) stop("usage: clustering_reference.R JOBS.json RESULTS.json [COUNTS.csv VST.bin]")
suppressPackageStartupMessages(library(jsonlite))

read_matrix <- function(job) {
    values <- readBin(job$matrix, "double", n = job$rows * job$columns, size = 8, endian = "little")
    matrix(values, nrow = job$rows, ncol = job$columns, byrow = TRUE)
}

distances <- function(x, distance) {
    if (distance == "correlation") as.dist(1 - cor(t(x))) else dist(x)
}

jobs <- fromJSON(args[1], simplifyVector = FALSE)
started <- proc.time()[["elapsed"]]
results <- list()
for (job in jobs) {
    tree <- hclust(distances(read_matrix(job), job$distance), method = job$method)
    results[[job$name]] <- list(
        merge = tree$merge, height = tree$height, order = tree$order, cut = cutree(tree, k = job$k)
    )
}
cat(sprintf("seconds=%.3f\n", proc.time()[["elapsed"]] - started))
write_json(results, args[2], digits = NA, matrix = "columnmajor")

if (length(args) >= 4) {
    suppressPackageStartupMessages(library(DESeq2))
    counts <- as.matrix(read.csv(args[3], row.names = 1, check.names = FALSE, na.strings = character(0)))
    started <- proc.time()[["elapsed"]]
    dds <- DESeqDataSetFromMatrix(counts, data.frame(row.names = colnames(counts), all = rep("all", ncol(counts))), ~ 1)
    vst <- assay(varianceStabilizingTransformation(dds, blind = TRUE, fitType = "parametric"))
    cat(sprintf("vst_seconds=%.3f\n", proc.time()[["elapsed"]] - started))
    writeBin(as.vector(t(vst)), args[4], size = 8, endian = "little")
}
