"""The engine: events per project on SimPy, the workforce as arrays (docs/engine.md).

``run_replication(scenario, seed, replication) -> Records`` runs one replication of a scenario;
:func:`gigsim.simulate` runs it once per replication. The records (:mod:`gigsim.engine.records`)
are all that the layers above read.
"""

from gigsim.engine.replication import Replication, run_replication

__all__ = ["Replication", "run_replication"]
