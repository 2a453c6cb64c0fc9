"""Clients as renewal processes: when each client is lost, and the projects that end with it.

A client's instances follow one another from time 0: instance ``k`` lives a lifetime drawn from
``clients.<name>.lifetime`` (the ``k``-th draw) and is lost at ``loss[k]``, the sum of the
first ``k + 1`` lifetimes; its loss is announced with the ``k``-th uniform draw of
``clients.<name>.notice`` below the notice probability. A project launched at ``t`` belongs
to the instance alive at ``t`` (docs/model.md §4, Clients).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gigsim.randomness import Streams
from gigsim.scenario.clients import Client

_BLOCK = 64  # lifetimes drawn this many at a time: the same values however many are used


@dataclass(frozen=True)
class ClientLosses:
    """The successive instances of one client over a run: when each is lost, and how."""

    loss: np.ndarray  # the time each instance is lost, increasing; the last is at or after the end
    notice_at: np.ndarray  # when the loss is announced (NaN: unannounced)


def client_losses(client: Client, streams: Streams, end_h: float) -> ClientLosses:
    """Draw the instances of ``client`` until one outlives ``end_h``."""
    rng = streams.get(f"clients.{client.name}.lifetime")
    blocks: list[np.ndarray] = []
    total = 0.0
    while total < end_h:
        block = np.maximum(np.asarray(client.lifetime.sample(rng, _BLOCK), dtype=float), 1e-9)
        blocks.append(block)
        total += float(block.sum())
    loss = np.cumsum(np.concatenate(blocks))
    n = int(np.searchsorted(loss, end_h, side="left")) + 1  # up to the first at or after the end
    loss = loss[:n]
    start = np.r_[0.0, loss[:-1]]
    if client.notice is None:
        notice_at = np.full(n, np.nan)
    else:
        announced = streams.get(f"clients.{client.name}.notice").random(n) \
            < client.notice.probability
        notice_at = np.where(announced, np.maximum(start, loss - client.notice.duration_h),
                             np.nan)
    return ClientLosses(loss, notice_at)


def end_with_clients(launch: np.ndarray, end: np.ndarray, notice_at: np.ndarray,
                     losses: ClientLosses) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Projects launched at ``launch`` for one client: their end, notice and whether it is lost.

    A project ends at the earlier of its own end and its client's loss. It is under notice
    from the earlier of its own notice (if announced before that end) and the client's
    announcement (if the client's loss ends it), but never before its launch.
    """
    instance = np.searchsorted(losses.loss, launch, side="right")
    lost_at = losses.loss[instance]
    by_client = lost_at < end
    new_end = np.where(by_client, lost_at, end)
    own = np.where(notice_at < new_end, notice_at, np.nan)  # NaN stays NaN
    client_notice = np.where(by_client, np.maximum(launch, losses.notice_at[instance]), np.nan)
    new_notice = np.fmin(own, client_notice)
    return new_end, new_notice, by_client
