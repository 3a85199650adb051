"""Simulated responses for the demo: a counter sample, biased the way real ones are.

A QR code at a one-stop desk is a convenience sample (METHODOLOGY.md, "What this
means for the software"): young people and men answer more often than their share
of the transactions, and some desks push the survey harder than others. The demo
needs data with exactly those faults, and the population counts (margins) that
let the analysis weight them away, so that the dashboard, the weighted indices,
the ranks and the PAR points show something true to life from the first minute.

Everything here is a pure function of its arguments and ``seed``: the same call
gives the same responses (``random.Random`` seeded with text is stable across
runs and machines). Nothing touches a database; the demo loader stores the
answers, marked as simulated.

The model, for one response:

1. A cell (unit, sex, age group) is drawn with probability proportional to the
   unit's transactions x the population share of the sex and of the age group x
   a response propensity (unit x sex x age). The propensities are the bias;
   :func:`population_margins` gives the counts *without* it, so raking the
   sample to them removes it.
2. The respondent's latent satisfaction is the unit's quality (drawn once per
   unit, or given) plus effects of age and sex plus a personal effect.
3. Every item is answered in questionnaire order, skip logic applied on the
   answers so far (as :func:`survey_app.questionnaire.parse_answers` does), each
   within its type and range; optional items are left blank now and then.
   Rating items (5-level satisfaction, the officials' 1-5 scales) follow the
   latent satisfaction through an ordered-probit link, so units differ and older
   respondents, who are under-represented, are somewhat more satisfied: an
   unweighted index is biased and the weighted one is not.

The default figures (:data:`COUNTER_SAMPLE`) are illustrative, not measured:
they only need to look like a counter sample.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from survey_app.questionnaire.answers import Answer
from survey_app.questionnaire.model import DEFAULT_DECIMAL_PLACES, Item, ItemType, Questionnaire

# Ordered-probit cut points on the latent scale for 2..5 ordered answers.
_CUTS: Mapping[int, tuple[float, ...]] = {
    2: (0.6,),
    3: (-0.2, 1.4),
    4: (-0.8, 0.3, 1.6),
    5: (-1.0, -0.2, 0.6, 2.0),
}
_COMMENTS = (
    ("Cán bộ nhiệt tình, hướng dẫn chu đáo.", "Helpful officials."),
    ("Chờ hơi lâu, cần thêm ghế ngồi.", "Long wait, more seats needed."),
    ("Nên hướng dẫn rõ hơn cách nộp hồ sơ trực tuyến.", "Explain online submission better."),
    ("Thủ tục nhanh gọn, hài lòng.", "Quick and easy."),
    ("Trang dịch vụ công hay bị lỗi khi tải tệp lên.", "The portal fails on uploads."),
    ("Đề nghị niêm yết phí, lệ phí rõ ràng hơn.", "Post the fees more clearly."),
    ("Bãi gửi xe chật.", "The car park is too small."),
)


@dataclass(frozen=True)
class SampleBias:
    """Who answers at a desk, relative to who completes a procedure there.

    Attributes
    ----------
    sex_item, age_item:
        Item codes of sex and age group; absent items are simply not biased.
    sex_shares, age_shares:
        Population shares per answer, in option order (the transactions);
        ``age_shares`` is used when its length matches the age item's options,
        otherwise the age groups are taken as equally common.
    sex_propensity, age_propensity:
        Relative chance to answer, in option order (men and the young answer more).
    unit_spread:
        Standard deviation of the log of each unit's propensity: some desks
        promote the survey, others hardly do.
    quality_spread:
        Standard deviation of the units' latent quality (differences between units).
    base_satisfaction, age_effect, sex_effect, person_spread, answer_spread:
        Latent satisfaction = base + unit quality + age_effect x (age position - 2),
        the age position counting the age item's options from 1,
        + sex_effect (for the first sex option) + N(0, person_spread); each
        rating adds N(0, answer_spread) and an item offset.
    skip_optional:
        Chance that an optional item is left blank.
    comment_share:
        Chance that a free-text item gets a comment.
    yes_shares:
        Chance of "yes" for yes/no items by code (0.5 for others).
    fast_share, straight_share:
        Shares of too-fast and straight-lined responses, so the quality flags
        have something to show.
    """

    sex_item: str = "sex"
    age_item: str = "age_group"
    sex_shares: tuple[float, ...] = (0.48, 0.52)
    sex_propensity: tuple[float, ...] = (1.4, 1.0)
    age_shares: tuple[float, ...] = (0.13, 0.22, 0.30, 0.22, 0.13)
    age_propensity: tuple[float, ...] = (1.9, 1.5, 1.0, 0.6, 0.35)
    unit_spread: float = 0.45
    quality_spread: float = 0.45
    base_satisfaction: float = 1.3
    age_effect: float = 0.18
    sex_effect: float = -0.15
    person_spread: float = 0.55
    answer_spread: float = 0.7
    skip_optional: float = 0.07
    comment_share: float = 0.15
    yes_shares: Mapping[str, float] = field(default_factory=lambda: {
        "j_feedback_given": 0.3, "j_online_used": 0.55, "b_online_used": 0.65,
        "j_harassment": 0.08, "j_informal_payment": 0.04,
    })
    fast_share: float = 0.03
    straight_share: float = 0.02


#: A counter sample as METHODOLOGY.md describes it (illustrative figures).
COUNTER_SAMPLE = SampleBias()
#: No bias at all: every transaction equally likely to answer (for comparisons).
NO_BIAS = SampleBias(sex_propensity=(1.0, 1.0), age_propensity=(1.0,) * 5, unit_spread=0.0)


@dataclass(frozen=True)
class SimulatedResponse:
    """One simulated response: its unit, its answers as stored, and when and how fast.

    ``answers`` has the types :func:`parse_answers` returns (int codes and
    numbers, str texts, sorted ``list[int]`` for multiple choice) and only the
    items that apply. ``moment`` in [0, 1) places the response within the
    round's period.
    """

    unit: str
    answers: dict[str, Answer]
    duration_seconds: int
    moment: float


@dataclass(frozen=True)
class MarginRow:
    """One population total, as a row of a margins file (``variable,category,total,group``)."""

    variable: str
    category: str
    total: int
    group: str


def unit_quality(units: Sequence[tuple[str, int]], seed: int, bias: SampleBias = COUNTER_SAMPLE) -> dict[str, float]:
    """Each unit's latent quality, stable per (seed, unit code) so every group sees the same unit alike."""
    return {code: random.Random(f"{seed}:quality:{code}").gauss(0.0, bias.quality_spread) for code, _ in units}


