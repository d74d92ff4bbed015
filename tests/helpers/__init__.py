"""Helpers shared by the tests: reference algorithms, strategies, toy sweeps, a browser.

- :mod:`~tests.helpers.exhaustive`: the exhaustive optimum of small instances.
- :mod:`~tests.helpers.semi_online_reference`: brute force for identical requests.
- :mod:`~tests.helpers.strategies`: hypothesis strategies and a round-by-round memory.
- :mod:`~tests.helpers.ratio_toy`: toy trials for the ratio lab's runner and store.
- :mod:`~tests.helpers.reliability_helpers`: child processes for the kill tests.
- :mod:`~tests.helpers.browser`: a headless Chromium for the HTML page.
"""
