"""Studies that reproduce a paper's experiment end to end (``benchmarks/p1_trace.py``).

* :mod:`kvopt.study.workloads`: the P1 real-trace workloads (an LMSYS-Chat-1M-like
  reconstruction and the shipped Azure conversation trace) at a Poisson rate;
* :mod:`kvopt.study.curves`: average latency as a function of requests served, and its
  fitted slope;
* :mod:`kvopt.study.p1_trace`: the sweep (policies x tuning grids x seeds) on the ratio
  lab's store and executors, and its summary;
* :mod:`kvopt.study.plots`: the pictures.
"""