def simulate_responses(
    q: Questionnaire,
    units: Sequence[tuple[str, int]],
    n: int,
    *,
    seed: int,
    bias: SampleBias = COUNTER_SAMPLE,
    quality: Mapping[str, float] | None = None,
    min_per_unit: int = 5,
) -> list[SimulatedResponse]:
    """``n`` responses to ``q`` from the units ``[(unit code, transactions), ...]``.

    Units with more transactions get more responses, distorted by each unit's
    propensity; each unit gets at least ``min_per_unit`` when ``n`` allows (so
    that every unit can be weighted and ranked). ``quality`` overrides the
    units' latent quality (default :func:`unit_quality`).

    Raises
    ------
    ValueError
        No units, a unit without transactions, or a negative ``n``.
    """
    if not units:
        raise ValueError("simulate_responses needs at least one unit")
    if n < 0:
        raise ValueError("n must not be negative")
    if any(count <= 0 for _, count in units):
        raise ValueError("every unit needs a positive number of transactions")
    rng = random.Random(f"{seed}:responses:{q.group}")
    qualities = dict(unit_quality(units, seed, bias))
    qualities.update(quality or {})
    cells, weights = _cells(q, units, seed, bias)
    drawn = _draw_cells(rng, cells, weights, [code for code, _ in units], n, min_per_unit)
    plans = _plans(q, bias)
    responses = []
    age_item = _item_or_none(q, bias.age_item)
    age_position = {code: k for k, code in enumerate(age_item.option_codes, start=1)} if age_item else {}
    sex_item = _item_or_none(q, bias.sex_item)
    first_sex = sex_item.option_codes[0] if sex_item else None
    for unit, sex, age in drawn:
        position = age_position.get(age) if age is not None else None
        latent = _latent(rng, bias, qualities[unit], sex is not None and sex == first_sex, position)
        answers = _answers(rng, plans, bias, latent, sex, age)
        fast = rng.random() < bias.fast_share
        duration = rng.randint(15, 40) if fast else int(min(3600, 60 + rng.lognormvariate(math.log(240), 0.45)))
        responses.append(SimulatedResponse(unit, answers, duration, rng.random()))
    return responses


