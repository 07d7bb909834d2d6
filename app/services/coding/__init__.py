"""The job-title coder: free-text job titles (数控车工, 电商客服主管) to occupation codes of
the 职业分类大典 (2022), with the evidence for each candidate in words.

See `coder.py` for the method and `bench/coding.py` for how it was chosen and measured.
"""
