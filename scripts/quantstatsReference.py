"""
Reference figures for src/core/metrics/tearSheet.golden.test.ts: QuantStats' definitions
(ranaroussi/quantstats stats.py/utils.py: monthly_returns' compounding, rolling_sharpe,
rolling_volatility, to_drawdown_series, drawdown_details, skew, kurtosis) restated with pandas on the
closes of ../shared/data/GOOG.csv, since QuantStats itself is not installable offline here.

Run: python3 scripts/quantstatsReference.py ../shared/data/GOOG.csv
"""
import sys

import numpy as np
import pandas as pd

prices = pd.read_csv(sys.argv[1], index_col=0, parse_dates=True)["Close"]
returns = prices.pct_change().dropna()


def comp(r):
    return (1 + r).prod() - 1


monthly = returns.groupby([returns.index.year, returns.index.month]).apply(comp)
yearly = returns.groupby(returns.index.year).apply(comp)

# rolling_sharpe / rolling_volatility: rolling_period=126, periods_per_year=252, rf=0
roll_sharpe = returns.rolling(126).mean() / returns.rolling(126).std() * np.sqrt(252)
roll_vol = returns.rolling(126).std() * np.sqrt(252)

# to_drawdown_series
wealth = (1 + returns).cumprod()
dd = wealth / np.maximum.accumulate(wealth) - 1.0

# drawdown_details (end = the last day under water, days = end - start + 1)
no_dd = dd == 0
starts = ~no_dd & no_dd.shift(1, fill_value=True)
starts = list(starts[starts].index)
ends = no_dd & (~no_dd).shift(1, fill_value=False)
ends = ends.shift(-1, fill_value=False)
ends = list(ends[ends].index)
if ends and starts[0] > ends[0]:
    starts.insert(0, dd.index[0])
if not ends or starts[-1] > ends[-1]:
    ends.append(dd.index[-1])
rows = []
for s, e in zip(starts, ends):
    part = dd[s:e]
    rows.append((s.date(), part.idxmin().date(), e.date(), (e - s).days + 1, part.min()))
rows.sort(key=lambda r: r[4])

print("returns", len(returns))
print("months", len(monthly), "first", repr(monthly.iloc[0]), "last", repr(monthly.iloc[-1]))
print("monthly sum", repr(monthly.sum()))
print("years", {int(k): repr(v) for k, v in yearly.items()})
for i in (125, 1000, len(returns) - 1):
    print("rolling", i, returns.index[i].date(), repr(roll_sharpe.iloc[i]), repr(roll_vol.iloc[i]))
print("skew", repr(returns.skew()), "kurtosis", repr(returns.kurtosis()))
for r in rows[:5]:
    print("drawdown", r[0], r[1], r[2], r[3], repr(r[4]))
