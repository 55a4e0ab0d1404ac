#!/usr/bin/env Rscript
# Reference differential expression with Bioconductor's DESeq2, to check Pluto's results.
#
# Usage: Rscript deseq2_reference.R COUNTS.csv SAMPLES.csv RESULTS.csv [ALPHA] [CONTINUOUS]
#
# COUNTS.csv   genes x samples: first column the gene name, then one column per sample.
#              Genes are used as given: filter them before, as Pluto does.
# SAMPLES.csv  first column the sample id, then the covariates in design order, and a
#              column `group` holding `control` or `experimental`.
# RESULTS.csv  written: gene, baseMean, log2FoldChange, pvalue, padj (NA as empty).
# ALPHA        the significance level for independent filtering (default 0.05).
# CONTINUOUS   comma-separated covariates to model as numbers; the others are factors.
#
# The design is ~ covariates + group; the test is DESeq2's defaults: Wald test, Cook's
# distance filtering, independent filtering and Benjamini-Hochberg, no LFC shrinkage.
# Prints `fit_seconds=<s>`: the time DESeq() and results() took.

args <- commandArgs(trailingOnly = TRUE)
if (length(args) < 3) {
    stop("usage: deseq2_reference.R COUNTS.csv SAMPLES.csv RESULTS.csv [ALPHA] [CONTINUOUS]")
}
alpha <- if (length(args) >= 4) as.numeric(args[4]) else 0.05
continuous <- if (length(args) >= 5 && nzchar(args[5])) strsplit(args[5], ",")[[1]] else character(0)

suppressPackageStartupMessages(library(DESeq2))

# Gene names such as "NA" must stay names, so nothing is read as missing.
read_table <- function(path, ...) {
    read.csv(path, row.names = 1, check.names = FALSE, na.strings = character(0), ...)
}

samples <- read_table(args[2], colClasses = "character")
covariates <- setdiff(colnames(samples), "group")
for (column in covariates) {
    samples[[column]] <- if (column %in% continuous) as.numeric(samples[[column]]) else factor(samples[[column]])
}
samples$group <- factor(samples$group, levels = c("control", "experimental"))

counts <- as.matrix(read_table(args[1]))
counts <- counts[, rownames(samples), drop = FALSE]
storage.mode(counts) <- "integer"

design <- as.formula(paste("~", paste(c(sprintf("`%s`", covariates), "group"), collapse = " + ")))
dataset <- DESeqDataSetFromMatrix(countData = counts, colData = samples, design = design)

started <- proc.time()[["elapsed"]]
dataset <- DESeq(dataset, quiet = TRUE)
results <- results(dataset, contrast = c("group", "experimental", "control"), alpha = alpha)
fit_seconds <- proc.time()[["elapsed"]] - started

table <- data.frame(
    gene = rownames(results),
    baseMean = results$baseMean,
    log2FoldChange = results$log2FoldChange,
    pvalue = results$pvalue,
    padj = results$padj
)
write.csv(table, args[3], row.names = FALSE, na = "")
cat(sprintf("fit_seconds=%.3f\n", fit_seconds))
