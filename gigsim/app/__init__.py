"""``gigsim app``: a local web page where a prospective worker asks "what would I earn?".

The layers, from the estimate up: :mod:`~gigsim.app.inputs` (roles and the bounds of every
input), :mod:`~gigsim.app.answer` (the one adapter to :mod:`gigsim.studies.estimate`),
:mod:`~gigsim.app.pool` (worker processes, a bounded queue, a cache),
:mod:`~gigsim.app.view` and :mod:`~gigsim.app.page` (HTML), :mod:`~gigsim.app.server` (Shiny's
server logic) and :mod:`~gigsim.app.serve` (the socket and uvicorn). Importing this package
imports none of them, so the CLI loads Shiny only when the app is asked for.
"""
