"""Reference for the multivariate check's false-alarm rate (issue 14, item 4), numpy only: the same data and
rule as `npm run bench -- --only calibrated` (bench/calibrated.ts), computed independently of driftwatch's
code, so the rate the bench prints can be checked against it (the random draws differ, so the two agree
within their sampling error, not to the digit).

Data: x1 ~ N(0,1), x2 = 0.8 x1 + 0.6 N(0,1), x3 ~ N(0,1), cat in a/b/c/d with shares 0.4/0.3/0.2/0.1.
Baseline (as `driftwatch baseline --drift-mode calibrated` builds it from 50,000 rows, all in its sample):
x1..x3 and cat one-hot encoded (one indicator per category: all four hold >= 1%), standardised on the even
rows (ddof = 1), PCA by eigh of their correlation matrix keeping the fewest components that reach 65% of
the variance; the odd rows (held out, H of them) give the per-row reconstruction error's mean and sd
(ddof = 1). Rule: a window of n rows alarms when its mean error leaves mean +- z(1 - alpha/2) sd
sqrt(1/n + 1/H), alpha = 0.05 (built for 5% per window).
Windows without drift of 10^2, 10^4 and 10^6 rows. At 10^6 rows the execution scores a uniform random
subsample (src/checks/multivariate.ts: rate 2^-L, L = floor(log2(n / cap)), cap = max(20,000, 2 H)); the
script scores both that subsample and every row, so the two rates can be compared.

Run: python3 bench/multivariate-rate.py [baselines=10] (about a minute with 10 baselines)."""
import math
import sys

import numpy as np

ALPHA = 0.05
Z = 1.959963984540054
SHARE = 0.65
CATS = 4
SHARES = np.array([0.4, 0.3, 0.2, 0.1])


def rows(rng, n):
    z1 = rng.normal(size=n)
    x = np.empty((n, 3 + CATS))
    x[:, 0] = z1
    x[:, 1] = 0.8 * z1 + 0.6 * rng.normal(size=n)
    x[:, 2] = rng.normal(size=n)
    cat = rng.choice(CATS, size=n, p=SHARES)
    x[:, 3:] = 0.0
    x[np.arange(n), 3 + cat] = 1.0
    return x


def fit(baseline):
    fit_rows, held = baseline[0::2], baseline[1::2]
    mean = fit_rows.mean(axis=0)
    std = fit_rows.std(axis=0, ddof=1)
    std[~(std > 0)] = 1.0
    vals, vecs = np.linalg.eigh(np.corrcoef(fit_rows, rowvar=False))
    order = np.argsort(vals)[::-1]
    vals, vecs = vals[order], vecs[:, order]
    ratio = np.cumsum(np.maximum(vals, 0)) / np.maximum(vals, 0).sum()
    k = int(np.searchsorted(ratio, SHARE) + 1)
    model = (mean, std, vecs[:, :k])
    e = errors(model, held)
    return model, e.mean(), e.std(ddof=1), len(held), k


def errors(model, x):
    mean, std, w = model
    z = (x - mean) / std
    return np.sqrt(np.maximum(0.0, (z * z).sum(axis=1) - ((z @ w) ** 2).sum(axis=1)))


def wilson(k, n):
    p = k / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def main():
    baselines = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    rng = np.random.default_rng(14)
    fitted = [fit(rows(rng, 50_000)) for _ in range(baselines)]
    print(f"{baselines} baselines of 50,000 rows; PCA keeps {fitted[0][4]} of {3 + CATS} dimensions; "
          f"held-out rows {fitted[0][3]}; alarm rate {ALPHA} (band mean +- z sd sqrt(1/n + 1/H))")
    print("| rows | windows | scored rows per window | multivariate false alarms |")
    print("|---|---|---|---|")
    for n, per in ((100, 100), (10_000, 30), (1_000_000, 4)):
        alarms = {"all": 0, "sampled": 0}
        trials = 0
        scored = []
        for model, mu, sd, held, _ in fitted:
            cap = max(20_000, 2 * held)
            level = max(0, math.floor(math.log2(n / cap))) if n >= 2 * cap else 0
            for _ in range(per):
                e = errors(model, rows(rng, n))
                trials += 1
                for name, kept in (("all", e), ("sampled", e[rng.random(n) < 2.0 ** -level])):
                    half = Z * sd * math.sqrt(1 / len(kept) + 1 / held)
                    if abs(kept.mean() - mu) > half:
                        alarms[name] += 1
                    if name == "sampled":
                        scored.append(len(kept))
        for name in ("all", "sampled") if n >= 1_000_000 else ("all",):
            lo, hi = wilson(alarms[name], trials)
            label = "every row" if name == "all" else "uniform subsample as executions score it"
            rows_label = f"{n:,}" if name == "all" else f"{min(scored):,}-{max(scored):,}"
            print(f"| {n:,} ({label}) | {trials} | {rows_label} | {100 * alarms[name] / trials:.1f}% "
                  f"[{100 * lo:.1f}, {100 * hi:.1f}] |")


if __name__ == "__main__":
    main()
