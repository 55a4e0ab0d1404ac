#!/usr/bin/env Rscript
# Reference over-representation test in base R, to check Pluto's results.
#
# Usage: Rscript over_representation_reference.R DE.csv SETS.gmt RESULTS.csv DIRECTION
#            P_THRESHOLD USE_ADJUSTED LFC_THRESHOLD MIN_SIZE MAX_SIZE
#
# DE.csv       a differential expression results table: Gene_Symbol, Log2_Fold_Change,
#              P_Value, Adj_P_Value (other columns are ignored; empty cells are NA).
# SETS.gmt     gene sets, one a line: name, description, genes (tab-separated; may be gzipped).
# RESULTS.csv  written: Gene_Set_Shortname, Overlap, Set_Size, P_Value, Adj_P_Value, with
#              p-values printed to 17 significant digits.
# DIRECTION    up, down or all; P_THRESHOLD a p-value; USE_ADJUSTED TRUE or FALSE;
# LFC_THRESHOLD the least absolute log2 fold change; MIN_SIZE and MAX_SIZE the set sizes.
#
# Everything is done here from the files, independently of Pluto: the universe is the genes
# with a p-value, the selection the universe genes below the threshold in the direction,
# each set is cut down to the universe and kept when its size is within the bounds;
# p = phyper(k - 1, K, N - K, n, lower.tail = FALSE), adjusted by p.adjust(method = "BH").

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 9) {
    stop("usage: over_representation_reference.R DE.csv SETS.gmt RESULTS.csv DIRECTION ",
         "P_THRESHOLD USE_ADJUSTED LFC_THRESHOLD MIN_SIZE MAX_SIZE")
}
direction <- args[4]
threshold <- as.numeric(args[5])
use_adjusted <- as.logical(args[6])
lfc_threshold <- as.numeric(args[7])
min_size <- as.integer(args[8])
max_size <- as.integer(args[9])

# Gene symbols such as "NA" must stay symbols: only empty cells are missing.
de <- read.csv(args[1], colClasses = c(Gene_Symbol = "character"), na.strings = "",
               check.names = FALSE)
tested <- de[!is.na(de$P_Value), ]
universe <- unique(tested$Gene_Symbol)
p <- if (use_adjusted) tested$Adj_P_Value else tested$P_Value
lfc <- ifelse(is.na(tested$Log2_Fold_Change), 0, tested$Log2_Fold_Change)
passing <- !is.na(p) & p < threshold & abs(lfc) >= lfc_threshold
passing <- passing & switch(direction, up = lfc > 0, down = lfc < 0, all = TRUE)
selected <- tested$Gene_Symbol[passing]

connection <- gzfile(args[2], "rt", encoding = "UTF-8")
lines <- readLines(connection, warn = FALSE)
close(connection)
lines <- sub("^\ufeff", "", lines)
lines <- lines[nzchar(trimws(lines))]
fields <- strsplit(sub("\r$", "", lines), "\t", fixed = TRUE)

names <- character(0)
overlaps <- integer(0)
sizes <- integer(0)
for (set in fields) {
    genes <- trimws(set[-(1:2)])
    genes <- unique(genes[nzchar(genes)])
    members <- genes[genes %in% universe]
    if (length(members) < min_size || length(members) > max_size) next
    names <- c(names, trimws(set[1]))
    sizes <- c(sizes, length(members))
    overlaps <- c(overlaps, sum(members %in% selected))
}

N <- length(universe)
n <- length(selected)
p_values <- phyper(overlaps - 1, sizes, N - sizes, n, lower.tail = FALSE)
adjusted <- p.adjust(p_values, method = "BH")
write.csv(
    data.frame(
        Gene_Set_Shortname = names,
        Overlap = overlaps,
        Set_Size = sizes,
        P_Value = sprintf("%.17g", p_values),
        Adj_P_Value = sprintf("%.17g", adjusted)
    ),
    args[3],
    row.names = FALSE
)
cat(sprintf("universe=%d selected=%d sets=%d\n", N, n, length(names)))
