"""The app's server logic: each page's inputs become a question for the pool, and back.

Each page (a Shiny session) keeps one question at a time. When the inputs change, the inputs
are checked (a bad value gets a message, never a traceback), the page's previous question is
given back to the pool (which cancels it if no other page wants it) and the new one is
submitted; the answer on show stays, dimmed, with a progress bar, until the new one arrives.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from htmltools import Tag, tags
from shiny import App, Inputs, Outputs, Session, reactive, render, ui

from gigsim.app.answer import Answer
from gigsim.app.inputs import (
    DEFAULT_HOURS_PER_WEEK,
    DEFAULT_MONTHS,
    FIRST_REPLICATIONS,
    MAX_REPLICATIONS,
    InputError,
    Params,
    Role,
    check_monthly_need,
    check_params,
    check_reference_wage,
    list_roles,
)
from gigsim.app.page import page
from gigsim.app.page import platforms_control as platforms_view_control
from gigsim.app.pool import Busy, Cancelled, EstimatePool, Job
from gigsim.app.view import answer_view, pinned_view
from gigsim.errors import GigsimError
from gigsim.studies.estimate import PROFILES

log = logging.getLogger(__name__)

POLL_S = 0.2  # how often a page looks at its question's progress
BUSY_RETRY_S = 1.0


@dataclass
class GigsimApp:
    """The Shiny app and its pool; :meth:`close` stops the pool."""

    app: App
    pool: EstimatePool

    def close(self) -> None:
        """Stop every computation and the worker processes (again: nothing more to stop)."""
        self.pool.close()


def default_role(roles: dict[str, Role]) -> Role:
    """The generalist profile where the folder has it, else the first role."""
    file, group = PROFILES["generalist"]
    return roles.get(f"{file}/{group}", next(iter(roles.values())))


def create_app(folder: Path, workers: int | None = None) -> GigsimApp:
    """The app over the scenario files in ``folder``, with ``workers`` worker processes.

    The default question is computed at once, so the first page shows its answer without
    waiting.
    """
    roles = list_roles(folder)
    role = default_role(roles)
    default = check_params(roles, role.key, DEFAULT_HOURS_PER_WEEK, DEFAULT_MONTHS,
                           FIRST_REPLICATIONS)
    pool = EstimatePool(folder, workers=workers)
    pool.submit(role, default)  # never given back: its answer stays in the cache
    pool.warm()
    return GigsimApp(App(page(roles, role), _server(pool, roles)), pool)


def _message(text: str) -> Tag | str:
    return tags.div({"class": "gigsim-message"}, text) if text else ""


def _chosen_platforms(input: Inputs) -> Any:
    """The platforms ticked: None where the role's scenario has one (no such control shown)."""
    if "platforms" not in input:
        return None
    chosen = input.platforms()
    return () if chosen is None else chosen


