"""Exact decimals as the daemon computes them (its money.Decimal: 8 places).

Prices, quantities and cash cross the wire as strings and live here as
decimal.Decimal; a float is refused everywhere, because 0.1 as a float is not
0.1 and a strategy that decides on such a value trades on a rounding error.
The helpers round exactly where the daemon rounds, so a figure computed here
(a mid, a notional, a cash balance) is the daemon's to the last unit.
"""

import decimal
import re
from decimal import Decimal

SCALE = 8
_UNIT = Decimal(1).scaleb(-SCALE)
# Enough digits for any product of two values of the daemon's range (about
# 9.2e10 with 8 places) before the one rounding each operation does.
_CTX = decimal.Context(
    prec=60,
    rounding=decimal.ROUND_HALF_UP,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)
_WIRE = re.compile(r"[+-]?[0-9]+(\.[0-9]{1,%d})?" % SCALE)
_CTX_DOWN = _CTX.copy()
_CTX_DOWN.rounding = decimal.ROUND_DOWN
ZERO = Decimal(0)


def parse(text):
    """Reads a wire decimal ("60000", "-12.5", "0.00000001").

    Like the daemon's parser it refuses anything else (exponents, spaces,
    more than 8 places) with a ValueError naming the text, rather than round.
    """
    if not isinstance(text, str) or not _WIRE.fullmatch(text):
        raise ValueError("not a decimal of at most %d places: %r" % (SCALE, text))
    return Decimal(text)


def parse_optional(text):
    """parse, with the empty string (an unset field) read as None."""
    return None if text == "" else parse(text)


def to_decimal(value, what="value"):
    """A Decimal from a Decimal, an int or a wire string; never a float."""
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError("%s: %r is a %s; use decimal.Decimal or a string such as \"0.015\""
                        % (what, value, type(value).__name__))
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, str):
        d = parse(value)
    else:
        raise TypeError("%s: %r is not a decimal" % (what, value))
    if not d.is_finite() or d != d.quantize(_UNIT, context=_CTX):
        raise ValueError("%s: %s has more than %d decimal places" % (what, d, SCALE))
    return d


def to_wire(value, what="value"):
    """The wire string of value: no exponent, no trailing zeros."""
    d = to_decimal(value, what)
    s = "{:f}".format(d.quantize(_UNIT, context=_CTX))
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def round8(value):
    """value rounded half away from zero to 8 places, as the daemon rounds."""
    return value.quantize(_UNIT, rounding=decimal.ROUND_HALF_UP, context=_CTX)


def mul(a, b):
    """a x b rounded once to 8 places (the daemon's Decimal.Mul)."""
    return round8(_CTX.multiply(a, b))


def half(a):
    """a / 2 rounded half away from zero (the daemon's Decimal.Half: a mid)."""
    return round8(_CTX.divide(a, 2))


def quo_truncate(a, b, places):
    """a / b cut toward zero to places decimals (the daemon's QuoTruncate).

    Division toward zero at 60 digits, then a cut: never rounds up, so a
    quantity bought for a notional never costs more than the notional.
    """
    q = _CTX_DOWN.divide(a, b)
    return q.quantize(Decimal(1).scaleb(-places), rounding=decimal.ROUND_DOWN, context=_CTX)


def round_down(d, step):
    """d moved to a multiple of step toward minus infinity; step <= 0: d."""
    if step <= 0:
        return d
    # In units of 1e-8, as integers: Python's % floors for a positive step.
    u, s = int(d.scaleb(SCALE)), int(step.scaleb(SCALE))
    return Decimal(u - u % s).scaleb(-SCALE)
