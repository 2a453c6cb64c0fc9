"""The second engine: events per project on SimPy, the workforce as arrays (docs/engine.md).

``run_replication(scenario, seed, replication) -> Records`` gives the same records, with the
same meaning, as the first engine (:mod:`gigsim.simulation`); ``gigsim.simulate(...,
engine="v2")`` runs it.
"""

from gigsim.engine.replication import Replication, run_replication

__all__ = ["Replication", "run_replication"]
