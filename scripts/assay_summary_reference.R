#!/usr/bin/env Rscript
# Reference per-sample assay summary in base R, to check Pluto's assay_summary kind.
#
# Usage: Rscript assay_summary_reference.R VALUES.csv RESULTS.csv NORMALIZATION DETECTED_ONLY
#
# VALUES.csv     features x samples: first column the feature name, then one column per sample.
# RESULTS.csv    written: sample, Library_Size, Detected_Features, Top_Share, Q25, Median, Q75,
#                Lower_Whisker, Upper_Whisker, with 17 significant digits.
# NORMALIZATION  cpm (log2(CPM + 1)) or none (log2(value + 1)).
# DETECTED_ONLY  true: distributions over the features above 0 in the sample; false: over all.
#
# Library size is colSums, detected features colSums(x > 0), the top share the sum of the
# sample's ceiling(features / 100) largest values over its library size, quartiles
# quantile(type = 7), whiskers the most extreme values within 1.5 IQR of the box (Tukey).
# A sample without counts, or without values to summarise, gets 0.

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 4) {
    stop("usage: assay_summary_reference.R VALUES.csv RESULTS.csv NORMALIZATION DETECTED_ONLY")
}
normalization <- args[3]
detected_only <- args[4] == "true"

# Feature names such as "NA" must stay names, so nothing is read as missing.
values <- as.matrix(read.csv(args[1], row.names = 1, check.names = FALSE, na.strings = character(0)))

library_size <- colSums(values)
detected <- colSums(values > 0)
top <- max(1, ceiling(nrow(values) / 100))
top_sum <- apply(values, 2, function(v) sum(sort(v, decreasing = TRUE)[seq_len(top)]))
top_share <- ifelse(library_size > 0, top_sum / library_size, 0)

divisor <- ifelse(library_size > 0, library_size, 1)
scaled <- if (normalization == "cpm") t(t(values) / divisor) * 1e6 else values
logged <- log2(scaled + 1)

box <- function(j) {
    v <- logged[, j]
    if (detected_only) v <- v[values[, j] > 0]
    if (length(v) == 0) return(rep(0, 5))
    q <- quantile(v, c(0.25, 0.5, 0.75), type = 7, names = FALSE)
    reach <- 1.5 * (q[3] - q[1])
    c(q, min(v[v >= q[1] - reach]), max(v[v <= q[3] + reach]))
}
boxes <- t(vapply(seq_len(ncol(values)), box, numeric(5)))

digits <- function(x) sprintf("%.17g", x)
table <- data.frame(
    sample = colnames(values),
    Library_Size = digits(library_size),
    Detected_Features = digits(detected),
    Top_Share = digits(top_share),
    Q25 = digits(boxes[, 1]),
    Median = digits(boxes[, 2]),
    Q75 = digits(boxes[, 3]),
    Lower_Whisker = digits(boxes[, 4]),
    Upper_Whisker = digits(boxes[, 5])
)
write.csv(table, args[2], row.names = FALSE)