def population_margins(
    q: Questionnaire, units: Sequence[tuple[str, int]], *, bias: SampleBias = COUNTER_SAMPLE
) -> list[MarginRow]:
    """The population counts that weight a sample of :func:`simulate_responses` back.

    ``unit`` totals are the transactions; for each profile item (``profile: true``,
    single choice) the same grand total is split by the population shares the
    simulation draws from: sex and age by ``bias.sex_shares``/``age_shares``
    (without the propensities), the others by the fixed shares used to answer
    them. Every variable adds up to the same total (largest-remainder rounding),
    as raking requires. Each row names the questionnaire's group, so the margins
    of several groups can go in one file and weight each group to its own totals.
    """
    total = sum(count for _, count in units)
    rows = [MarginRow("unit", code, count, q.group) for code, count in units]
    for item in q.profile_items:
        if not item.options:
            continue
        shares = _population_shares(item, bias)
        counts = _apportion(total, shares)
        rows += [MarginRow(item.code, str(option.code), count, q.group)
                 for option, count in zip(item.options, counts, strict=True)]
    return rows


def margins_csv(rows: Sequence[MarginRow]) -> str:
    """The rows as the text of a margins file for ``python -m analysis`` (with its group column)."""
    return "variable,category,total,group\n" + "".join(
        f"{r.variable},{r.category},{r.total},{r.group}\n" for r in rows)


def answers_as_form(q: Questionnaire, answers: Mapping[str, Answer]) -> dict[str, list[str]]:
    """Answers as a browser would post them (one value per ticked box), for checking with ``parse_answers``."""
    form: dict[str, list[str]] = {}
    for item in q.items:
        if item.code in answers:
            value = answers[item.code]
            form[item.code] = [str(v) for v in value] if isinstance(value, list) else [str(value)]
    return form


# -- drawing the respondents ---------------------------------------------------


def _item_or_none(q: Questionnaire, code: str) -> Item | None:
    try:
        item = q.item(code)
    except KeyError:
        return None
    return item if item.type in (ItemType.SINGLE, ItemType.SCALE) and item.options else None


def _population_shares(item: Item, bias: SampleBias) -> list[float]:
    size = len(item.options)
    if item.code == bias.sex_item and len(bias.sex_shares) == size:
        return list(bias.sex_shares)
    if item.code == bias.age_item:
        return list(bias.age_shares) if len(bias.age_shares) == size else [1.0 / size] * size
    return _choice_shares(size)


def _choice_shares(size: int) -> list[float]:
    """Shares of an unbiased single choice: the first options are the common answers."""
    raw = [1.0 / (k + 1.5) for k in range(size)]
    total = sum(raw)
    return [r / total for r in raw]


def _propensity(values: tuple[float, ...], size: int) -> list[float]:
    if len(values) == size:
        return list(values)
    if size == 1:
        return [1.0]
    first, last = values[0], values[-1]  # stretch the profile over another number of options
    return [first + (last - first) * k / (size - 1) for k in range(size)]


