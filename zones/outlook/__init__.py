"""The outlook (issue 23): for each unit and day D, the probability that its computed level
on D+7 is higher, lower or the same, from figures dated up to D only; and its backtest.

``model`` draws next week's figures, ``forecast`` pushes the draws through the rule engine
under the rule set in force on D+7, ``service`` reads a workspace, caches by data version
and scores a period against what happened (beside the persistence baseline). The model's
numbers are data (``params.yaml``), checked when read.
"""
