"""Accessible bar charts drawn as SVG on the server: no JavaScript charting library.

Each chart is an image with a <title> and a <desc> that reads its numbers out; the page shows the same numbers in
a table with a caption, which is what screen reader users and anyone copying the figures use.
"""

from dataclasses import dataclass

ROW_HEIGHT = 32
BAR_HEIGHT = 22
LABEL_WIDTH = 230
BAR_AREA = 380
VALUE_WIDTH = 90
TOP = 8
MAX_LABEL_CHARACTERS = 32


@dataclass(frozen=True)
class Bar:
    label: str
    short_label: str
    value: float
    value_text: str
    y: int
    width: float

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT // 2 + 5

    @property
    def value_x(self) -> float:
        return LABEL_WIDTH + self.width + 6


@dataclass(frozen=True)
class BarChart:
    chart_id: str
    title: str
    description: str
    bars: tuple[Bar, ...]

    label_width = LABEL_WIDTH
    bar_height = BAR_HEIGHT

    @property
    def width(self) -> int:
        return LABEL_WIDTH + BAR_AREA + VALUE_WIDTH

    @property
    def height(self) -> int:
        return TOP * 2 + ROW_HEIGHT * max(len(self.bars), 1)

    @property
    def label_x(self) -> int:
        return LABEL_WIDTH - 8


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARACTERS else label[: MAX_LABEL_CHARACTERS - 1] + "…"


def bar_chart(
    *, chart_id: str, title: str, rows: list[tuple[str, float]], maximum: float | None = None, suffix: str = ""
) -> BarChart:
    """A horizontal bar chart of (label, value) rows; `maximum` fixes the scale (100 for percentages)."""
    largest = maximum if maximum is not None else max((value for _label, value in rows), default=0)
    scale = BAR_AREA / largest if largest else 0
    bars = tuple(
        Bar(label, _short(label), value, _number(value) + suffix, TOP + index * ROW_HEIGHT, round(value * scale, 1))
        for index, (label, value) in enumerate(rows)
    )
    if bars:
        description = f"{title}: " + "; ".join(f"{bar.label} {bar.value_text}" for bar in bars) + "."
    else:
        description = f"{title}: no data."
    return BarChart(chart_id, title, description, bars)


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


# Stacked columns: one column per day or period, one coloured segment per series (channel), with a legend.

STACK_LEFT = 56
STACK_PLOT_WIDTH = 660
STACK_TOP = 44
STACK_PLOT_HEIGHT = 220
STACK_BOTTOM = 28
MAX_AXIS_LABELS = 12
# GOV.UK colours, each at least 3:1 against white (WCAG 1.4.11); segments are also split by a white line.
SERIES_COLOURS = ("#1d70b8", "#00703c", "#d4351c", "#4c2c92", "#505a5f", "#6f4a2a", "#003078")


@dataclass(frozen=True)
class Segment:
    series: str
    value: float
    y: float
    height: float
    colour: str


@dataclass(frozen=True)
class Column:
    label: str
    x: float
    width: float
    segments: tuple[Segment, ...]
    show_label: bool

    @property
    def label_x(self) -> float:
        return round(self.x + self.width / 2, 1)


@dataclass(frozen=True)
class LegendKey:
    label: str
    colour: str
    x: int

    @property
    def text_x(self) -> int:
        return self.x + 20


@dataclass(frozen=True)
class StackedChart:
    chart_id: str
    title: str
    description: str
    columns: tuple[Column, ...]
    legend: tuple[LegendKey, ...]
    scale_text: str  # the value at the top of the axis

    width = STACK_LEFT + STACK_PLOT_WIDTH + 8
    height = STACK_TOP + STACK_PLOT_HEIGHT + STACK_BOTTOM
    plot_left = STACK_LEFT
    plot_top = STACK_TOP
    plot_bottom = STACK_TOP + STACK_PLOT_HEIGHT
    plot_right = STACK_LEFT + STACK_PLOT_WIDTH
    axis_label_x = STACK_LEFT - 6
    label_y = STACK_TOP + STACK_PLOT_HEIGHT + 20
    scale_y = STACK_TOP + 5
    zero_y = STACK_TOP + STACK_PLOT_HEIGHT + 5


def stacked_chart(
    *,
    chart_id: str,
    title: str,
    series: list[str],
    columns: list[tuple[str, list[float]]],
    maximum: float | None = None,
    suffix: str = "",
) -> StackedChart:
    """Columns of (label, one value per series), stacked; `maximum` fixes the scale (100 for shares)."""
    largest = maximum if maximum is not None else max((sum(values) for _label, values in columns), default=0)
    scale = STACK_PLOT_HEIGHT / largest if largest else 0
    step = STACK_PLOT_WIDTH / max(len(columns), 1)
    every = -(-len(columns) // MAX_AXIS_LABELS) or 1  # label at most MAX_AXIS_LABELS columns
    built = []
    for index, (label, values) in enumerate(columns):
        bottom = float(STACK_TOP + STACK_PLOT_HEIGHT)
        segments = []
        for name, value, colour in zip(series, values, _colours(len(series)), strict=True):
            height = round(value * scale, 1)
            if height:
                bottom -= height
                segments.append(Segment(name, value, round(bottom, 1), height, colour))
        built.append(
            Column(
                label=label,
                x=round(STACK_LEFT + index * step + step * 0.15, 1),
                width=round(step * 0.7, 1),
                segments=tuple(segments),
                show_label=index % every == 0,
            )
        )
    legend = tuple(
        LegendKey(name, colour, STACK_LEFT + index * 130)
        for index, (name, colour) in enumerate(zip(series, _colours(len(series)), strict=True))
    )
    if columns and largest:
        parts = [
            f"{label}: "
            + ", ".join(f"{name} {_number(value)}{suffix}" for name, value in zip(series, values, strict=True))
            for label, values in columns
        ]
        description = f"{title}. " + "; ".join(parts) + "."
    else:
        description = f"{title}: no data."
    return StackedChart(chart_id, title, description, tuple(built), legend, _number(largest) + suffix)


def _colours(count: int) -> list[str]:
    return [SERIES_COLOURS[i % len(SERIES_COLOURS)] for i in range(count)]