def _cells(
    q: Questionnaire, units: Sequence[tuple[str, int]], seed: int, bias: SampleBias
) -> tuple[list[tuple[str, int | None, int | None]], list[float]]:
    """Every (unit, sex code, age code) with its chance of giving the next response."""
    sex_item, age_item = _item_or_none(q, bias.sex_item), _item_or_none(q, bias.age_item)
    sexes = _dimension(sex_item, bias, bias.sex_propensity)
    ages = _dimension(age_item, bias, bias.age_propensity)
    cells, weights = [], []
    for code, count in units:
        unit_factor = math.exp(random.Random(f"{seed}:propensity:{code}").gauss(0.0, bias.unit_spread))
        for sex, sex_weight in sexes:
            for age, age_weight in ages:
                cells.append((code, sex, age))
                weights.append(count * unit_factor * sex_weight * age_weight)
    return cells, weights


def _dimension(item: Item | None, bias: SampleBias, propensity: tuple[float, ...]) -> list[tuple[int | None, float]]:
    if item is None:
        return [(None, 1.0)]
    shares = _population_shares(item, bias)
    factors = _propensity(propensity, len(item.options))
    return [(option.code, share * factor) for option, share, factor in zip(item.options, shares, factors, strict=True)]


def _draw_cells(
    rng: random.Random,
    cells: list[tuple[str, int | None, int | None]],
    weights: list[float],
    unit_codes: list[str],
    n: int,
    min_per_unit: int,
) -> list[tuple[str, int | None, int | None]]:
    floor = min_per_unit if n >= min_per_unit * len(unit_codes) else 0
    drawn: list[tuple[str, int | None, int | None]] = []
    for code in unit_codes:  # the guaranteed few per unit, drawn within the unit
        own = [(cell, weight) for cell, weight in zip(cells, weights, strict=True) if cell[0] == code]
        drawn += rng.choices([c for c, _ in own], [w for _, w in own], k=floor)
    drawn += rng.choices(cells, weights, k=n - len(drawn))
    rng.shuffle(drawn)
    return drawn


def _apportion(total: int, shares: Sequence[float]) -> list[int]:
    """Integers proportional to ``shares`` that add up to ``total`` exactly (largest remainder)."""
    exact = [total * share / sum(shares) for share in shares]
    counts = [math.floor(value) for value in exact]
    by_remainder = sorted(range(len(exact)), key=lambda k: exact[k] - counts[k], reverse=True)
    for k in by_remainder[: total - sum(counts)]:
        counts[k] += 1
    return counts


# -- answering -----------------------------------------------------------------


def _latent(rng: random.Random, bias: SampleBias, quality: float, first_sex: bool, age_position: int | None) -> float:
    value = bias.base_satisfaction + quality + rng.gauss(0.0, bias.person_spread)
    if age_position is not None:
        value += bias.age_effect * (age_position - 2)  # options run from young to old: older, more satisfied
    if first_sex:
        value += bias.sex_effect
    return value


@dataclass(frozen=True)
class _Plan:
    """What answering one item needs, worked out once per call rather than once per response."""

    item: Item
    kind: str  # rating | expectation | yes_no | single | multiple | number | decimal | text
    codes: tuple[int, ...]  # option codes, ascending for ordered answers
    shares: tuple[float, ...]
    offset: float


def _plans(q: Questionnaire, bias: SampleBias) -> list[_Plan]:
    plans = []
    for item in q.items:
        if _is_rating(item):
            kind = "rating"
        elif item.type in (ItemType.EXPECTATION4, ItemType.SCALE):
            kind = "expectation"
        else:
            kind = str(item.type)
        ordered = kind in ("rating", "expectation")
        codes = tuple(sorted(item.option_codes)) if ordered else item.option_codes
        shares = tuple(_choice_shares(len(codes))) if codes else ()
        offset = random.Random(f"item:{item.code}").gauss(0.0, 0.25)
        plans.append(_Plan(item, kind, codes, shares, offset))
    return plans


