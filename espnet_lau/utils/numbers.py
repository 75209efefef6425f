"""Numbers a user gives (options, config values), checked once: finite and in range.

``float("nan")`` and ``float("inf")`` parse, and a NaN passes every ``x <= 0`` test, so
``--max_duration nan`` used to keep nothing and ``--temperature inf`` trained on a
constant loss. The validators here refuse them where the number enters, in one line
that names the option.

As an argparse ``type=`` (the message gets argparse's ``argument --<option>:`` prefix,
exit 2)::

    parser.add_argument("--max_duration", type=finite_float(min=0, min_inclusive=False))
    parser.add_argument("--vocab_size", type=positive_int)
    # prepare_dump filter: error: argument --max_duration: must be a finite number > 0, got 'nan'

On a value that did not pass through ``type=`` (ESPnet sets a YAML config's values as
parser defaults, which argparse does not convert; YAML gives a float, an int, or a
string such as ``'.nan'``), :meth:`NumberType.check` raises :class:`NumberError`, a
:class:`~espnet_lau.utils.errors.UserError` reported as one line::

    args.semantic_weight = finite_float(min=0).check("--semantic_weight", args.semantic_weight)
    # NumberError: --semantic_weight: must be a finite number >= 0, got '.nan'

The validators are module-level objects (picklable, unlike closures), callable on a
string, an int or a float; ``bool`` (YAML's ``true``) is refused.
"""

from __future__ import annotations

import argparse
import math
import numbers
from typing import Optional, Union

from espnet_lau.utils.errors import UserError

Number = Union[int, float]


class NumberError(UserError, ValueError):
    """A number outside what its option takes: ``--<option>: must be ..., got '<value>'``."""


class NumberType:
    """The common part of :class:`FiniteFloat` and :class:`BoundedInt`: a range and its check.

    Calling the object is the argparse ``type=`` (raises ``argparse.ArgumentTypeError``);
    :meth:`check` is the same test for a value from elsewhere (raises :class:`NumberError`).
    """

    #: what the number is, in the message: ``a finite number``, ``a whole number``
    kind = "a number"

    def __init__(self, min: Optional[Number] = None, max: Optional[Number] = None,
                 min_inclusive: bool = True, max_inclusive: bool = True):
        if min is not None and max is not None and min > max:
            raise ValueError(f"empty range: min {min} > max {max}")
        self.min, self.max = min, max
        self.min_inclusive, self.max_inclusive = min_inclusive, max_inclusive

    def describe(self) -> str:
        """``a finite number > 0 and <= 1``."""
        bounds = []
        if self.min is not None:
            bounds.append(f"{'>=' if self.min_inclusive else '>'} {self.min}")
        if self.max is not None:
            bounds.append(f"{'<=' if self.max_inclusive else '<'} {self.max}")
        return " ".join([self.kind, " and ".join(bounds)]).strip()

    def convert(self, value) -> Number:
        """``value`` as a number of this kind; raises ``ValueError`` when it is not one."""
        raise NotImplementedError

    def in_range(self, number: Number) -> bool:
        if self.min is not None and (number < self.min or (number == self.min and not self.min_inclusive)):
            return False
        if self.max is not None and (number > self.max or (number == self.max and not self.max_inclusive)):
            return False
        return True

    def _parse(self, value) -> Number:
        """The number, or ``ValueError`` with the message (without the option)."""
        problem = f"must be {self.describe()}, got {str(value)!r}"
        if isinstance(value, bool):
            raise ValueError(problem)
        try:
            number = self.convert(value)
        except (TypeError, ValueError, OverflowError):
            raise ValueError(problem) from None
        if not self.in_range(number):
            raise ValueError(problem)
        return number

    def __call__(self, value) -> Number:
        """The argparse ``type=``."""
        try:
            return self._parse(value)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    def check(self, option: str, value) -> Number:
        """``value`` converted, or :class:`NumberError` ``<option>: must be ..., got ...``."""
        try:
            return self._parse(value)
        except ValueError as exc:
            raise NumberError(f"{option}: {exc}") from None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.describe()})"


class FiniteFloat(NumberType):
    """A float that is neither NaN nor infinite, in the range given."""

    kind = "a finite number"

    def convert(self, value) -> float:
        if isinstance(value, str):
            number = float(value.strip())
        elif isinstance(value, numbers.Real):
            number = float(value)
        else:
            raise TypeError(type(value).__name__)
        if not math.isfinite(number):
            raise ValueError(value)
        return number


class BoundedInt(NumberType):
    """A whole number in the range given (``"3"``, ``3``; a float only when whole, ``3.0``)."""

    kind = "a whole number"

    def convert(self, value) -> int:
        if isinstance(value, str):
            return int(value.strip())
        if isinstance(value, numbers.Integral):
            return int(value)
        if isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer():
            return int(value)
        raise ValueError(value)


def finite_float(min: Optional[float] = None, max: Optional[float] = None,
                 min_inclusive: bool = True, max_inclusive: bool = True) -> FiniteFloat:
    """A finite float in ``[min, max]`` (a bound left out is open; ``*_inclusive=False``
    excludes it): ``finite_float(min=0, min_inclusive=False)`` is ``> 0``."""
    return FiniteFloat(min, max, min_inclusive, max_inclusive)


def bounded_int(min: Optional[int] = None, max: Optional[int] = None) -> BoundedInt:
    """A whole number in ``[min, max]``."""
    return BoundedInt(min, max)


#: ``> 0``: durations, factors, temperatures, ratios.
positive_float = finite_float(min=0, min_inclusive=False)
#: ``>= 0``: weights.
non_negative_float = finite_float(min=0)
#: ``>= 1``: counts, sizes.
positive_int = bounded_int(min=1)
#: ``>= 0``.
non_negative_int = bounded_int(min=0)
