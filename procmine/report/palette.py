"""Every colour the report's pictures use, in one place, safe for colour-blind readers.

- ``CATEGORICAL``: Okabe & Ito (2008), told apart under every common colour-vision deficiency. Series
  (offices, parties, own vs network) take them in order; ``series_style`` adds a marker and, from five
  series on, a dash, whose cycles differ in length from the colours', so nine offices never share colour,
  dash and marker at once and no line is told apart by colour alone.
- ``WAIT``: a sequential single-hue scale (ColorBrewer "Oranges", light = short, dark = long) for the process
  map's arrows by median waiting time: its order survives colour blindness and grey print.
- ``DIVERGING``: orange against blue (never red against green) for "more / slower in A" against "in B" on the
  difference map and for "better" / "worse" than the network; grey in between.
- Neutral ink, grid and the boxes of the maps (structure, not data).

``ALLOWED`` is the set a chart may draw with; ``tests/test_palette.py`` fails on any other colour in a
rendered picture, so a raw colour added to a chart shows up at once.
"""

from __future__ import annotations

from typing import NamedTuple

# Okabe & Ito: blue, orange, bluish green, reddish purple, sky blue, vermillion, black
CATEGORICAL = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "h")
DASHES = ("-", "--", "-.", ":")

# process-map arrows by median waiting time (mapview.WAIT_BANDS_DAYS): < 1 day, 1-7, 7-30, > 30 days
WAIT = ("#FDB576", "#F87F2C", "#D84801", "#8E2D04")
WAIT_UNKNOWN = "#8A97A5"

# two sides and the middle: orange = the first (A, "worse"), blue = the second (B, "better"), grey = no difference
ORANGE = "#D55E00"
BLUE = "#0072B2"
NEUTRAL = "#999999"
DIVERGING = (ORANGE, NEUTRAL, BLUE)
BETTER, WORSE, WITHIN_NOISE = BLUE, ORANGE, NEUTRAL

# neutral ink and structure
INK = "#1F2933"
MUTED = "#52606D"
GRID = "#D9E2EC"
REFERENCE = MUTED  # a norm or network line: grey and dashed
SHADE = "#DDDDDD"  # a band behind a chart (a month every office changed in)
BOX_FILL, BOX_LINE = "#E8F0FA", "#3A6EA5"  # a step of a map
EDGE = "#5B6B7B"  # an arrow that carries no colour code
START_FILL, START_LINE = "#D9F0D9", "#2E7D32"
END_FILL, END_LINE = "#EEEEEE", "#333333"
TASK_FILL, TASK_LINE = "#FFF8E1", "#B8860B"  # BPMN task
STOP_FILL, STOP_LINE = "#F6DADA", "#B71C1C"  # BPMN end event (a thick ring; told apart by its shape)
WHITE, BLACK = "#FFFFFF", "#000000"

DATA = frozenset(c.lower() for c in (*CATEGORICAL, *WAIT, WAIT_UNKNOWN, *DIVERGING))
STRUCTURE = frozenset(c.lower() for c in (INK, MUTED, GRID, SHADE, BOX_FILL, BOX_LINE, EDGE, START_FILL, START_LINE,
                                          END_FILL, END_LINE, TASK_FILL, TASK_LINE, STOP_FILL, STOP_LINE, WHITE, BLACK))
ALLOWED = DATA | STRUCTURE


SOLID_UP_TO = 4  # a chart of this many series or fewer draws them solid (a broken line of weekly counts reads badly)


class SeriesStyle(NamedTuple):
    colour: str
    dash: str
    marker: str


def series_style(i: int, of: int = len(CATEGORICAL) + 1) -> SeriesStyle:
    """Colour, dash and marker of the ``i``-th of ``of`` series: up to ``SOLID_UP_TO`` series are solid lines in
    well-separated colours (and markers); more also differ by dash (distinct in dash and marker from every other of
    the first 36 series, distinct in colour from the next six)."""
    dash = DASHES[i % len(DASHES)] if of > SOLID_UP_TO else DASHES[0]
    return SeriesStyle(CATEGORICAL[i % len(CATEGORICAL)], dash, MARKERS[i % len(MARKERS)])
