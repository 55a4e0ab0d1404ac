#!/usr/bin/env Rscript
# Reference survival analysis with CRAN's survival package, to check Pluto's results.
#
# Usage: Rscript survival_reference.R DATA.csv LEVELS.csv OUT_DIR [COUNTS.csv GENE QUANTILE]
#
# DATA.csv    one row per sample: sample, time, event (1 = event, 0 = censored), group,
#             then the covariates in model order.
# LEVELS.csv  variable, level: the factor levels, in order (the first is the reference), of
#             `group` and of every categorical covariate; covariates not listed are numbers.
# OUT_DIR     written: km.csv (survfit, every observation time), groups.csv (n, events,
#             survdiff's observed and expected, quantile()'s median and its interval),
#             logrank.csv, cox_terms.csv and cox_tests.csv (coxph, ties = "efron"), and
#             with a gene, split.csv (each sample's group and the cutoff).
# COUNTS.csv GENE QUANTILE
#             group by the gene instead: log2(counts per million + 1) above the QUANTILE
#             quantile (type 7) is "GENE high", at or below it "GENE low" (the reference).
#
# Survival curves use survfit's defaults (Kaplan-Meier, Greenwood, conf.type = "log").

args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 3 && length(args) != 6) {
    stop("usage: survival_reference.R DATA.csv LEVELS.csv OUT_DIR [COUNTS.csv GENE QUANTILE]")
}
suppressPackageStartupMessages(library(survival))

data <- read.csv(args[1], check.names = FALSE, na.strings = character(0),
                 colClasses = c(sample = "character", group = "character"))
levels_table <- read.csv(args[2], colClasses = "character", na.strings = character(0))
out <- args[3]
covariates <- setdiff(colnames(data), c("sample", "time", "event", "group"))

if (length(args) == 6) {
    counts <- as.matrix(read.csv(args[4], row.names = 1, check.names = FALSE))
    counts <- counts[, data$sample, drop = FALSE]
    gene <- args[5]
    cpm <- t(t(counts) / colSums(counts)) * 1e6
    expression <- log2(cpm[gene, ] + 1)
    cutoff <- quantile(expression, as.numeric(args[6]), type = 7, names = FALSE)
    data$group <- ifelse(expression > cutoff, paste(gene, "high"), paste(gene, "low"))
    levels_table <- rbind(levels_table[levels_table$variable != "group", ],
                          data.frame(variable = "group", level = paste(gene, c("low", "high"))))
    write.csv(data.frame(sample = data$sample, group = data$group, cutoff = cutoff),
              file.path(out, "split.csv"), row.names = FALSE)
}

levels_of <- function(variable) levels_table$level[levels_table$variable == variable]
data$group <- factor(data$group, levels = levels_of("group"))
for (column in covariates) {
    if (column %in% levels_table$variable) {
        data[[column]] <- factor(as.character(data[[column]]), levels = levels_of(column))
    } else {
        data[[column]] <- as.numeric(data[[column]])
    }
}
groups <- levels(data$group)
several <- length(groups) > 1

curve_formula <- if (several) Surv(time, event) ~ group else Surv(time, event) ~ 1
fit <- survfit(curve_formula, data = data)
strata <- if (several) rep(sub("^group=", "", names(fit$strata)), fit$strata) else groups
write.csv(data.frame(group = strata, time = fit$time, n_risk = fit$n.risk,
                     n_event = fit$n.event, n_censor = fit$n.censor, surv = fit$surv,
                     lower = fit$lower, upper = fit$upper),
          file.path(out, "km.csv"), row.names = FALSE)

median <- quantile(fit, 0.5)
group_rows <- data.frame(group = groups, n = as.vector(table(data$group)),
                         events = as.vector(tapply(data$event, data$group, sum)),
                         median = as.vector(median$quantile), median_lower = as.vector(median$lower),
                         median_upper = as.vector(median$upper))

if (several) {
    test <- survdiff(Surv(time, event) ~ group, data = data)
    group_rows$observed <- test$obs
    group_rows$expected <- test$exp
    df <- sum(test$exp > 0) - 1
    write.csv(data.frame(chisq = test$chisq, df = df,
                         p = pchisq(test$chisq, df, lower.tail = FALSE)),
              file.path(out, "logrank.csv"), row.names = FALSE)
}
write.csv(group_rows, file.path(out, "groups.csv"), row.names = FALSE)

terms <- c(if (several) "group", sprintf("`%s`", covariates))
if (length(terms) > 0) {
    model <- coxph(as.formula(paste("Surv(time, event) ~", paste(terms, collapse = " + "))),
                   data = data, ties = "efron")
    result <- summary(model)
    coefficients <- result$coefficients
    write.csv(data.frame(term = rownames(coefficients), coef = coefficients[, "coef"],
                         se = coefficients[, "se(coef)"], hr = coefficients[, "exp(coef)"],
                         lower = result$conf.int[, "lower .95"],
                         upper = result$conf.int[, "upper .95"], z = coefficients[, "z"],
                         p = coefficients[, "Pr(>|z|)"]),
              file.path(out, "cox_terms.csv"), row.names = FALSE)
    # summary() rounds the three tests' statistics to 2 decimals; the model holds them whole.
    statistics <- c(2 * diff(model$loglik), model$wald.test, model$score)
    df <- length(model$coefficients)
    write.csv(data.frame(test = c("likelihood_ratio", "wald", "score", "log_likelihood_null",
                                  "log_likelihood", "iterations"),
                         statistic = c(statistics, model$loglik, model$iter),
                         df = c(rep(df, 3), NA, NA, NA),
                         p = c(pchisq(statistics, df, lower.tail = FALSE), NA, NA, NA)),
              file.path(out, "cox_tests.csv"), row.names = FALSE)
}