def _server(pool: EstimatePool, roles: dict[str, Role]) -> Any:
    def server(input: Inputs, output: Outputs, session: Session) -> None:
        job_v: reactive.Value[Job | None] = reactive.Value(None)
        answer_v: reactive.Value[Answer | None] = reactive.Value(None)
        asked_v: reactive.Value[Params | None] = reactive.Value(None)  # the latest question
        message_v = reactive.Value("")  # a bad input
        status_v = reactive.Value("")  # busy, or a computation that failed
        state: dict[str, Any] = {"role": None, "base": None, "clicks": 0,
                                 "replications": FIRST_REPLICATIONS}

        def drop_job() -> None:
            with reactive.isolate():
                job = job_v.get()
            if job is not None:
                pool.release(job)
                job_v.set(None)

        def ask(role: Role, params: Params) -> None:
            with reactive.isolate():
                job = job_v.get()
                shown = answer_v.get()
            if job is not None and job.key == pool.key(role, params):
                return
            asked_v.set(params)
            drop_job()
            if shown is not None and shown.params == params and shown.figures:
                status_v.set("")
                return
            try:
                got = pool.submit(role, params)
            except Busy as error:
                status_v.set(f"{error}.")
                reactive.invalidate_later(BUSY_RETRY_S)
                return
            status_v.set("")
            if isinstance(got, Job):
                job_v.set(got)
            else:
                answer_v.set(got)

        @reactive.effect
        def _question() -> None:
            role_key = input.role()
            clicks = input.more()
            projects = input.projects()  # an empty field (None) is not the role's default
            raw = dict(hours=input.hours(), months=input.months(),
                       projects="" if projects is None else projects,
                       launches=input.launches(), notice=input.notice(),
                       platforms=_chosen_platforms(input))
            role = roles.get(role_key)
            if role is not None and state["role"] not in (None, role_key):
                # a new role brings its own defaults: ignore the old role's values
                raw["launches"] = raw["notice"] = raw["projects"] = raw["platforms"] = None
                ui.update_numeric("launches", value=round(role.launches_per_week, 4))
                ui.update_numeric("notice", value=round(role.notice_share * 100, 2))
                ui.update_numeric("projects", value=role.max_projects, max=role.most_projects)
            state["role"] = role_key
            try:
                base = check_params(roles, role_key, raw["hours"], raw["months"],
                                    FIRST_REPLICATIONS, raw["launches"], raw["notice"],
                                    raw["projects"], raw["platforms"])
            except InputError as error:
                message_v.set(str(error))
                drop_job()
                return
            message_v.set("")
            if base != state["base"]:
                state["base"] = base
                state["replications"] = FIRST_REPLICATIONS
            elif clicks != state["clicks"]:
                state["replications"] = min(2 * state["replications"], MAX_REPLICATIONS)
            state["clicks"] = clicks
            params = replace(base, replications=state["replications"])
            assert role is not None  # check_params refused an unknown role
            ask(role, params)
            following = min(2 * state["replications"], MAX_REPLICATIONS)
            ui.update_action_button(
                "more", label=f"More replications ({following})",
                disabled=state["replications"] >= MAX_REPLICATIONS)

        @reactive.effect
        def _collect() -> None:
            job = job_v.get()
            if job is None:
                return
            if not job.future.done():
                numbers = pool.numbers(job)  # the numbers come before the figures
                with reactive.isolate():
                    if numbers is not None and answer_v.get() is not numbers:
                        answer_v.set(numbers)
                reactive.invalidate_later(POLL_S)
                return
            job_v.set(None)
            pool.release(job)
            if job.future.cancelled():
                return
            error = job.future.exception()
            if error is None:
                answer_v.set(job.future.result())
            elif isinstance(error, Cancelled):
                return
            elif isinstance(error, GigsimError):
                status_v.set(f"These inputs cannot be simulated: {error}")
            else:
                log.error("an estimate failed", exc_info=error)
                status_v.set("The estimate failed on the server (its log has the details);"
                             " change an input to try again.")

        @render.ui
        def platforms_control() -> Tag | str:
            role = roles.get(input.role())
            return "" if role is None else platforms_view_control(role)

        @render.ui
        def message() -> Tag | str:
            text = message_v.get()
            try:
                check_reference_wage(input.reference())
                check_monthly_need(input.need())
            except InputError as error:
                text = f"{text} {error}".strip()
            return _message(text)

        def doing() -> tuple[str, tuple[int, int] | None]:
            """What is being computed, in words, and the replications done and in all."""
            job = job_v.get()
            if job is None:
                return status_v.get(), None
            reactive.invalidate_later(POLL_S)
            done, total = pool.progress(job)
            return (f"Computing: {done} of {total} replications done…" if done < total
                    else "Drawing the figures…"), (done, total)

        def reference() -> float:
            try:
                return check_reference_wage(input.reference())
            except InputError:
                return 0.0

        def need() -> float | None:
            try:
                return check_monthly_need(input.need())
            except InputError:
                return None

        def stale(shown: Answer) -> bool:
            return bool(message_v.get()) or shown.params != asked_v.get()

        @render.ui
        def status() -> Tag | str:
            text, counts = doing()
            if counts is None:
                return tags.span(text)
            done, total = counts
            return tags.span(tags.progress({"max": str(total), "value": str(done),
                                            "aria-label": "replications done"}), " " + text)

        @render.ui
        def answer() -> Tag | str:
            shown = answer_v.get()
            if shown is None:
                return tags.p("Computing the first answer…")
            return answer_view(shown, reference(), stale=stale(shown), monthly_need_usd=need())

        @render.ui
        def pinned() -> Tag | str:
            shown = answer_v.get()
            return pinned_view(shown, reference(), doing()[0],
                               stale=shown is not None and stale(shown))

        session.on_ended(drop_job)

    return server
