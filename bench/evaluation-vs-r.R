# bench/run-evaluation-vs-r.sh: the R code of docs/evaluation.md (extracted to the file AFTERCARE_R_CHECK names)
# on a million rows, with one change: the Fine-Gray model is fitted by survival's finegray() and a weighted
# coxph (the same model; Geskus 2011) instead of cmprsk's crr, whose risk-set loops are O(n^2) and take hours
# at this size. Its numbers are not compared here (EvaluationAgainstRTests compares crr's to 1e-6 on small
# cohorts); the run measures time and memory of R fitting the same models on the same file.
library(survival)
fine_gray <- function(time, status, X) {
  colnames(X) <- paste0("v", seq_len(ncol(X)))
  d <- data.frame(time = time, status = factor(status, levels = 0:2), X)
  fd <- finegray(Surv(time, status) ~ ., data = d, etype = "1")
  fit <- coxph(as.formula(paste("Surv(fgstart, fgstop, fgstatus) ~", paste(colnames(X), collapse = " + "))), weights = fgwt, data = fd)
  list(coef = unname(coef(fit)), var = fit$var, loglik = fit$loglik[2], loglik.null = fit$loglik[1], converged = TRUE,
       inf = solve(fit$naive.var), score = rep(0, ncol(X)))
}
# The docs' code reads its arguments (cohort, results) itself; where it is comes in AFTERCARE_R_CHECK.
source(Sys.getenv("AFTERCARE_R_CHECK"))