def _answers(
    rng: random.Random,
    plans: Sequence[_Plan],
    bias: SampleBias,
    latent: float,
    sex: int | None,
    age: int | None,
) -> dict[str, Answer]:
    answers: dict[str, Answer] = {}
    straight = rng.random() < bias.straight_share
    straight_level: float | None = None
    for plan in plans:
        item = plan.item
        if item.relevant is not None and not item.relevant.is_met(answers):
            continue  # skip logic on the answers so far, as parse_answers applies it
        if not item.required and not item.profile and rng.random() < bias.skip_optional:
            continue
        if item.code == bias.sex_item and sex is not None:
            answers[item.code] = sex
            continue
        if item.code == bias.age_item and age is not None:
            answers[item.code] = age
            continue
        value = _answer(rng, plan, bias, latent)
        if straight and plan.kind == "rating":
            # a straight-liner gives every rating the same end of the scale
            straight_level = straight_level if straight_level is not None else rng.choice((0.0, 1.0))
            value = plan.codes[round(straight_level * (len(plan.codes) - 1))]
        if value is not None:
            answers[item.code] = value
    return answers


def _is_rating(item: Item) -> bool:
    """5-level satisfaction and the officials' 4- and 5-point scales: answers that follow satisfaction."""
    return item.type is ItemType.SATISFACTION5 or (item.type is ItemType.SCALE and len(item.options) >= 4)


def _answer(rng: random.Random, plan: _Plan, bias: SampleBias, latent: float) -> Answer | None:
    item = plan.item
    if plan.kind == "rating":
        return plan.codes[_ordered(rng, latent + plan.offset, bias.answer_spread, len(plan.codes))]
    if plan.kind == "expectation":
        # expectations: most people want much improved, whatever they think of the service
        return plan.codes[_ordered(rng, 0.9 + plan.offset, 0.9, len(plan.codes))]
    if plan.kind == ItemType.YES_NO:
        return 1 if rng.random() < bias.yes_shares.get(item.code, 0.5) else 0
    if plan.kind == ItemType.SINGLE:
        return rng.choices(plan.codes, plan.shares)[0]
    if plan.kind == ItemType.MULTIPLE:
        return _multiple(rng, item)
    if plan.kind == ItemType.NUMBER:
        return _number(rng, item)
    if plan.kind == ItemType.DECIMAL:
        return _decimal(rng, item)
    return _comment(rng, item, bias)


def _ordered(rng: random.Random, mean: float, spread: float, size: int) -> int:
    """Position 0..size-1 of an ordered answer: an ordered-probit draw around ``mean``."""
    cuts = _CUTS.get(size) or tuple(-1.0 + 3.0 * k / (size - 1) for k in range(1, size))
    value = rng.gauss(mean, spread)
    return sum(1 for cut in cuts if value > cut)


def _multiple(rng: random.Random, item: Item) -> list[int] | None:
    chosen = [code for code in item.option_codes if rng.random() < 0.35]
    rng.shuffle(chosen)
    if item.max_choices is not None:
        chosen = chosen[: item.max_choices]
    low = item.min_choices or (1 if item.required else 0)
    while len(chosen) < low:
        chosen.append(rng.choice([c for c in item.option_codes if c not in chosen]))
    return sorted(chosen, key=item.option_codes.index) or None


def _number(rng: random.Random, item: Item) -> int:
    low = int(item.min) if item.min is not None else 0
    high = int(item.max) if item.max is not None else low + 10
    mean = min(max(0.08 * (high - low), 0.8), 8.0)
    return min(high, low + _poisson(rng, mean))


def _decimal(rng: random.Random, item: Item) -> float:
    """A measurement spread evenly over the item's range, rounded to its places (bounds have no more)."""
    low = float(item.min) if item.min is not None else 0.0
    high = float(item.max) if item.max is not None else low + 10.0
    return round(rng.uniform(low, high), item.places or DEFAULT_DECIMAL_PLACES)


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: fine for the small means used here."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _comment(rng: random.Random, item: Item, bias: SampleBias) -> str | None:
    if not item.required and rng.random() >= bias.comment_share:
        return None
    text = rng.choice(_COMMENTS)[0]
    return text[: item.max_length] if item.max_length else text
